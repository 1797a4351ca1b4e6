using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using Veo.Sdk.Akka.Tests.Support;
using Veo.Sdk.Testing;
using static Veo.Sdk.Akka.Tests.Support.EngineTestExtensions;

namespace Veo.Sdk.Akka.Tests;

/// <summary>Bounded parallelism at Veo and behaviour under Veo's quota, measured by the simulator.</summary>
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task N_tasks_never_run_more_than_C_at_once_and_finish_in_about_N_over_C_waves()
    {
        const int N = 12, C = 3;
        var latency = TimeSpan.FromSeconds(1);
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = latency });
        var settings = TestEngine.Settings(simulator.BaseUrl, folder.Path);
        settings["Generation:MaxConcurrency"] = C.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var engine = await TestEngine.StartAsync(settings, output);

        var clock = Stopwatch.StartNew();
        var ids = await Task.WhenAll(Enumerable.Range(0, N).Select(async i => (await engine.Service.SubmitAsync(Request($"wave task {i}"))).TaskId));
        var finals = await Task.WhenAll(ids.Select(id => engine.Service.FinalStatusAsync(id, TimeSpan.FromSeconds(60))));
        clock.Stop();

        foreach (var f in finals.OrderBy(f => f.StartedAt))
        {
            output.WriteLine($"{f.TaskId[..6]}: submitted {f.CreatedAt:HH:mm:ss.fff}, left the queue {f.StartedAt:HH:mm:ss.fff}, succeeded {f.CompletedAt:HH:mm:ss.fff}");
        }

        Assert.All(finals, f => Assert.Equal(VideoTaskState.Success, f.State));
        var stats = simulator.GetStats();
        Assert.Equal(N, stats.OperationsStarted);
        Assert.Equal(C, stats.MaxActive);
        Assert.True(engine.Metrics.GetSnapshot().MaxRunning <= C);

        // ceil(N/C) = 4 waves of 1 s: at least 4 s by physics, and — generously — well under twice that.
        var waves = (N + C - 1) / C;
        output.WriteLine($"{N} tasks at C={C}, {latency.TotalSeconds} s each: {clock.Elapsed.TotalSeconds:0.00} s (ideal {waves * latency.TotalSeconds} s); polls/generation {engine.Metrics.GetSnapshot().PollsPerGeneration:0.0}");
        Assert.True(clock.Elapsed >= latency * waves, $"finished in {clock.Elapsed} — faster than {waves} waves allow");
        Assert.True(clock.Elapsed < latency * waves * 2 + TimeSpan.FromSeconds(2), $"took {clock.Elapsed.TotalSeconds:0.0} s for {waves} waves of {latency.TotalSeconds} s");
    }

    [Fact]
    public async Task Waiting_tasks_far_back_in_the_queue_leave_memory_and_come_back_in_order_when_their_slot_comes()
    {
        const int N = 8;
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromSeconds(1) });
        var settings = TestEngine.Settings(simulator.BaseUrl, folder.Path);
        settings["Generation:MaxConcurrency"] = "1";
        settings["Generation:LiveQueueLength"] = "2";
        settings["Generation:DormantAfterIdleSeconds"] = "0.3";
        await using var engine = await TestEngine.StartAsync(settings, output);
        var region = await engine.Host.Services.GetRequiredService<global::Akka.Hosting.ActorRegistry>().GetAsync<Veo.Sdk.Akka.Actors.VideoGenerationRegion>();

        var ids = new List<string>();
        for (var i = 0; i < N; i++)
        {
            ids.Add((await engine.Service.SubmitAsync(Request($"dormant task {i}"))).TaskId);
        }

        // One runs, two wait in memory at the front; the five behind them leave once idle.
        var fewest = int.MaxValue;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline && fewest > 4)
        {
            var state = await region.Ask<global::Akka.Cluster.Sharding.CurrentShardRegionState>(global::Akka.Cluster.Sharding.GetShardRegionState.Instance, TimeSpan.FromSeconds(5));
            fewest = Math.Min(fewest, state.Shards.Sum(s => s.EntityIds.Count(ids.Contains)));
            await Task.Delay(100);
        }

        output.WriteLine($"fewest task actors in memory: {fewest} of {N}");
        Assert.InRange(fewest, 1, 4);

        // A status read of a dormant task answers from its journal, with its place in the queue.
        var last = await engine.Service.GetStatusAsync(ids[^1]);
        Assert.Equal(VideoTaskState.Pending, last!.State);

        var finals = await Task.WhenAll(ids.Select(id => engine.Service.FinalStatusAsync(id, TimeSpan.FromSeconds(60))));
        Assert.All(finals, f => Assert.Equal(VideoTaskState.Success, f.State));
        Assert.Equal(N, simulator.GetStats().OperationsStarted);
        Assert.Equal(1, simulator.GetStats().MaxActive);

        // First come, first served, dormant or not.
        Assert.Equal(ids, finals.OrderBy(f => f.StartedAt).Select(f => f.TaskId));
    }

    [Fact]
    public async Task A_429_storm_is_absorbed_without_failures_and_the_engine_backs_off()
    {
        const int N = 10;
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions
        {
            Latency = TimeSpan.FromMilliseconds(500),
            MaxConcurrentOperations = 2,
            QuotaRetryDelay = TimeSpan.FromMilliseconds(300),
        });
        var settings = TestEngine.Settings(simulator.BaseUrl, folder.Path);
        settings["Generation:MaxConcurrency"] = "6";
        await using var engine = await TestEngine.StartAsync(settings, output);

        var ids = await Task.WhenAll(Enumerable.Range(0, N).Select(async i => (await engine.Service.SubmitAsync(Request($"storm {i}"))).TaskId));
        var finals = await Task.WhenAll(ids.Select(id => engine.Service.FinalStatusAsync(id, TimeSpan.FromSeconds(60))));

        Assert.All(finals, f => Assert.Equal(VideoTaskState.Success, f.State));
        var stats = simulator.GetStats();
        var metrics = engine.Metrics.GetSnapshot();
        output.WriteLine($"start requests {stats.StartRequests}, refused {stats.RejectedStarts}, engine deferrals {metrics.QuotaDeferrals}, back-offs {metrics.QuotaBackoffs}, limit now {metrics.ConcurrencyLimit}");
        Assert.Equal(N, stats.OperationsStarted);
        Assert.True(stats.RejectedStarts > 0, "the storm never happened");
        // The client retries a refused start itself (nothing was started); what it gives up on reaches the engine.
        Assert.InRange(metrics.QuotaDeferrals, 1, stats.RejectedStarts);
        Assert.Contains(finals, f => f.Warnings.Any(w => w.Contains("quota", StringComparison.OrdinalIgnoreCase)));

        // The engine backed off (lowered how many it starts at once) instead of retrying at full concurrency.
        Assert.True(metrics.QuotaBackoffs >= 1, "the engine never lowered its concurrency");
    }

    [Fact]
    public async Task A_quota_smaller_than_the_budget_is_learned_from_the_refusals_instead_of_being_asked_again_blindly()
    {
        // Veo runs 3 at once for this project; the engine may run 8. Each refusal lowers the budget to what Veo was running.
        const int N = 12;
        var latency = TimeSpan.FromSeconds(2);
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = latency, MaxConcurrentOperations = 3 });
        var settings = TestEngine.Settings(simulator.BaseUrl, folder.Path);
        settings["Generation:MaxConcurrency"] = "8";
        settings["Generation:QuotaRecoveryIntervalSeconds"] = "10";   // the default: no probe upwards within this run
        await using var engine = await TestEngine.StartAsync(settings, output);

        var clock = Stopwatch.StartNew();
        var ids = await Task.WhenAll(Enumerable.Range(0, N).Select(async i => (await engine.Service.SubmitAsync(Request($"quota {i}"))).TaskId));
        var finals = await Task.WhenAll(ids.Select(id => engine.Service.FinalStatusAsync(id, TimeSpan.FromSeconds(90))));
        clock.Stop();

        Assert.All(finals, f => Assert.Equal(VideoTaskState.Success, f.State));
        var stats = simulator.GetStats();
        var metrics = engine.Metrics.GetSnapshot();
        var ideal = latency * Math.Ceiling(N / 3.0);
        output.WriteLine($"makespan {clock.Elapsed.TotalSeconds:0.00} s, ideal {ideal.TotalSeconds:0} s ({clock.Elapsed / ideal:0.00}x); refused starts {stats.RejectedStarts}, budget lowered {metrics.QuotaBackoffs} times, limit now {metrics.ConcurrencyLimit}, most at Veo {stats.MaxActive}");
        Assert.Equal(N, stats.OperationsStarted);
        Assert.True(stats.RejectedStarts > 0, "the quota was never hit");

        // Every refusal taught the budget something: none was a blind repeat (the client does not retry a refused start
        // inside the call for the engine, and the engine does not start more than Veo ran when it said no).
        Assert.InRange(stats.RejectedStarts, 1, metrics.QuotaBackoffs + 1);
        Assert.Equal(3, metrics.ConcurrencyLimit);
        Assert.InRange(stats.MaxActive, 1, 3);
    }
}
