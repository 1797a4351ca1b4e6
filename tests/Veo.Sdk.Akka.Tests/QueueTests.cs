using Veo.Sdk.Akka.Tests.Support;
using static Veo.Sdk.Akka.Tests.Support.EngineTestExtensions;

namespace Veo.Sdk.Akka.Tests;

public sealed class SingleSlotEngine : EngineFixture
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["Generation:MaxConcurrency"] = "1";
}

/// <summary>Waiting: priority lanes, queue positions, cancelling waiting and running tasks.</summary>
public sealed class QueueTests(SingleSlotEngine fixture) : IClassFixture<SingleSlotEngine>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly IVideoGenerationService _service = fixture.Service;

    private async Task<string> StartBlockerAsync(double seconds)
    {
        var blocker = await _service.SubmitAsync(Request($"blocker [sim:latency={Seconds(seconds)}]"));
        await Eventually(async () => (await _service.GetStatusAsync(blocker.TaskId))?.Stage == VideoTaskStage.Generating, Timeout, "the blocker is generating");
        return blocker.TaskId;
    }

    [Fact]
    public async Task Waiting_tasks_start_high_lane_first_then_in_submission_order()
    {
        var blocker = await StartBlockerAsync(1.0);
        var submitted = new List<(string Name, string Id)>();
        foreach (var (name, priority) in new[] { ("low1", TaskPriority.Low), ("normal1", TaskPriority.Normal), ("high1", TaskPriority.High), ("low2", TaskPriority.Low), ("high2", TaskPriority.High), ("normal2", TaskPriority.Normal) })
        {
            submitted.Add((name, (await _service.SubmitAsync(Request($"{name} [sim:latency=0.1]", priority))).TaskId));
        }

        await _service.FinalStatusAsync(blocker, Timeout);
        var finals = new List<(string Name, VideoTaskStatus Status)>();
        foreach (var (name, id) in submitted)
        {
            finals.Add((name, await _service.FinalStatusAsync(id, Timeout)));
        }

        Assert.All(finals, f => Assert.Equal(VideoTaskState.Success, f.Status.State));
        var startOrder = finals.OrderBy(f => f.Status.StartedAt).Select(f => f.Name);
        Assert.Equal(["high1", "high2", "normal1", "normal2", "low1", "low2"], startOrder);
    }

    [Fact]
    public async Task Waiting_tasks_report_their_queue_position_and_cancelled_ones_never_reach_veo()
    {
        var before = fixture.Simulator.GetStats();
        var blocker = await StartBlockerAsync(1.5);
        var waiting = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            waiting.Add((await _service.SubmitAsync(Request($"waiting {i}"))).TaskId);
        }

        var statuses = new List<VideoTaskStatus>();
        foreach (var id in waiting)
        {
            statuses.Add((await _service.GetStatusAsync(id))!);
        }

        Assert.All(statuses, s => Assert.Equal((VideoTaskState.Pending, VideoTaskStage.Queued), (s.State, s.Stage)));
        Assert.Equal([1, 2, 3], statuses.Select(s => s.QueuePosition));
        Assert.Equal("Waiting in queue (position 2 of 3)", statuses[1].StatusText);
        Assert.True(statuses[0].EstimatedTimeLeft < statuses[2].EstimatedTimeLeft);

        // Watching a waiting task shows its place; cancelling the first one moves the others up.
        Assert.Equal(CancelOutcome.RemovedFromQueue, await _service.CancelAsync(waiting[0]));
        await Eventually(async () => (await _service.GetStatusAsync(waiting[2]))?.QueuePosition == 2, Timeout, "the last task moved up");
        Assert.Equal(CancelOutcome.RemovedFromQueue, await _service.CancelAsync(waiting[1]));
        Assert.Equal(CancelOutcome.RemovedFromQueue, await _service.CancelAsync(waiting[2]));
        Assert.Equal(CancelOutcome.AlreadyEnded, await _service.CancelAsync(waiting[2]));

        var removed = await _service.FinalStatusAsync(waiting[0], Timeout);
        Assert.Equal(VideoTaskState.Revoked, removed.State);
        Assert.Null(removed.StartedAt);
        await _service.FinalStatusAsync(blocker, Timeout);

        // Only the blocker ever reached Veo.
        Assert.Equal(before.OperationsStarted + 1, fixture.Simulator.GetStats().OperationsStarted);
        Assert.Equal(before.StartRequests + 1, fixture.Simulator.GetStats().StartRequests);
    }

    [Fact]
    public async Task A_running_task_is_revoked_at_once_and_its_result_discarded_when_veo_finishes()
    {
        var before = fixture.Simulator.GetStats();
        var task = await _service.SubmitAsync(Request("changed my mind [sim:latency=1.0]"));
        await Eventually(async () => (await _service.GetStatusAsync(task.TaskId))?.Stage == VideoTaskStage.Generating, Timeout, "the task is generating");
        var next = await _service.SubmitAsync(Request("next in line [sim:latency=0.1]"));

        Assert.Equal(CancelOutcome.RevokedWhileRunning, await _service.CancelAsync(task.TaskId));
        var revoked = await _service.GetStatusAsync(task.TaskId);
        Assert.Equal(VideoTaskState.Revoked, revoked!.State);
        Assert.Contains("bill", revoked.StatusText, StringComparison.Ordinal);

        // The revoked generation keeps its slot until Veo is done with it, so the next task starts only after that.
        var nextFinal = await _service.FinalStatusAsync(next.TaskId, Timeout);
        Assert.Equal(VideoTaskState.Success, nextFinal.State);
        Assert.True(nextFinal.StartedAt >= revoked.StartedAt!.Value.AddSeconds(1), "the next task started before Veo finished the revoked one");

        Assert.Equal(VideoTaskState.Revoked, (await _service.GetStatusAsync(task.TaskId))!.State);
        Assert.Null(await fixture.Engine.Generations.GetByTaskIdAsync(task.TaskId));
        Assert.Null(await fixture.Engine.Videos.OpenReadAsync(task.TaskId + ".mp4"));
        var after = fixture.Simulator.GetStats();
        Assert.Equal(before.OperationsStarted + 2, after.OperationsStarted);
        Assert.Equal(before.Downloads + 1, after.Downloads);   // only the next task's video
        Assert.Equal(CancelOutcome.AlreadyEnded, await _service.CancelAsync(task.TaskId));
    }
}
