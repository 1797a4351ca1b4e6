using Veo.Sdk.Akka.Tests.Support;
using static Veo.Sdk.Akka.Tests.Support.EngineTestExtensions;

namespace Veo.Sdk.Akka.Tests;

public sealed class ShortQueueEngine : EngineFixture
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Generation:MaxConcurrency"] = "1";
        settings["Generation:MaxQueueLength"] = "1";
        settings["Generation:QueueTimeLimitSeconds"] = "0.8";
    }
}

/// <summary>A bounded queue: refusing new work when full, and failing tasks that wait too long.</summary>
public sealed class AdmissionTests(ShortQueueEngine fixture) : IClassFixture<ShortQueueEngine>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly IVideoGenerationService _service = fixture.Service;

    [Fact]
    public async Task A_full_queue_refuses_new_tasks_and_stores_nothing_and_a_long_wait_fails_the_task()
    {
        var before = fixture.Simulator.GetStats();
        var blocker = await _service.SubmitAsync(Request("blocker [sim:latency=2]"));
        await Eventually(async () => (await _service.GetStatusAsync(blocker.TaskId))?.Stage == VideoTaskStage.Generating, Timeout, "the blocker is generating");
        var waiting = await _service.SubmitAsync(Request("waits too long"));

        var refusedId = "refused-" + Guid.NewGuid().ToString("N");
        var full = await Assert.ThrowsAsync<GenerationQueueFullException>(() => _service.SubmitAsync(Request("no room", taskId: refusedId)));
        Assert.Equal(1, full.MaxQueueLength);
        Assert.True(full.RetryAfter > TimeSpan.Zero);
        Assert.Contains("queue is full", full.Message, StringComparison.Ordinal);
        Assert.Null(await _service.GetStatusAsync(refusedId));

        var failed = await _service.FinalStatusAsync(waiting.TaskId, Timeout);
        Assert.Equal(VideoTaskState.Failure, failed.State);
        Assert.Equal(VideoTaskErrorCodes.QueueTimeLimitExceeded, failed.Error!.Code);
        Assert.Null(failed.StartedAt);

        Assert.Equal(VideoTaskState.Success, (await _service.FinalStatusAsync(blocker.TaskId, Timeout)).State);
        Assert.Equal(before.OperationsStarted + 1, fixture.Simulator.GetStats().OperationsStarted);

        // Room again: the same id can now be submitted.
        var later = await _service.SubmitAsync(Request("room now [sim:latency=0.1]", taskId: refusedId));
        Assert.False(later.AlreadyExisted);
        Assert.Equal(VideoTaskState.Success, (await _service.FinalStatusAsync(refusedId, Timeout)).State);
    }
}
