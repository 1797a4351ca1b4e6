using Veo.Sdk.Akka.Generation;
using static Veo.Sdk.Akka.Generation.VideoTaskEvents;

namespace Veo.Sdk.Akka.Tests;

/// <summary>When a task's soft, hard and queue time limits fall due.</summary>
public sealed class TimeLimitPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly VideoTaskId Id = VideoTaskId.Parse("task-1");
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly DecisionRules Rules = new(
        SoftTimeLimit: TimeSpan.FromSeconds(840),
        HardTimeLimit: TimeSpan.FromSeconds(900),
        QueueTimeLimit: TimeSpan.FromSeconds(60),
        DefaultQuotaRetryDelay: TimeSpan.FromSeconds(5),
        RestartIndeterminateStarts: false);

    private static VideoTask Waiting => VideoTask.Empty(Id).Apply(new Submitted(Id, new VideoGenerationRequest
    {
        Veo = new GenerateVideoRequest { Model = VeoModels.Veo31, Prompt = "a lighthouse at dusk" },
        TaskId = Id.Value,
    }, T0));

    private static VideoTask Starting => Waiting.Apply(new StartRequested(Id, 1, false, T0.AddSeconds(10)));

    [Fact]
    public void The_generation_limits_count_from_the_start_attempt()
    {
        var now = T0.AddSeconds(100);
        Assert.Equal(TimeSpan.FromSeconds(840 - 90), TimeLimitPolicy.UntilSoftLimit(Starting, now, Rules));
        Assert.Equal(TimeSpan.FromSeconds(900 - 90), TimeLimitPolicy.UntilHardLimit(Starting, now, Rules, PollInterval, afterRecovery: false));
    }

    [Fact]
    public void A_soft_limit_already_recorded_is_not_armed_again()
    {
        var passed = Starting.Apply(new SoftLimitPassed(Id, 840, T0.AddSeconds(850)));
        Assert.Null(TimeLimitPolicy.UntilSoftLimit(passed, T0.AddSeconds(860), Rules));
    }

    [Fact]
    public void After_a_recovery_past_the_hard_limit_the_operation_gets_two_poll_intervals_before_the_task_gives_up()
    {
        var longAfter = T0.AddHours(1);
        Assert.True(TimeLimitPolicy.UntilHardLimit(Starting, longAfter, Rules, PollInterval, afterRecovery: false) < TimeSpan.Zero);
        Assert.Equal(PollInterval * 2, TimeLimitPolicy.UntilHardLimit(Starting, longAfter, Rules, PollInterval, afterRecovery: true));

        // With time left, the grace changes nothing.
        Assert.Equal(TimeSpan.FromSeconds(900 - 90), TimeLimitPolicy.UntilHardLimit(Starting, T0.AddSeconds(100), Rules, PollInterval, afterRecovery: true));
    }

    [Fact]
    public void The_queue_limit_counts_from_submission_and_only_until_the_first_start()
    {
        Assert.Equal(TimeSpan.FromSeconds(45), TimeLimitPolicy.UntilQueueLimit(Waiting, T0.AddSeconds(15), Rules));
        Assert.Null(TimeLimitPolicy.UntilQueueLimit(Waiting, T0, Rules with { QueueTimeLimit = null }));

        var deferred = Starting.Apply(new QuotaDeferred(Id, T0.AddSeconds(20), 429, "RESOURCE_EXHAUSTED", "quota", T0.AddSeconds(11)));
        Assert.Null(TimeLimitPolicy.UntilQueueLimit(deferred, T0.AddSeconds(15), Rules));
    }
}
