using Veo.Sdk.Akka.Storage;
using Veo.Sdk.Akka.Tests.Support;
using Veo.Sdk.Testing;
using static Veo.Sdk.Akka.Tests.Support.EngineTestExtensions;

namespace Veo.Sdk.Akka.Tests;

/// <summary>One task's whole life against the simulator over loopback and a real SQLite file.</summary>
public sealed class EndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_task_is_generated_downloaded_recorded_and_reported_as_success()
    {
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(800) });
        await using var engine = await TestEngine.StartAsync(TestEngine.Settings(simulator.BaseUrl, folder.Path), output);

        var submitted = await engine.Service.SubmitAsync(Request("a red fox running through snow", adId: 123));
        Assert.False(submitted.AlreadyExisted);
        Assert.True(submitted.EstimatedTimeSeconds > 0);

        var statuses = await engine.Service.WatchToEndAsync(submitted.TaskId, TimeSpan.FromSeconds(30));
        var final = statuses[^1];
        Assert.Equal(VideoTaskState.Success, final.State);
        Assert.Equal(VideoTaskStage.Done, final.Stage);
        Assert.Equal(100, final.Progress);

        // Progress only rises, stays below 100 until success, and is labelled as estimated while running.
        var running = statuses.Where(s => !s.IsFinal).ToList();
        Assert.All(running, s => Assert.InRange(s.Progress, 0, 99));
        Assert.Equal(running.Select(s => s.Progress).Order(), running.Select(s => s.Progress));
        Assert.All(running.Where(s => s.State == VideoTaskState.Progress), s => Assert.True(s.ProgressIsEstimated));
        Assert.Equal(statuses.Select(s => s.Version).Distinct().Count(), statuses.Count);
        Assert.Equal(statuses.Select(s => s.Version).Order(), statuses.Select(s => s.Version));

        var result = Assert.IsType<VideoTaskResult>(final.Result);
        Assert.True(result.GenerationId > 0);
        Assert.Equal(submitted.TaskId + ".mp4", result.VideoLocation);
        Assert.StartsWith("projects/engine-tests/locations/us-central1/publishers/google/models/", result.OperationName);
        Assert.Equal("a red fox running through snow", result.Request.Veo.Prompt);
        Assert.Equal($"gs://engine-tests/videos/{submitted.TaskId}/", result.Request.Veo.StorageUri);   // chosen at submit, journaled with the request
        Assert.True(result.GenerationTimeSeconds >= 0.8, $"generation time {result.GenerationTimeSeconds}");

        // The video is in the store, whole.
        await using (var video = await engine.Videos.OpenReadAsync(result.VideoLocation))
        {
            Assert.NotNull(video);
            Assert.Equal(result.SizeBytes, video.Length);
            Assert.True(video.Length > 1000);
        }

        // The generation row is written once, with the request's facts.
        var row = Assert.IsType<GenerationRecord>(await engine.Generations.GetByTaskIdAsync(submitted.TaskId));
        Assert.Equal(result.GenerationId, row.GenerationId);
        Assert.Equal(123, row.AdId);
        Assert.Equal("veo_3_1_t2v_fast_portrait", row.ModelKey);
        Assert.Equal(VeoModels.Veo31Fast, row.Model);
        Assert.Equal(9831, row.Seed);
        Assert.Equal("9:16", row.AspectRatio);
        Assert.Equal(result.SizeBytes, row.SizeBytes);
        Assert.Equal(result.OperationName, row.OperationName);
        Assert.Equal([row], await engine.Generations.ListByAdAsync(123));

        var stats = simulator.GetStats();
        Assert.Equal(1, stats.OperationsStarted);
        Assert.Equal(1, stats.Downloads);

        // After the entity passivated, the status is served from the journal.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var later = await engine.Service.GetStatusAsync(submitted.TaskId);
        Assert.NotNull(later);
        Assert.Equal(VideoTaskState.Success, later.State);
        Assert.Equal(result.GenerationId, later.Result?.GenerationId);
        Assert.Equal(final.Version, later.Version);

        // Submitting the same id again changes nothing.
        var again = await engine.Service.SubmitAsync(Request("a red fox running through snow", taskId: submitted.TaskId, adId: 123));
        Assert.True(again.AlreadyExisted);
        Assert.Equal(1, simulator.GetStats().OperationsStarted);

        // The same id with a different request is a reused key, refused without touching the task.
        var conflict = await Assert.ThrowsAsync<TaskIdConflictException>(() => engine.Service.SubmitAsync(Request("a blue fox running through snow", taskId: submitted.TaskId)));
        Assert.Equal(submitted.TaskId, conflict.TaskId);
        await Assert.ThrowsAsync<TaskIdConflictException>(() => engine.Service.SubmitAsync(Request("a red fox running through snow", TaskPriority.High, taskId: submitted.TaskId, adId: 123)));
        Assert.Equal(final.Version, (await engine.Service.GetStatusAsync(submitted.TaskId))!.Version);
        Assert.Equal(1, simulator.GetStats().OperationsStarted);
        Assert.Equal(CancelOutcome.AlreadyEnded, await engine.Service.CancelAsync(submitted.TaskId));
    }

    [Fact]
    public async Task Unknown_tasks_are_not_found_and_nothing_is_stored_for_them()
    {
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync();
        await using var engine = await TestEngine.StartAsync(TestEngine.Settings(simulator.BaseUrl, folder.Path), output);

        Assert.Null(await engine.Service.GetStatusAsync("no-such-task"));
        Assert.Equal(CancelOutcome.NotFound, await engine.Service.CancelAsync("no-such-task"));
        Assert.Empty(await engine.Service.WatchToEndAsync("no-such-task", TimeSpan.FromSeconds(10)));
        Assert.Null(await engine.Service.GetStatusAsync("not a valid id!"));
        Assert.Null(await engine.Service.GetStatusAsync("no-such-task"));
    }
}
