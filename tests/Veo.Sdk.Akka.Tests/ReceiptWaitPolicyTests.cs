using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Tests;

/// <summary>How long a task recovered inside its start call waits for Veo's answer to be stored before deciding.</summary>
public sealed class ReceiptWaitPolicyTests
{
    private static readonly DateTimeOffset Intent = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public void The_start_is_decided_once_the_call_has_timed_out_and_the_write_has_had_its_allowance()
    {
        Assert.Equal(Intent + Timeout + ReceiptWaitPolicy.WriteAllowance, ReceiptWaitPolicy.DecideAt(Intent, Timeout));
        Assert.Equal(TimeSpan.FromSeconds(2), ReceiptWaitPolicy.WriteAllowance);
    }

    [Fact]
    public void While_a_receipt_may_still_be_stored_it_is_looked_up_again_every_second()
    {
        var wait = Assert.IsType<ReceiptWait.LookAgain>(ReceiptWaitPolicy.AfterMissingReceipt(Intent, Intent.AddSeconds(10), Timeout, lookupFailed: false));
        Assert.Equal(ReceiptWaitPolicy.RecheckInterval, wait.Delay);
        Assert.Equal(TimeSpan.FromSeconds(112), wait.Left);
    }

    [Fact]
    public void The_last_look_lands_on_the_deadline()
    {
        var now = ReceiptWaitPolicy.DecideAt(Intent, Timeout) - TimeSpan.FromMilliseconds(300);
        var wait = Assert.IsType<ReceiptWait.LookAgain>(ReceiptWaitPolicy.AfterMissingReceipt(Intent, now, Timeout, lookupFailed: false));
        Assert.Equal(TimeSpan.FromMilliseconds(300), wait.Delay);
    }

    [Fact]
    public void Past_the_deadline_or_after_a_failed_lookup_the_task_decides_at_once()
    {
        var deadline = ReceiptWaitPolicy.DecideAt(Intent, Timeout);
        Assert.IsType<ReceiptWait.DecideNow>(ReceiptWaitPolicy.AfterMissingReceipt(Intent, deadline, Timeout, lookupFailed: false));
        Assert.IsType<ReceiptWait.DecideNow>(ReceiptWaitPolicy.AfterMissingReceipt(Intent, deadline.AddMinutes(5), Timeout, lookupFailed: false));

        // A store that cannot be read after its retries will not tell more by waiting.
        Assert.IsType<ReceiptWait.DecideNow>(ReceiptWaitPolicy.AfterMissingReceipt(Intent, Intent.AddSeconds(1), Timeout, lookupFailed: true));
    }
}
