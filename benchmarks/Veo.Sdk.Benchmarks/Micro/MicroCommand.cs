using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

namespace Veo.Sdk.Benchmarks.Micro;

/// <summary><c>micro [BenchmarkDotNet arguments]</c>: the BenchmarkDotNet suites of the hot paths (one class per concern).</summary>
public static class MicroCommand
{
    public const string Usage = """
        micro [BenchmarkDotNet args]     e.g. micro --filter '*Serializer*' --job short
          runs in-process by default (building a separate benchmark project takes minutes on a busy 2-core box);
          --out-of-process uses BenchmarkDotNet's default toolchain instead
          suites measure the packages' public surface only (request validation, reading inline videos); the engine's own cost per task is
          measured whole by `throughput --mode engine`
        """;

    public static int Run(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "veo-bench", "BenchmarkDotNet.Artifacts"));
        var outOfProcess = args.Contains("--out-of-process", StringComparer.Ordinal);
        args = [.. args.Where(a => a != "--out-of-process")];
        if (!outOfProcess && !args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase))
        {
            args = [.. args, "--inProcess"];
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroCommand).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
