using Veo.Sdk.Akka.Generation;
using static Veo.Sdk.Akka.Generation.VideoTaskEvents;

namespace Veo.Sdk.Akka.Tests;

/// <summary>The task's pure rules: (state, input, now) → events + reply, and the fold of events into state.</summary>
public sealed class DecisionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly VideoTaskId Id = VideoTaskId.Parse("task-1");
    private static readonly DecisionRules Rules = new(
        SoftTimeLimit: TimeSpan.FromSeconds(840),
        HardTimeLimit: TimeSpan.FromSeconds(900),
        QueueTimeLimit: TimeSpan.FromSeconds(60),
        DefaultQuotaRetryDelay: TimeSpan.FromSeconds(5),
        RestartIndeterminateStarts: false);

    private static VideoGenerationRequest Request => new()
    {
        Veo = new GenerateVideoRequest { Model = VeoModels.Veo31, Prompt = "a lighthouse at dusk" },
        Priority = TaskPriority.High,
    };

    private static VideoTask Fold(params IVideoTaskEvent[] events) => events.Aggregate(VideoTask.Empty(Id), (s, e) => s.Apply(e));

    private static VideoTask Waiting => Fold(new Submitted(Id, Request with { TaskId = Id.Value }, T0));

    private static VideoTask Starting => Waiting.Apply(new StartRequested(Id, 1, false, T0.AddSeconds(1)));

    private static VideoTask Running => Starting.Apply(new Started(Id, "models/veo/operations/op1", T0.AddSeconds(2)));

    private static IVideoTaskEvent Single(Decision decision) => Assert.Single(decision.Events);

    [Fact]
    public void Admission_stores_Submitted_with_the_task_id_and_the_task_waits()
    {
        var decision = VideoTask.Empty(Id).Decide(new TaskFacts.Admitted(Request), T0, Rules);
        var submitted = Assert.IsType<Submitted>(Single(decision));
        Assert.Equal("task-1", submitted.Request.TaskId);
        Assert.Equal(T0, submitted.At);

        var state = VideoTask.Empty(Id).Apply(submitted);
        Assert.Equal(TaskPhase.Waiting, state.Phase);
        Assert.Equal(TaskPriority.High, state.Priority);
        Assert.Equal(T0, state.SubmittedAt);
        Assert.Equal(VeoModels.Veo31, state.Model);

        // Admitting an existing task changes nothing.
        Assert.Empty(state.Decide(new TaskFacts.Admitted(Request), T0, Rules).Events);
    }

    [Fact]
    public void Cancel_removes_a_waiting_task_revokes_a_running_one_and_leaves_ended_or_unknown_ones_alone()
    {
        var waiting = Waiting.Decide(new VideoTaskCommands.Cancel(Id), T0);
        Assert.False(Assert.IsType<Revoked>(Single(waiting)).WhileRunning);
        Assert.Equal(CancelOutcome.RemovedFromQueue, Assert.IsType<VideoTaskReplies.CancelReply>(waiting.Reply).Outcome);

        foreach (var state in new[] { Starting, Running })
        {
            var running = state.Decide(new VideoTaskCommands.Cancel(Id), T0);
            Assert.True(Assert.IsType<Revoked>(Single(running)).WhileRunning);
            Assert.Equal(CancelOutcome.RevokedWhileRunning, Assert.IsType<VideoTaskReplies.CancelReply>(running.Reply).Outcome);
        }

        var revoked = Running.Apply(new Revoked(Id, true, T0));
        var ended = revoked.Decide(new VideoTaskCommands.Cancel(Id), T0);
        Assert.Empty(ended.Events);
        Assert.Equal(CancelOutcome.AlreadyEnded, Assert.IsType<VideoTaskReplies.CancelReply>(ended.Reply).Outcome);

        var unknown = VideoTask.Empty(Id).Decide(new VideoTaskCommands.Cancel(Id), T0);
        Assert.Empty(unknown.Events);
        Assert.Equal(CancelOutcome.NotFound, Assert.IsType<VideoTaskReplies.CancelReply>(unknown.Reply).Outcome);
    }

    [Fact]
    public void The_start_intent_is_stored_when_a_slot_is_granted_then_the_operation_name()
    {
        var intent = Assert.IsType<StartRequested>(Single(Waiting.Decide(new TaskFacts.SlotGranted(), T0, Rules)));
        Assert.Equal(1, intent.Attempt);
        Assert.False(intent.AfterIndeterminateStart);

        var started = Assert.IsType<Started>(Single(Starting.Decide(new TaskFacts.StartAccepted("models/veo/operations/op1"), T0, Rules)));
        var state = Starting.Apply(started);
        Assert.Equal(TaskPhase.Running, state.Phase);
        Assert.Equal("models/veo/operations/op1", state.OperationName);

        // A grant that arrives after the task was revoked starts nothing.
        Assert.Empty(Waiting.Apply(new Revoked(Id, false, T0)).Decide(new TaskFacts.SlotGranted(), T0, Rules).Events);
    }

    [Fact]
    public void A_start_answer_after_a_revoke_is_still_recorded_but_the_task_stays_revoked()
    {
        var revoked = Starting.Apply(new Revoked(Id, true, T0.AddSeconds(3)));
        var started = Assert.IsType<Started>(Single(revoked.Decide(new TaskFacts.StartAccepted("models/veo/operations/late"), T0, Rules)));
        var state = revoked.Apply(started);
        Assert.Equal(TaskPhase.Revoked, state.Phase);
        Assert.Equal("models/veo/operations/late", state.OperationName);
    }

    [Fact]
    public void A_quota_refusal_sends_the_task_back_to_waiting_until_googles_retry_time()
    {
        var withDelay = Starting.Decide(new TaskFacts.StartRejected(429, "RESOURCE_EXHAUSTED", "quota", TimeSpan.FromSeconds(7), true), T0, Rules);
        var deferred = Assert.IsType<QuotaDeferred>(Single(withDelay));
        Assert.Equal(T0.AddSeconds(7), deferred.RetryAt);

        var withoutDelay = Assert.IsType<QuotaDeferred>(Single(Starting.Decide(new TaskFacts.StartRejected(429, null, "quota", null, true), T0, Rules)));
        Assert.Equal(T0 + Rules.DefaultQuotaRetryDelay, withoutDelay.RetryAt);

        var state = Starting.Apply(deferred);
        Assert.Equal(TaskPhase.Waiting, state.Phase);
        Assert.Equal(1, state.QuotaDeferrals);
        Assert.Equal(T0.AddSeconds(7), state.RetryNotBefore);

        // The next grant is a second attempt, not an indeterminate restart, and clears the retry time.
        var second = Assert.IsType<StartRequested>(Single(state.Decide(new TaskFacts.SlotGranted(), T0.AddSeconds(8), Rules)));
        Assert.Equal(2, second.Attempt);
        Assert.False(second.AfterIndeterminateStart);
        Assert.Null(state.Apply(second).RetryNotBefore);
    }

    [Fact]
    public void A_start_refused_for_an_unavailable_model_fails_the_task_naming_the_model()
    {
        var failed = Assert.IsType<Failed>(Single(Starting.Decide(new TaskFacts.StartRejected(404, "NOT_FOUND", "gone", null, false, VeoModels.Veo30), T0, Rules)));
        Assert.Equal(VideoTaskErrorCodes.ModelUnavailable, failed.Error.Code);
        Assert.Equal(VeoModels.Veo30, failed.Error.Details!["model"]);
        Assert.Equal("404", failed.Error.Details["http_status"]);
        Assert.Equal("NOT_FOUND", failed.Error.Details["error_code"]);
    }

    [Fact]
    public void Other_start_refusals_fail_the_task_naming_the_http_status_and_googles_code()
    {
        var failed = Assert.IsType<Failed>(Single(Starting.Decide(new TaskFacts.StartRejected(500, "INTERNAL", "boom", null, false), T0, Rules)));
        Assert.Equal(VideoTaskErrorCodes.VeoRequestFailed, failed.Error.Code);
        Assert.Equal("500", failed.Error.Details!["http_status"]);
        Assert.Equal("INTERNAL", failed.Error.Details["error_code"]);
        Assert.Equal("start", failed.Error.Details["during"]);
        Assert.Contains("boom", failed.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Veo_outcomes_map_to_named_failures()
    {
        var filtered = Assert.IsType<Failed>(Single(Running.Decide(new TaskFacts.GenerationFiltered(1, ["celebrity likeness", "code 58061214"]), T0, Rules)));
        Assert.Equal(VideoTaskErrorCodes.SafetyFiltered, filtered.Error.Code);
        Assert.Equal("celebrity likeness | code 58061214", filtered.Error.Details!["reasons"]);
        Assert.Contains("celebrity likeness", filtered.Error.Message, StringComparison.Ordinal);

        var failed = Assert.IsType<Failed>(Single(Running.Decide(new TaskFacts.GenerationFailed(13, "internal error"), T0, Rules)));
        Assert.Equal(VideoTaskErrorCodes.VeoOperationFailed, failed.Error.Code);
        Assert.Equal("13", failed.Error.Details!["operation_error_code"]);

        var polls = Assert.IsType<Failed>(Single(Running.Decide(new TaskFacts.PollingGaveUp(503, "UNAVAILABLE", "down", 20), T0, Rules)));
        Assert.Equal(VideoTaskErrorCodes.VeoRequestFailed, polls.Error.Code);
        Assert.Equal("poll", polls.Error.Details!["during"]);

        Assert.Equal(VideoTaskErrorCodes.DownloadFailed, Assert.IsType<Failed>(Single(Running.Decide(new TaskFacts.DownloadGaveUp("gone"), T0, Rules))).Error.Code);
        Assert.Equal(VideoTaskErrorCodes.StorageFailed, Assert.IsType<Failed>(Single(Running.Decide(new TaskFacts.StorageGaveUp("disk full"), T0, Rules))).Error.Code);
    }

    [Fact]
    public void Saving_the_generation_ends_the_task_in_success_with_the_stored_row()
    {
        var succeeded = Assert.IsType<Succeeded>(Single(Running.Decide(new TaskFacts.GenerationSaved(42, "task-1.mp4", 1234, 3.5), T0.AddSeconds(5), Rules)));
        var state = Running.Apply(succeeded);
        Assert.Equal(TaskPhase.Succeeded, state.Phase);
        Assert.Equal(42, state.GenerationId);
        Assert.Equal("task-1.mp4", state.VideoLocation);
        Assert.Equal(1234, state.SizeBytes);
        Assert.Equal(3.5, state.GenerationTimeSeconds);
        Assert.Equal(T0.AddSeconds(5), state.CompletedAt);
        Assert.True(state.HasEnded);

        // A save that completes after a revoke is not turned into a success.
        Assert.Empty(Running.Apply(new Revoked(Id, true, T0)).Decide(new TaskFacts.GenerationSaved(42, "x", 1, 1), T0, Rules).Events);
    }

    [Fact]
    public void The_soft_limit_is_a_warning_recorded_once_and_the_hard_limit_a_failure()
    {
        var soft = Assert.IsType<SoftLimitPassed>(Single(Running.Decide(new TaskFacts.SoftLimitReached(), T0, Rules)));
        var state = Running.Apply(soft);
        Assert.Equal(TaskPhase.Running, state.Phase);
        Assert.Equal(840, state.SoftLimitPassedSeconds);
        Assert.Empty(state.Decide(new TaskFacts.SoftLimitReached(), T0, Rules).Events);

        var hard = Assert.IsType<Failed>(Single(state.Decide(new TaskFacts.HardLimitReached(), T0, Rules)));
        Assert.Equal(VideoTaskErrorCodes.TimeLimitExceeded, hard.Error.Code);
        Assert.Empty(Waiting.Decide(new TaskFacts.HardLimitReached(), T0, Rules).Events);
    }

    [Fact]
    public void The_queue_time_limit_applies_only_before_the_first_start()
    {
        var failed = Assert.IsType<Failed>(Single(Waiting.Decide(new TaskFacts.QueueLimitReached(), T0, Rules)));
        Assert.Equal(VideoTaskErrorCodes.QueueTimeLimitExceeded, failed.Error.Code);

        var deferred = Starting.Apply(new QuotaDeferred(Id, T0.AddSeconds(9), 429, "RESOURCE_EXHAUSTED", "quota", T0));
        Assert.Empty(deferred.Decide(new TaskFacts.QueueLimitReached(), T0, Rules).Events);
        Assert.Empty(Waiting.Decide(new TaskFacts.QueueLimitReached(), T0, Rules with { QueueTimeLimit = null }).Events);
    }

    [Fact]
    public void A_task_recovered_inside_its_start_call_fails_as_indeterminate_unless_restarts_are_allowed()
    {
        var failed = Assert.IsType<Failed>(Single(Starting.Decide(new TaskFacts.RecoveredInsideStart(), T0, Rules)));
        Assert.Equal(VideoTaskErrorCodes.IndeterminateStart, failed.Error.Code);
        Assert.Contains("RestartIndeterminateStarts", failed.Error.Message, StringComparison.Ordinal);

        var lenient = Rules with { RestartIndeterminateStarts = true };
        Assert.Empty(Starting.Decide(new TaskFacts.RecoveredInsideStart(), T0, lenient).Events);
        var again = Assert.IsType<StartRequested>(Single(Starting.Decide(new TaskFacts.SlotGranted(), T0, lenient)));
        Assert.True(again.AfterIndeterminateStart);
        Assert.Equal(2, again.Attempt);
        Assert.True(Starting.Apply(again).RestartedAfterIndeterminateStart);

        // Only a task inside its start call is indeterminate.
        Assert.Empty(Running.Decide(new TaskFacts.RecoveredInsideStart(), T0, Rules).Events);
    }

    [Fact]
    public void Facts_that_do_not_fit_the_phase_change_nothing()
    {
        Assert.Empty(Waiting.Decide(new TaskFacts.StartAccepted("op"), T0, Rules).Events);
        Assert.Empty(Waiting.Decide(new TaskFacts.GenerationFiltered(1, []), T0, Rules).Events);
        Assert.Empty(Running.Decide(new TaskFacts.StartRejected(429, null, "x", null, true), T0, Rules).Events);
        Assert.Empty(VideoTask.Empty(Id).Decide(new TaskFacts.SlotGranted(), T0, Rules).Events);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/inside")]
    [InlineData("dots..")]
    public void Task_ids_are_checked(string id)
    {
        Assert.False(VideoTaskId.TryParse(id, out _, out var error));
        Assert.NotNull(error);
        Assert.Throws<ArgumentException>(() => VideoTaskId.Parse(id));
        Assert.False(VideoTaskId.TryParse(new string('a', 101), out _, out _));
        Assert.True(VideoTaskId.TryParse("Abc_123-xyz", out var ok, out _));
        Assert.Equal("Abc_123-xyz", ok.Value);
    }
}
