using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Veo.Sdk.Akka.Hosting;
using Veo.Sdk.Akka.Tests.Support;
using Veo.Sdk.Testing;
using static Veo.Sdk.Akka.Tests.Support.EngineTestExtensions;

namespace Veo.Sdk.Akka.Tests;

/// <summary>A watch through an interruption: told once that the task cannot be reached, then its statuses again.</summary>
public sealed class WatchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_watch_is_told_when_its_task_stops_answering_and_goes_on_with_the_current_status_when_it_comes_back()
    {
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromSeconds(3) });
        await using var engine = await TestEngine.StartAsync(TestEngine.Settings(simulator.BaseUrl, folder.Path), output);
        var system = engine.Host.Services.GetRequiredService<ActorSystem>();
        var task = await engine.Service.SubmitAsync(Request("watched through an interruption"));

        var events = new List<VideoTaskWatchEvent>();
        var generating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watching = Task.Run(async () =>
        {
            await foreach (var watched in engine.Service.WatchEventsAsync(task.TaskId, timeout.Token))
            {
                lock (events)
                {
                    events.Add(watched);
                }

                if (watched is VideoTaskStatusEvent { Status.State: VideoTaskState.Progress })
                {
                    generating.TrySetResult();
                }
            }
        });

        // act: the task's actor stops while its generation runs at Veo (as when its node is lost or its shard moves)
        await generating.Task.WaitAsync(timeout.Token);
        var entity = await system.ActorSelection($"/system/sharding/{VeoGenerationHostingExtensions.ShardRegionName}/*/{task.TaskId}").ResolveOne(TimeSpan.FromSeconds(5));
        entity.Tell(PoisonPill.Instance);
        await watching;

        // assert: told once, then the current status (the task came back on its own and resumed the same operation)
        var seen = events.ToList();
        output.WriteLine(string.Join(Environment.NewLine, seen.Select(e => e switch
        {
            VideoTaskStatusEvent s => $"status v{s.Status.Version} {s.Status.State} {s.Status.StatusText}",
            VideoTaskUnreachableEvent u => $"unreachable: {u.Reason}",
            _ => e.ToString(),
        })));
        var told = Assert.Single(seen.OfType<VideoTaskUnreachableEvent>());
        Assert.Equal(task.TaskId, told.TaskId);
        var afterTold = seen.SkipWhile(e => e is not VideoTaskUnreachableEvent).Skip(1).ToList();
        Assert.NotEmpty(afterTold);
        Assert.All(afterTold, e => Assert.IsType<VideoTaskStatusEvent>(e));
        Assert.Equal(VideoTaskState.Success, ((VideoTaskStatusEvent)seen[^1]).Status.State);
        Assert.Equal(1, simulator.GetStats().OperationsStarted);

        // A plain status watch of the same kind of run sees statuses only.
        var plain = await engine.Service.SubmitAsync(Request("watched plainly"));
        var statuses = new List<VideoTaskStatus>();
        await foreach (var status in engine.Service.WatchAsync(plain.TaskId, timeout.Token))
        {
            statuses.Add(status);
        }

        Assert.Equal(VideoTaskState.Success, statuses[^1].State);
    }
}
