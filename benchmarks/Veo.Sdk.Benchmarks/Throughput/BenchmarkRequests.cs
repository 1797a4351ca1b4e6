using System.Globalization;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>The requests every mode submits: one per task, the task's identity in its prompt (so duplicate starts can be told apart).</summary>
public static class BenchmarkRequests
{
    public static string TaskId(string runId, int index) => string.Create(CultureInfo.InvariantCulture, $"{runId}-{index:D5}");

    /// <param name="runId">The run.</param>
    /// <param name="index">The task's index in the run.</param>
    /// <param name="simulatorLatency">When set, the prompt tells the Veo simulator how long this generation takes ([sim:latency=…]).</param>
    public static GenerateVideoRequest Veo(string runId, int index, TimeSpan? simulatorLatency = null) => new()
    {
        Model = VeoModels.Veo31Fast,
        Prompt = Prompt(runId, index, simulatorLatency),
        AspectRatio = VeoAspectRatios.Portrait,
        DurationSeconds = 8,   // no seed: the benchmarks speak the Gemini API to the simulator, which takes none
    };

    public static string Prompt(string runId, int index, TimeSpan? simulatorLatency = null) => simulatorLatency is { } latency
        ? string.Create(CultureInfo.InvariantCulture, $"Benchmark task {TaskId(runId, index)}: a lighthouse at dusk, waves rolling in, slow dolly shot. [sim:latency={latency.TotalSeconds:0.###}]")
        : string.Create(CultureInfo.InvariantCulture, $"Benchmark task {TaskId(runId, index)}: a lighthouse at dusk, waves rolling in, slow dolly shot.");

    /// <summary>A short id for one run, so tasks of different runs on one database never collide.</summary>
    public static string NewRunId(string prefix) => string.Create(CultureInfo.InvariantCulture, $"{prefix}{DateTime.UtcNow:HHmmss}{Random.Shared.Next(0x1000):x3}");
}
