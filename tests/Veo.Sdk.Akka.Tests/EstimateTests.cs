using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Tests;

/// <summary>Progress estimates, the polling schedule and the status projection: pure functions.</summary>
public sealed class EstimateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly VideoTaskId Id = VideoTaskId.Parse("t");

    [Fact]
    public void Estimated_progress_rises_with_time_and_never_passes_99()
    {
        var expected = TimeSpan.FromSeconds(60);
        var previous = -1;
        for (var seconds = 0.0; seconds < 3600; seconds += 0.5)
        {
            var percent = ProgressModel.Generating(TimeSpan.FromSeconds(seconds), expected);
            Assert.True(percent >= previous, $"progress fell at {seconds} s");
            Assert.InRange(percent, ProgressModel.GeneratingFrom, 99);
            Assert.True(percent < ProgressModel.Downloading);
            previous = percent;
        }

        Assert.Equal(5 + 40, ProgressModel.Generating(TimeSpan.FromSeconds(30), expected));   // 0.9 × 0.5 of the 90-point span
        Assert.Equal(5 + 81, ProgressModel.Generating(expected, expected));
    }

    [Fact]
    public void The_first_poll_lands_near_the_expected_end_once_durations_were_observed()
    {
        var schedule = new PollSchedule(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(48), schedule.FirstDelay(new ExpectedDuration(TimeSpan.FromSeconds(60), true), TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(38), schedule.FirstDelay(new ExpectedDuration(TimeSpan.FromSeconds(60), true), TimeSpan.FromSeconds(10)));
        Assert.Equal(PollSchedule.MinimumInterval, schedule.FirstDelay(new ExpectedDuration(TimeSpan.FromSeconds(60), true), TimeSpan.FromMinutes(5)));

        // A model not seen yet: start polling after one interval instead of trusting the default guess.
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.FirstDelay(new ExpectedDuration(TimeSpan.FromSeconds(60), false), TimeSpan.Zero));
    }

    [Fact]
    public void Later_polls_are_short_then_slow_down_while_a_generation_overruns()
    {
        var schedule = new PollSchedule(TimeSpan.FromSeconds(1));
        var veo = new ExpectedDuration(TimeSpan.FromSeconds(60), true);
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.NextDelay(veo, 1, null));
        Assert.Equal(TimeSpan.FromSeconds(1.5), schedule.NextDelay(veo, 2, null));
        Assert.Equal(TimeSpan.FromSeconds(15), schedule.NextDelay(veo, 50, null));   // capped at a quarter of the expected duration

        // Short generations poll at a tenth of their duration, never below 0.1 s.
        var quick = new ExpectedDuration(TimeSpan.FromSeconds(2), true);
        Assert.Equal(TimeSpan.FromSeconds(0.2), schedule.NextDelay(quick, 1, null));
        Assert.Equal(PollSchedule.MinimumInterval, schedule.NextDelay(new ExpectedDuration(TimeSpan.FromMilliseconds(300), true), 1, null));
        Assert.True(schedule.NextDelay(quick, 30, null) <= TimeSpan.FromSeconds(1));

        // Veo's own suggestion wins when it asks for more patience.
        Assert.Equal(TimeSpan.FromSeconds(5), schedule.NextDelay(quick, 1, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void The_duration_window_averages_recent_generations_per_model()
    {
        var window = new DurationWindow(TimeSpan.FromSeconds(60), size: 3);
        Assert.Equal(new ExpectedDuration(TimeSpan.FromSeconds(60), false), window.Expected("veo"));
        window.Observe("veo", TimeSpan.FromSeconds(10));
        window.Observe("veo", TimeSpan.FromSeconds(20));
        Assert.Equal(new ExpectedDuration(TimeSpan.FromSeconds(15), true), window.Expected("veo"));
        window.Observe("veo", TimeSpan.FromSeconds(30));
        window.Observe("veo", TimeSpan.FromSeconds(40));   // pushes the 10 s out
        Assert.Equal(TimeSpan.FromSeconds(30), window.Expected("veo").Duration);
        Assert.False(window.Expected("other").IsObserved);
        window.Observe("veo", TimeSpan.Zero);             // ignored
        Assert.Equal(TimeSpan.FromSeconds(30), window.Expected("veo").Duration);
    }

    private static VideoTask Submitted() => VideoTask.Empty(Id).Apply(new VideoTaskEvents.Submitted(
        Id,
        new VideoGenerationRequest { Veo = new GenerateVideoRequest { Model = "m", Prompt = "p" }, TaskId = "t", Priority = TaskPriority.Low },
        T0));

    private static LiveView Live(DateTimeOffset now, int? position = null, VideoTaskStage? stage = null)
        => new(now, stage, new ExpectedDuration(TimeSpan.FromSeconds(10), true), position, 5, 2, 77);

    [Fact]
    public void A_waiting_task_reports_pending_with_its_queue_position_and_a_time_estimate()
    {
        var status = Submitted().ToStatus(Live(T0, position: 3));
        Assert.Equal(VideoTaskState.Pending, status.State);
        Assert.Equal(VideoTaskStage.Queued, status.Stage);
        Assert.Equal(3, status.QueuePosition);
        Assert.Equal("Waiting in queue (position 3 of 5)", status.StatusText);
        Assert.Equal(0, status.Progress);
        Assert.Equal(TimeSpan.FromSeconds(25), status.EstimatedTimeLeft);   // 3 of 2 slots ahead → 1.5 waves, plus its own 10 s
        Assert.Equal(TaskPriority.Low, status.Priority);
        Assert.Equal(77, status.Version);
        Assert.False(status.IsFinal);
    }

    [Fact]
    public void A_quota_deferred_task_says_so_and_warns()
    {
        var task = Submitted()
            .Apply(new VideoTaskEvents.StartRequested(Id, 1, false, T0))
            .Apply(new VideoTaskEvents.QuotaDeferred(Id, T0.AddSeconds(30), 429, "RESOURCE_EXHAUSTED", "quota", T0));
        var status = task.ToStatus(Live(T0.AddSeconds(1), position: 1));
        Assert.Equal(VideoTaskState.Pending, status.State);
        Assert.Contains("quota", status.StatusText, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("12:00:30", status.StatusText, StringComparison.Ordinal);
        Assert.Contains(status.Warnings, w => w.Contains("quota", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void A_running_task_reports_its_stage_and_an_estimated_percentage()
    {
        var starting = Submitted().Apply(new VideoTaskEvents.StartRequested(Id, 1, false, T0));
        var submitting = starting.ToStatus(Live(T0));
        Assert.Equal((VideoTaskState.Progress, VideoTaskStage.Submitting), (submitting.State, submitting.Stage));

        var running = starting.Apply(new VideoTaskEvents.Started(Id, "op", T0));
        var generating = running.ToStatus(Live(T0.AddSeconds(5)));
        Assert.Equal(VideoTaskStage.Generating, generating.Stage);
        Assert.Equal(5 + 40, generating.Progress);
        Assert.True(generating.ProgressIsEstimated);
        Assert.Contains("estimated", generating.StatusText, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(5), generating.EstimatedTimeLeft);
        Assert.Equal(T0, generating.StartedAt);
        Assert.Null(generating.QueuePosition);

        Assert.Equal((VideoTaskStage.Downloading, 96), (running.ToStatus(Live(T0, stage: VideoTaskStage.Downloading)).Stage, running.ToStatus(Live(T0, stage: VideoTaskStage.Downloading)).Progress));
        Assert.Equal(VideoTaskStage.Saving, running.ToStatus(Live(T0, stage: VideoTaskStage.Saving)).Stage);

        var soft = running.Apply(new VideoTaskEvents.SoftLimitPassed(Id, 840, T0)).ToStatus(Live(T0));
        Assert.Contains(soft.Warnings, w => w.Contains("soft time limit of 840 s", StringComparison.Ordinal));
    }

    [Fact]
    public void Ended_tasks_report_success_failure_or_revocation()
    {
        var running = Submitted().Apply(new VideoTaskEvents.StartRequested(Id, 1, false, T0)).Apply(new VideoTaskEvents.Started(Id, "op", T0));
        var success = running.Apply(new VideoTaskEvents.Succeeded(Id, 9, "t.mp4", 100, 4.5, T0.AddSeconds(5))).ToStatus(Live(T0));
        Assert.Equal((VideoTaskState.Success, VideoTaskStage.Done, 100), (success.State, success.Stage, success.Progress));
        Assert.Equal(9, success.Result!.GenerationId);
        Assert.Equal("op", success.Result.OperationName);
        Assert.Equal("p", success.Result.Request.Veo.Prompt);
        Assert.Equal(T0.AddSeconds(5), success.CompletedAt);
        Assert.Null(success.EstimatedTimeLeft);
        Assert.True(success.IsFinal);

        var error = new VideoTaskError(VideoTaskErrorCodes.SafetyFiltered, "filtered");
        var failure = running.Apply(new VideoTaskEvents.Failed(Id, error, T0)).ToStatus(Live(T0));
        Assert.Equal(VideoTaskState.Failure, failure.State);
        Assert.Equal(error, failure.Error);
        Assert.Null(failure.Result);

        var removed = Submitted().Apply(new VideoTaskEvents.Revoked(Id, false, T0)).ToStatus(Live(T0));
        Assert.Equal(VideoTaskState.Revoked, removed.State);
        Assert.Contains("before it reached Veo", removed.StatusText, StringComparison.Ordinal);
        var revoked = running.Apply(new VideoTaskEvents.Revoked(Id, true, T0)).ToStatus(Live(T0));
        Assert.Contains("bill", revoked.StatusText, StringComparison.Ordinal);
    }
}
