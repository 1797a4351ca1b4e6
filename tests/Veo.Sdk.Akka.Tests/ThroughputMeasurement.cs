using System.Diagnostics;
using Veo.Sdk.Akka.Tests.Support;
using Veo.Sdk.Testing;
using static Veo.Sdk.Akka.Tests.Support.EngineTestExtensions;

namespace Veo.Sdk.Akka.Tests;

/// <summary>Runs only when <c>VEO_MEASURE=1</c>: a measurement, not a test of behaviour.</summary>
public sealed class MeasurementFactAttribute : FactAttribute
{
    public MeasurementFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("VEO_MEASURE") != "1")
        {
            Skip = "A measurement (about 25 s); run with VEO_MEASURE=1.";
        }
    }
}

/// <summary>100 tasks × 2 s at C=10 against the ideal 10 waves × 2 s = 20 s, with the default poll interval.</summary>
public sealed class ThroughputMeasurement(ITestOutputHelper output)
{
    [MeasurementFact]
    public async Task Hundred_tasks_of_two_seconds_at_concurrency_ten()
    {
        const int N = 100, C = 10;
        var latency = TimeSpan.FromSeconds(2);
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = latency });
        var settings = TestEngine.Settings(simulator.BaseUrl, folder.Path);
        settings["Generation:MaxConcurrency"] = "10";
        settings["Generation:PollIntervalSeconds"] = "1";        // the default
        settings["Generation:ExpectedGenerationSeconds"] = "60";  // the default: the first wave polls without a usable estimate
        settings["Generation:EndedTaskIdleSeconds"] = "15";
        await using var engine = await TestEngine.StartAsync(settings, output);

        var clock = Stopwatch.StartNew();
        var ids = await Task.WhenAll(Enumerable.Range(0, N).Select(async i => (await engine.Service.SubmitAsync(Request($"measure {i}"))).TaskId));
        var submitted = clock.Elapsed;
        var finals = await Task.WhenAll(ids.Select(id => engine.Service.FinalStatusAsync(id, TimeSpan.FromSeconds(120))));
        clock.Stop();

        Assert.All(finals, f => Assert.Equal(VideoTaskState.Success, f.State));
        var stats = simulator.GetStats();
        var metrics = engine.Metrics.GetSnapshot();
        var ideal = latency * ((N + C - 1) / C);
        var lines = new[]
        {
            $"{N} tasks × {latency.TotalSeconds} s at C={C}: {clock.Elapsed.TotalSeconds:0.00} s wall (ideal {ideal.TotalSeconds:0} s, efficiency {ideal / clock.Elapsed:0.000}); all submitted after {submitted.TotalSeconds:0.00} s",
            $"simulator: operations_started {stats.OperationsStarted}, polls {stats.Polls} ({(double)stats.Polls / N:0.00} per generation), downloads {stats.Downloads}, max_active {stats.MaxActive}",
            $"engine: polls/generation {metrics.PollsPerGeneration:0.00}, Veo finished → SUCCESS avg {metrics.AverageFinishToSuccess.TotalMilliseconds:0} ms (max {metrics.MaxFinishToSuccess.TotalMilliseconds:0} ms), max running {metrics.MaxRunning}",
            $"waves (start of every {C}th task, s after the first start): {string.Join(", ", finals.Select(f => f.StartedAt!.Value).Order().Where((_, i) => i % C == 0).Select(t => (t - finals.Min(f => f.StartedAt!.Value)).TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}; last SUCCESS at {(finals.Max(f => f.CompletedAt!.Value) - finals.Min(f => f.StartedAt!.Value)).TotalSeconds:0.00}",
            $"per task: time from leaving the queue to SUCCESS avg {finals.Average(f => (f.CompletedAt!.Value - f.StartedAt!.Value).TotalSeconds):0.000} s (Veo latency {latency.TotalSeconds} s)",
        };
        foreach (var line in lines)
        {
            output.WriteLine(line);
            Console.WriteLine(line);
        }

        Assert.Equal(N, stats.OperationsStarted);
        Assert.True(stats.MaxActive <= C);
    }
}
