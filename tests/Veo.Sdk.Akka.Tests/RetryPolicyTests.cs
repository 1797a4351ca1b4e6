using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Tests;

/// <summary>When a task tries a failed step again and when it gives up, and how Veo's failures are read for that.</summary>
public sealed class RetryPolicyTests
{
    private static readonly PollSchedule Polls = new(TimeSpan.FromSeconds(1));
    private static readonly ExpectedDuration Unobserved = new(TimeSpan.FromSeconds(60), false);
    private static readonly ExpectedDuration Observed = new(TimeSpan.FromSeconds(40), true);

    private static PollFailure Transient => new(503, "UNAVAILABLE", "down", IsTransient: true, null);

    [Fact]
    public void A_transient_poll_failure_is_polled_on_at_the_schedules_pace()
    {
        var again = Assert.IsType<RetryDecision.Again>(RetryPolicy.AfterPollFailure(Transient, 1, 20, Polls, Unobserved, TimeSpan.FromSeconds(3), missesSoFar: 2));
        Assert.Equal(Polls.NextDelay(Unobserved, TimeSpan.FromSeconds(3), 2, null), again.Delay);

        // A failure before any poll found the generation running counts as one miss, so it is not polled at once.
        var first = Assert.IsType<RetryDecision.Again>(RetryPolicy.AfterPollFailure(Transient, 1, 20, Polls, Observed, TimeSpan.FromSeconds(41), missesSoFar: 0));
        Assert.Equal(Polls.NextDelay(Observed, TimeSpan.FromSeconds(41), 1, null), first.Delay);
        Assert.True(first.Delay > TimeSpan.Zero);
    }

    [Fact]
    public void Polling_gives_up_after_the_limit_of_failures_in_a_row_naming_the_count()
    {
        Assert.IsType<RetryDecision.Again>(RetryPolicy.AfterPollFailure(Transient, 19, 20, Polls, Unobserved, TimeSpan.Zero, 0));

        var giveUp = Assert.IsType<RetryDecision.GiveUp>(RetryPolicy.AfterPollFailure(Transient, 20, 20, Polls, Unobserved, TimeSpan.Zero, 0));
        var fact = Assert.IsType<TaskFacts.PollingGaveUp>(giveUp.Fact);
        Assert.Equal((503, "UNAVAILABLE", "down", 20), (fact.HttpStatus, fact.ErrorCode, fact.Message, fact.FailedPolls));
    }

    [Fact]
    public void Polling_gives_up_at_once_on_a_failure_that_is_not_transient()
    {
        var refused = VeoFailures.Poll(new VeoAuthenticationException("GOOGLE_APPLICATION_CREDENTIALS", 403, "PERMISSION_DENIED", "denied"));
        Assert.False(refused.IsTransient);

        var giveUp = Assert.IsType<RetryDecision.GiveUp>(RetryPolicy.AfterPollFailure(refused, 1, 20, Polls, Unobserved, TimeSpan.Zero, 0));
        var fact = Assert.IsType<TaskFacts.PollingGaveUp>(giveUp.Fact);
        Assert.Equal(403, fact.HttpStatus);
        Assert.Equal("GOOGLE_APPLICATION_CREDENTIALS", fact.CredentialSource);
        Assert.Equal(1, fact.FailedPolls);
    }

    [Fact]
    public void Poll_failures_are_transient_unless_Veo_answered_with_a_final_status()
    {
        Assert.True(VeoFailures.Poll(new VeoRequestFailedException(503, "UNAVAILABLE", "down")).IsTransient);
        Assert.True(VeoFailures.Poll(new VeoRequestFailedException(429, "RESOURCE_EXHAUSTED", "slow down")).IsTransient);
        Assert.True(VeoFailures.Poll(new VeoRequestFailedException(0, null, "connection refused")).IsTransient);
        Assert.False(VeoFailures.Poll(new VeoRequestFailedException(404, "NOT_FOUND", "no such operation")).IsTransient);

        // Not Veo's verdict (a timeout, a broken connection): a poll only reads, so it is polled on.
        var timeout = VeoFailures.Poll(new TimeoutException("no answer"));
        Assert.Equal(new PollFailure(0, null, "no answer", true, null), timeout);
    }

    [Fact]
    public void A_failed_download_or_save_is_retried_with_a_growing_delay_then_fails_the_task()
    {
        Assert.Equal(TimeSpan.FromSeconds(0.5), Assert.IsType<RetryDecision.Again>(RetryPolicy.AfterTransferFailure(false, "reset", 1, 4)).Delay);
        Assert.Equal(TimeSpan.FromSeconds(1.5), Assert.IsType<RetryDecision.Again>(RetryPolicy.AfterTransferFailure(true, "locked", 3, 4)).Delay);

        var download = Assert.IsType<RetryDecision.GiveUp>(RetryPolicy.AfterTransferFailure(false, "reset", 4, 4));
        Assert.Equal(new TaskFacts.DownloadGaveUp("reset"), download.Fact);
        var save = Assert.IsType<RetryDecision.GiveUp>(RetryPolicy.AfterTransferFailure(true, "locked", 4, 4));
        Assert.Equal(new TaskFacts.StorageGaveUp("locked"), save.Fact);
    }

    [Fact]
    public void A_failed_receipt_lookup_is_retried_four_times_then_given_up_without_a_fact()
    {
        for (var attempt = 1; attempt < RetryPolicy.MaxReceiptLookups; attempt++)
        {
            Assert.Equal(TimeSpan.FromSeconds(attempt), Assert.IsType<RetryDecision.Again>(RetryPolicy.AfterReceiptLookupFailure(attempt)).Delay);
        }

        Assert.Null(Assert.IsType<RetryDecision.GiveUp>(RetryPolicy.AfterReceiptLookupFailure(RetryPolicy.MaxReceiptLookups)).Fact);
    }

    [Fact]
    public void Start_failures_become_refusals_that_keep_what_the_decisions_need()
    {
        var quota = VeoFailures.StartRejected(new VeoRequestFailedException(429, "RESOURCE_EXHAUSTED", "quota", TimeSpan.FromSeconds(7)));
        Assert.Equal(new TaskFacts.StartRejected(429, "RESOURCE_EXHAUSTED", "quota", TimeSpan.FromSeconds(7), IsQuotaExceeded: true), quota);

        var model = VeoFailures.StartRejected(new VeoModelUnavailableException(VeoModels.Veo30, 404, "NOT_FOUND", "gone"));
        Assert.Equal(VeoModels.Veo30, model.UnavailableModel);
        Assert.False(model.IsQuotaExceeded);

        var credentials = VeoFailures.StartRejected(new VeoAuthenticationException("api key", 403, "PERMISSION_DENIED", "denied"));
        Assert.Equal("api key", credentials.CredentialSource);
        Assert.Null(credentials.RetryAfter);

        // The client refuses a bad request before sending it; anything else unexplained has no HTTP status.
        Assert.Equal(new TaskFacts.StartRejected(400, "INVALID_ARGUMENT", "bad seed", null, false), VeoFailures.StartRejected(new ArgumentException("bad seed")));
        Assert.Equal(new TaskFacts.StartRejected(0, null, "boom", null, false), VeoFailures.StartRejected(new InvalidOperationException("boom")));
    }
}
