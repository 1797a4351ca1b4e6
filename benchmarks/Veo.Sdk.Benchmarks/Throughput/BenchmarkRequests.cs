using System.Globalization;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>The requests every mode submits: one per task, the task's identity in its prompt (so duplicate starts can be told apart).</summary>
public static class BenchmarkRequests
{
    public static string TaskId(string runId, int index) => string.Create(CultureInfo.InvariantCulture, $"{runId}-{index:D5}");

    public static GenerateVideoRequest Veo(string runId, int index) => new()
    {
        Model = VeoModels.Veo31Fast,
        Prompt = string.Create(CultureInfo.InvariantCulture, $"Benchmark task {TaskId(runId, index)}: a lighthouse at dusk, waves rolling in, slow dolly shot."),
        AspectRatio = VeoAspectRatios.Portrait,
        DurationSeconds = 8,
        Seed = index,
    };

    /// <summary>A short id for one run, so tasks of different runs on one database never collide.</summary>
    public static string NewRunId(string prefix) => string.Create(CultureInfo.InvariantCulture, $"{prefix}{DateTime.UtcNow:HHmmss}{Random.Shared.Next(0x1000):x3}");
}
