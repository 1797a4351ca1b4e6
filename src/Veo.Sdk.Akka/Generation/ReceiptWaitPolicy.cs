namespace Veo.Sdk.Akka.Generation;

/// <summary>What a task recovered inside its start call does when no start receipt was found (yet).</summary>
internal abstract record ReceiptWait
{
    private ReceiptWait()
    {
    }

    /// <summary>Look for the receipt again after <paramref name="Delay"/>; it may still be stored for <paramref name="Left"/>.</summary>
    public sealed record LookAgain(TimeSpan Delay, TimeSpan Left) : ReceiptWait;

    /// <summary>No answer of Veo can be stored any more: decide on <see cref="TaskFacts.RecoveredInsideStart"/>.</summary>
    public sealed record DecideNow : ReceiptWait
    {
        public static readonly DecideNow Instance = new();
    }
}

/// <summary>
/// How long a task recovered with a start intent and no operation name waits for a start receipt before it counts the
/// start as indeterminate. The start call of an earlier incarnation (a node stopping gracefully, or before a rebalance)
/// may still be answered and store its receipt; it cannot once the call has timed out and the write has had its
/// allowance. Pure: the times and the timeout come in, a decision goes out.
/// </summary>
internal static class ReceiptWaitPolicy
{
    /// <summary>How often the receipt is looked up again while waiting.</summary>
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>The time a receipt write may take after Veo's answer, on top of the start call's timeout.</summary>
    public static readonly TimeSpan WriteAllowance = TimeSpan.FromSeconds(2);

    /// <summary>When no receipt can be stored any more for a start requested at <paramref name="startRequestedAt"/>.</summary>
    public static DateTimeOffset DecideAt(DateTimeOffset startRequestedAt, TimeSpan startCallTimeout) => startRequestedAt + startCallTimeout + WriteAllowance;

    /// <summary>After a lookup that found no receipt.</summary>
    /// <param name="startRequestedAt">When the start intent was stored.</param>
    /// <param name="now">Now.</param>
    /// <param name="startCallTimeout">The longest a start call may take (<c>Generation:StartCallTimeoutSeconds</c>).</param>
    /// <param name="lookupFailed">Whether the lookup itself failed (after its retries): then waiting longer cannot tell more.</param>
    public static ReceiptWait AfterMissingReceipt(DateTimeOffset startRequestedAt, DateTimeOffset now, TimeSpan startCallTimeout, bool lookupFailed)
    {
        var left = DecideAt(startRequestedAt, startCallTimeout) - now;
        if (lookupFailed || left <= TimeSpan.Zero)
        {
            return ReceiptWait.DecideNow.Instance;
        }

        return new ReceiptWait.LookAgain(left < RecheckInterval ? left : RecheckInterval, left);
    }
}
