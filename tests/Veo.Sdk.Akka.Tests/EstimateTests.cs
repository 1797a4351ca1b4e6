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
        var spread = new ExpectedDuration(TimeSpan.FromSeconds(60), true, Fastest: TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(48), schedule.FirstDelay(spread, TimeSpan.Zero));                  // 80% of the average
        Assert.Equal(TimeSpan.FromSeconds(38), schedule.FirstDelay(spread, TimeSpan.FromSeconds(10)));      // anchored at the operation's start
        Assert.Equal(TimeSpan.FromSeconds(0.6), schedule.FirstDelay(spread, TimeSpan.FromMinutes(5)));      // overdue (recovered): one fine step

        // Steady durations: just before the fastest recent one would finish.
        var steady = new ExpectedDuration(TimeSpan.FromSeconds(2.1), true, Fastest: TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(1.9), schedule.FirstDelay(steady, TimeSpan.Zero));

        // A model not seen yet: start polling after one interval instead of trusting the default guess.
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.FirstDelay(new ExpectedDuration(TimeSpan.FromSeconds(60), false), TimeSpan.Zero));
    }

    [Fact]
    public void The_fine_step_is_a_hundredth_of_the_expected_duration_between_10_ms_and_the_interval()
    {
        var schedule = new PollSchedule(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(20), schedule.FineStep(new ExpectedDuration(TimeSpan.FromSeconds(2), true)));
        Assert.Equal(PollSchedule.MinimumFineStep, schedule.FineStep(new ExpectedDuration(TimeSpan.FromMilliseconds(300), true)));
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.FineStep(new ExpectedDuration(TimeSpan.FromMinutes(6), true)));
        Assert.Equal(PollSchedule.MinimumFineStep, schedule.FirstDelay(new ExpectedDuration(TimeSpan.Zero, true), TimeSpan.Zero));
    }

    [Fact]
    public void After_an_early_miss_the_next_poll_lands_at_the_expected_end_and_backs_off_only_after_it()
    {
        var schedule = new PollSchedule(TimeSpan.FromSeconds(1));
        var veo = new ExpectedDuration(TimeSpan.FromSeconds(60), true);   // fine step 0.6 s
        Assert.Equal(TimeSpan.FromSeconds(12), schedule.NextDelay(veo, TimeSpan.FromSeconds(48), 1, null));
        Assert.Equal(TimeSpan.FromSeconds(0.6), schedule.NextDelay(veo, TimeSpan.FromSeconds(59.8), 2, null));   // within half a step of the end
        Assert.Equal(TimeSpan.FromSeconds(0.6), schedule.NextDelay(veo, TimeSpan.FromSeconds(60), 2, null));
        Assert.Equal(TimeSpan.FromSeconds(0.9), schedule.NextDelay(veo, TimeSpan.FromSeconds(60.6), 3, null));   // × 1.5
        Assert.Equal(TimeSpan.FromSeconds(1.35), schedule.NextDelay(veo, TimeSpan.FromSeconds(61.5), 4, null));  // × 1.5²
        Assert.Equal(TimeSpan.FromSeconds(15), schedule.NextDelay(veo, TimeSpan.FromMinutes(10), 50, null));     // capped at a quarter of the expected duration

        // A short generation's cap is the configured interval.
        var quick = new ExpectedDuration(TimeSpan.FromSeconds(1), true);
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.NextDelay(quick, TimeSpan.FromSeconds(30), 30, null));
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(5.0)]
    [InlineData(60.0)]
    public void A_steady_duration_is_learned_and_then_found_within_one_fine_step_with_at_most_three_polls(double seconds)
    {
        var schedule = new PollSchedule(TimeSpan.FromSeconds(1));
        var window = new DurationWindow(TimeSpan.FromSeconds(60));
        var length = TimeSpan.FromSeconds(seconds);
        // The first generations are polled as an unknown model (every second), which teaches a too-high duration at first.
        for (var generation = 0; generation < 300; generation++)
        {
            var expected = window.Expected("veo");
            var run = Simulate(schedule, expected, length);
            window.Observe("veo", run.Sample);
            if (generation >= 150)
            {
                Assert.InRange(run.Polls, 1, 3);
                Assert.InRange(run.Late, TimeSpan.Zero, schedule.FineStep(expected));
            }
        }

        var learned = window.Expected("veo").Duration;
        Assert.InRange(learned.TotalSeconds, seconds * 0.9, seconds * 1.05);
    }

    [Fact]
    public void Durations_that_vary_are_still_found_soon_after_they_end()
    {
        var schedule = new PollSchedule(TimeSpan.FromSeconds(1));
        var window = new DurationWindow(TimeSpan.FromSeconds(60));
        var random = new Random(3);
        var polls = 0;
        var late = TimeSpan.Zero;
        const int Generations = 300;
        for (var generation = 0; generation < Generations; generation++)
        {
            var run = Simulate(schedule, window.Expected("veo"), TimeSpan.FromSeconds(8 + (4 * random.NextDouble())));   // 8..12 s
            window.Observe("veo", run.Sample);
            polls += run.Polls;
            late += run.Late;
            Assert.True(run.Late <= TimeSpan.FromSeconds(3), $"found {run.Late} late");   // ≤ a quarter of the expected duration
        }

        Assert.True(polls / (double)Generations < 8, $"{polls / (double)Generations:0.0} polls per generation");
        Assert.True(late / Generations < TimeSpan.FromSeconds(1), $"found {late / Generations} late on average");
    }

    [Fact]
    public void A_generation_longer_than_expected_is_polled_less_and_less_often()
    {
        var schedule = new PollSchedule(TimeSpan.FromSeconds(1));
        var veo = new ExpectedDuration(TimeSpan.FromSeconds(10), true);
        var delays = new List<TimeSpan>();
        var t = schedule.FirstDelay(veo, TimeSpan.Zero);
        var misses = 0;
        while (t < TimeSpan.FromSeconds(120))
        {
            var delay = schedule.NextDelay(veo, t, ++misses, null);
            delays.Add(delay);
            t += delay;
        }

        Assert.Equal(TimeSpan.FromSeconds(0.5), delays[0]);   // 9.5 s (95% of the fastest) → 10 s
        var afterEnd = delays.Skip(1).ToList();
        Assert.Equal(TimeSpan.FromSeconds(0.1), afterEnd[0]);
        for (var i = 1; i < afterEnd.Count; i++)
        {
            Assert.True(afterEnd[i] >= afterEnd[i - 1], $"delay {i} shrank");
        }

        Assert.Equal(TimeSpan.FromSeconds(2.5), afterEnd[^1]);   // a quarter of the expected duration
        Assert.InRange(delays.Count, 10, 60);                    // 110 s of overrun: not hammered
    }

    [Fact]
    public void A_longer_delay_veo_asks_for_wins()
    {
        var schedule = new PollSchedule(TimeSpan.FromSeconds(1));
        var quick = new ExpectedDuration(TimeSpan.FromSeconds(4), true);
        Assert.Equal(TimeSpan.FromSeconds(5), schedule.NextDelay(quick, TimeSpan.FromSeconds(4), 1, TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromSeconds(0.8), schedule.NextDelay(quick, TimeSpan.FromSeconds(3.2), 1, TimeSpan.FromSeconds(0.5)));   // shorter: ours wins
        var guess = new ExpectedDuration(TimeSpan.FromSeconds(60), false);
        Assert.Equal(TimeSpan.FromSeconds(7), schedule.NextDelay(guess, TimeSpan.FromSeconds(1), 1, TimeSpan.FromSeconds(7)));
    }

    [Fact]
    public void A_model_not_observed_yet_is_polled_at_the_interval_ten_times_then_less_often()
    {
        var schedule = new PollSchedule(TimeSpan.FromSeconds(1));
        var guess = new ExpectedDuration(TimeSpan.FromSeconds(60), false);
        foreach (var elapsed in new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(59.9), TimeSpan.FromSeconds(61) })
        {
            Assert.Equal(TimeSpan.FromSeconds(1), schedule.NextDelay(guess, elapsed, 1, null));   // the guessed end does not matter
        }

        Assert.Equal(TimeSpan.FromSeconds(1), schedule.NextDelay(guess, TimeSpan.FromSeconds(10), PollSchedule.UnobservedSteadyPolls, null));
        Assert.Equal(TimeSpan.FromSeconds(1.5), schedule.NextDelay(guess, TimeSpan.FromSeconds(11), PollSchedule.UnobservedSteadyPolls + 1, null));
        Assert.Equal(TimeSpan.FromSeconds(15), schedule.NextDelay(guess, TimeSpan.FromSeconds(500), 100, null));
        Assert.Equal(PollSchedule.MinimumInterval, new PollSchedule(TimeSpan.FromMilliseconds(10)).FirstDelay(guess, TimeSpan.Zero));
    }

    [Fact]
    public void A_close_bracket_teaches_its_upper_end_and_a_wide_one_its_midpoint()
    {
        var schedule = new PollSchedule(TimeSpan.FromSeconds(1));
        var veo = new ExpectedDuration(TimeSpan.FromSeconds(2), true);   // fine step 20 ms
        Assert.Equal(TimeSpan.FromSeconds(2.03), schedule.ObservedDuration(veo, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.03)));
        Assert.Equal(TimeSpan.FromSeconds(2.04), schedule.ObservedDuration(veo, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.04)));
        Assert.Equal(TimeSpan.FromSeconds(1.8), schedule.ObservedDuration(veo, TimeSpan.FromSeconds(1.6), TimeSpan.FromSeconds(2)));
        Assert.Equal(TimeSpan.FromSeconds(0.8), schedule.ObservedDuration(veo, null, TimeSpan.FromSeconds(1.6)));   // no lower bound: (0, 1.6]
    }

    [Fact]
    public void A_model_that_became_much_faster_than_learned_is_relearned_within_a_few_waves()
    {
        // The engine learns a wave of generations at once: every sample of a wave lands in the window before the next.
        var schedule = new PollSchedule(TimeSpan.FromSeconds(1));
        var window = new DurationWindow(TimeSpan.FromSeconds(60));
        for (var i = 0; i < DurationWindow.DefaultSize; i++)
        {
            window.Observe("veo", TimeSpan.FromSeconds(1));
        }

        var length = TimeSpan.FromMilliseconds(20);
        var late = new List<TimeSpan>();
        for (var wave = 0; wave < 12; wave++)
        {
            var expected = window.Expected("veo");
            var runs = Enumerable.Range(0, DurationWindow.DefaultSize).Select(_ => Simulate(schedule, expected, length)).ToList();
            runs.ForEach(r => window.Observe("veo", r.Sample));
            late.Add(runs[0].Late);
        }

        Assert.True(late[0] > TimeSpan.FromMilliseconds(500), $"the first wave is found {late[0]} late");   // polled at 0.8 s
        Assert.True(late.Skip(8).All(l => l <= TimeSpan.FromMilliseconds(40)), $"still late after 8 waves: {string.Join(", ", late)}");
        Assert.True(late.Sum(l => l.TotalSeconds) < 2, $"found {late.Sum(l => l.TotalSeconds):0.00} s late over 12 waves");
    }

    /// <summary>One generation of a fixed length polled by the schedule (answers arrive at once).</summary>
    private static (int Polls, TimeSpan Late, TimeSpan Sample) Simulate(PollSchedule schedule, ExpectedDuration expected, TimeSpan length)
    {
        var t = schedule.FirstDelay(expected, TimeSpan.Zero);
        TimeSpan? lastRunning = null;
        var polls = 1;
        while (t < length)
        {
            lastRunning = t;
            t += schedule.NextDelay(expected, t, polls, null);
            polls++;
            Assert.True(polls < 1000, "the schedule never reached the end");
        }

        return (polls, t - length, schedule.ObservedDuration(expected, lastRunning, t));
    }

    [Fact]
    public void The_duration_window_averages_recent_generations_per_model()
    {
        var window = new DurationWindow(TimeSpan.FromSeconds(60), size: 3);
        Assert.Equal(new ExpectedDuration(TimeSpan.FromSeconds(60), false), window.Expected("veo"));
        window.Observe("veo", TimeSpan.FromSeconds(10));
        window.Observe("veo", TimeSpan.FromSeconds(20));
        Assert.Equal(new ExpectedDuration(TimeSpan.FromSeconds(15), true, Fastest: TimeSpan.FromSeconds(10)), window.Expected("veo"));
        window.Observe("veo", TimeSpan.FromSeconds(30));
        window.Observe("veo", TimeSpan.FromSeconds(40));   // pushes the 10 s out
        Assert.Equal(TimeSpan.FromSeconds(30), window.Expected("veo").Duration);
        Assert.Equal(TimeSpan.FromSeconds(20), window.Expected("veo").Fastest);
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
