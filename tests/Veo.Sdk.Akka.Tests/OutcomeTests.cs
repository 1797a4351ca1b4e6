using Veo.Sdk.Akka.Tests.Support;
using Veo.Sdk.Testing;
using static Veo.Sdk.Akka.Tests.Support.EngineTestExtensions;

namespace Veo.Sdk.Akka.Tests;

public sealed class OutcomeEngine : EngineFixture
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Generation:MaxConcurrency"] = "8";
        settings["Generation:SoftTimeLimitSeconds"] = "0.6";
        settings["Generation:HardTimeLimitSeconds"] = "3";
    }
}

/// <summary>How Veo's answers end a task: filtered, failed, refused, throttled, slow; and bad input.</summary>
public sealed class OutcomeTests(OutcomeEngine fixture) : IClassFixture<OutcomeEngine>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly IVideoGenerationService _service = fixture.Service;

    [Fact]
    public async Task Safety_filtering_fails_the_task_with_the_reasons_and_saves_nothing()
    {
        var task = await _service.SubmitAsync(Request("a crowd scene [sim:filtered]"));
        var final = await _service.FinalStatusAsync(task.TaskId, Timeout);
        Assert.Equal(VideoTaskState.Failure, final.State);
        var error = Assert.IsType<VideoTaskError>(final.Error);
        Assert.Equal(VideoTaskErrorCodes.SafetyFiltered, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Details!["reasons"]));
        Assert.Null(final.Result);
        Assert.Null(await fixture.Engine.Generations.GetByTaskIdAsync(task.TaskId));
        Assert.Null(await fixture.Engine.Videos.OpenReadAsync(task.TaskId + ".mp4"));
    }

    [Fact]
    public async Task An_operation_error_fails_the_task_naming_googles_code()
    {
        var task = await _service.SubmitAsync(Request("something [sim:error]"));
        var final = await _service.FinalStatusAsync(task.TaskId, Timeout);
        Assert.Equal(VideoTaskState.Failure, final.State);
        Assert.Equal(VideoTaskErrorCodes.VeoOperationFailed, final.Error!.Code);
        Assert.Equal("13", final.Error.Details!["operation_error_code"]);
    }

    [Fact]
    public async Task A_model_veo_does_not_serve_fails_the_task_as_model_unavailable_without_a_retry()
    {
        var before = fixture.Simulator.GetStats();
        var request = Request("a paper boat");
        var task = await _service.SubmitAsync(request with { Veo = request.Veo with { Model = "veo-9.9-generate-preview" } });
        var final = await _service.FinalStatusAsync(task.TaskId, Timeout);
        Assert.Equal(VideoTaskState.Failure, final.State);
        Assert.Equal(VideoTaskErrorCodes.ModelUnavailable, final.Error!.Code);
        Assert.Equal("veo-9.9-generate-preview", final.Error.Details!["model"]);
        Assert.Equal("404", final.Error.Details["http_status"]);
        Assert.Contains("veo-9.9-generate-preview", final.Error.Message, StringComparison.Ordinal);
        var after = fixture.Simulator.GetStats();
        Assert.Equal(before.StartRequests + 1, after.StartRequests);
        Assert.Equal(before.OperationsStarted, after.OperationsStarted);
    }

    [Fact]
    public async Task A_refused_start_fails_the_task_naming_the_http_status_and_error_code()
    {
        var before = fixture.Simulator.GetStats();
        var task = await _service.SubmitAsync(Request("something [sim:500]"));
        var final = await _service.FinalStatusAsync(task.TaskId, Timeout);
        Assert.Equal(VideoTaskState.Failure, final.State);
        Assert.Equal(VideoTaskErrorCodes.VeoRequestFailed, final.Error!.Code);
        Assert.Equal("500", final.Error.Details!["http_status"]);
        Assert.Equal("INTERNAL", final.Error.Details["error_code"]);
        Assert.Equal(before.OperationsStarted, fixture.Simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task A_failing_poll_is_retried_and_the_task_still_succeeds()
    {
        var task = await _service.SubmitAsync(Request("something [sim:poll503]"));
        var final = await _service.FinalStatusAsync(task.TaskId, Timeout);
        Assert.True(final.State == VideoTaskState.Success, $"{final.State}: {final.Error?.Code} {final.Error?.Message}");
    }

    [Fact]
    public async Task A_download_that_breaks_off_midway_is_fetched_again_and_the_saved_video_is_whole()
    {
        var task = await _service.SubmitAsync(Request("something [sim:brokendownload=2]"));
        var final = await _service.FinalStatusAsync(task.TaskId, Timeout);
        Assert.True(final.State == VideoTaskState.Success, $"{final.State}: {final.Error?.Code} {final.Error?.Message}");
        var row = await fixture.Engine.Generations.GetByTaskIdAsync(task.TaskId);
        Assert.Equal(row!.SizeBytes, final.Result!.SizeBytes);
        Assert.True(row.SizeBytes > 1000, $"only {row.SizeBytes} bytes saved");
    }

    [Fact]
    public async Task A_quota_refusal_sends_the_task_back_to_waiting_and_it_succeeds_later()
    {
        var before = fixture.Simulator.GetStats();

        // The client retries a 429 itself (Veo started nothing) up to Veo:MaxRetries (3) times; the fourth refusal reaches the engine.
        for (var i = 0; i < 4; i++)
        {
            fixture.Simulator.Enqueue(new SimulatedOutcome.HttpError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for generate requests", TimeSpan.FromMilliseconds(100)));
        }

        var task = await _service.SubmitAsync(Request("quota test"));
        var statuses = await _service.WatchToEndAsync(task.TaskId, Timeout);
        var final = statuses[^1];
        Assert.Equal(VideoTaskState.Success, final.State);
        Assert.Contains(final.Warnings, w => w.Contains("quota", StringComparison.OrdinalIgnoreCase));
        var after = fixture.Simulator.GetStats();
        Assert.Equal(before.OperationsStarted + 1, after.OperationsStarted);
        Assert.Equal(before.RejectedStarts + 4, after.RejectedStarts);
        Assert.Contains(statuses, s => s.State == VideoTaskState.Pending && s.StatusText.Contains("quota", StringComparison.OrdinalIgnoreCase));

        // Google's retry delays were honoured (4 × 0.1 s), then the generation ran (0.3 s).
        Assert.True(final.CompletedAt - final.CreatedAt >= TimeSpan.FromMilliseconds(400 + 300), $"took {(final.CompletedAt - final.CreatedAt)?.TotalSeconds} s");
    }

    [Fact]
    public async Task Passing_the_soft_limit_records_a_warning_and_the_task_goes_on()
    {
        var task = await _service.SubmitAsync(Request("slow but fine [sim:latency=1.0]"));
        var final = await _service.FinalStatusAsync(task.TaskId, Timeout);
        Assert.Equal(VideoTaskState.Success, final.State);
        Assert.Contains(final.Warnings, w => w.Contains("soft time limit of 0.6 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Passing_the_hard_limit_fails_the_task_with_time_limit_exceeded()
    {
        var task = await _service.SubmitAsync(Request("too slow [sim:latency=8]"));
        var final = await _service.FinalStatusAsync(task.TaskId, Timeout);
        Assert.Equal(VideoTaskState.Failure, final.State);
        Assert.Equal(VideoTaskErrorCodes.TimeLimitExceeded, final.Error!.Code);
        var elapsed = (final.CompletedAt - final.StartedAt)!.Value;
        Assert.InRange(elapsed.TotalSeconds, 3, 7);
        Assert.Contains(final.Warnings, w => w.Contains("soft", StringComparison.Ordinal));
        Assert.Null(await fixture.Engine.Generations.GetByTaskIdAsync(task.TaskId));
    }

    [Fact]
    public async Task Invalid_requests_are_refused_before_anything_is_stored()
    {
        await Assert.ThrowsAsync<VeoValidationException>(() => _service.SubmitAsync(Request("   ")));
        await Assert.ThrowsAsync<ArgumentException>(() => _service.SubmitAsync(Request("fine", taskId: "not/allowed")));
        await Assert.ThrowsAsync<ArgumentException>(() => _service.SubmitAsync(Request("fine") with { Priority = (TaskPriority)9 }));
        var bad = Request("fine") with { Veo = Request("fine").Veo with { DurationSeconds = 5 } };
        var ex = await Assert.ThrowsAsync<VeoValidationException>(() => _service.SubmitAsync(bad));
        Assert.Contains("5", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentNullException>(() => _service.SubmitAsync(null!));
    }

    [Fact]
    public async Task Submitting_an_existing_id_returns_that_task_and_starts_nothing_new()
    {
        var before = fixture.Simulator.GetStats();
        var id = "idempotent-" + Guid.NewGuid().ToString("N");
        var first = await _service.SubmitAsync(Request("once", taskId: id));
        var second = await _service.SubmitAsync(Request("once", taskId: id));
        Assert.Equal(id, first.TaskId);
        Assert.False(first.AlreadyExisted);
        Assert.True(second.AlreadyExisted);
        await _service.FinalStatusAsync(id, Timeout);
        Assert.Equal(before.OperationsStarted + 1, fixture.Simulator.GetStats().OperationsStarted);
    }
}
