namespace Veo.Sdk.Akka.Generation;

/// <summary>After a failed step: try it again after a delay, or give up.</summary>
internal abstract record RetryDecision
{
    private RetryDecision()
    {
    }

    /// <summary>Try again after <paramref name="Delay"/>.</summary>
    public sealed record Again(TimeSpan Delay) : RetryDecision;

    /// <summary>Stop trying; <paramref name="Fact"/> is what the task decides on next, when giving up ends something.</summary>
    public sealed record GiveUp(TaskFact? Fact) : RetryDecision;
}

/// <summary>
/// When a task tries a failed step again and when it gives up: polls, the download and save of the result, and the lookup
/// of a start receipt. Pure: the counts, the settings and the error come in, a decision goes out; the actor keeps the
/// counts and the timers. (A refused start is not retried here: a quota refusal sends the task back to the queue, see
/// <see cref="VideoTaskDecisions"/>, and anything else fails it, because a repeated start could be a second bill.)
/// </summary>
internal static class RetryPolicy
{
    /// <summary>Attempts at reading a start receipt before a task recovered inside its start call treats the start as indeterminate.</summary>
    public const int MaxReceiptLookups = 5;

    /// <summary>How much longer each retry of a download or a save waits than the one before.</summary>
    public static readonly TimeSpan TransferBackOffStep = TimeSpan.FromSeconds(0.5);

    /// <summary>How much longer each retry of a receipt lookup waits than the one before.</summary>
    public static readonly TimeSpan ReceiptLookupBackOffStep = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After a failed poll. Transient failures are polled on at the schedule's pace (as if the poll had found the generation
    /// running) until <paramref name="maxConsecutiveFailures"/> fail in a row; any other failure gives up at once.
    /// </summary>
    /// <param name="failure">The poll's failure.</param>
    /// <param name="failedPollsInARow">Failed polls since the last answered one, this one included (≥ 1).</param>
    /// <param name="maxConsecutiveFailures">The limit (<c>Generation:MaxConsecutivePollFailures</c>).</param>
    /// <param name="schedule">The polling schedule.</param>
    /// <param name="expected">The duration the polls are scheduled for.</param>
    /// <param name="elapsed">The time since the operation started.</param>
    /// <param name="missesSoFar">Polls that found the generation still running.</param>
    public static RetryDecision AfterPollFailure(
        PollFailure failure, int failedPollsInARow, int maxConsecutiveFailures, PollSchedule schedule, ExpectedDuration expected, TimeSpan elapsed, int missesSoFar)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(schedule);
        if (failure.IsTransient && failedPollsInARow < maxConsecutiveFailures)
        {
            // Veo's suggested delay belongs to answered polls; a failed one has none.
            return new RetryDecision.Again(schedule.NextDelay(expected, elapsed, Math.Max(1, missesSoFar), null));
        }

        return new RetryDecision.GiveUp(new TaskFacts.PollingGaveUp(failure.HttpStatus, failure.ErrorCode, failure.Message, failedPollsInARow, failure.CredentialSource));
    }

    /// <summary>After a failed download of the finished video or a failed write of its row: linear back-off, then the task fails.</summary>
    /// <param name="saving">Whether the row was being written (otherwise the video was being downloaded).</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="attempt">The attempts made at this step so far, this one included (≥ 1).</param>
    /// <param name="maxAttempts">The limit (<c>EngineSettings.MaxIoAttempts</c>).</param>
    public static RetryDecision AfterTransferFailure(bool saving, string message, int attempt, int maxAttempts)
    {
        if (attempt < maxAttempts)
        {
            return new RetryDecision.Again(TransferBackOffStep * attempt);
        }

        return new RetryDecision.GiveUp(saving ? new TaskFacts.StorageGaveUp(message) : new TaskFacts.DownloadGaveUp(message));
    }

    /// <summary>
    /// After a failed read of a start receipt: linear back-off, then give up, which makes the start indeterminate (there is
    /// no fact to decide on here: <see cref="TaskFacts.RecoveredInsideStart"/> follows without waiting any longer).
    /// </summary>
    /// <param name="attempt">The lookups made so far, this one included (≥ 1).</param>
    public static RetryDecision AfterReceiptLookupFailure(int attempt)
        => attempt < MaxReceiptLookups ? new RetryDecision.Again(ReceiptLookupBackOffStep * attempt) : new RetryDecision.GiveUp(null);
}
