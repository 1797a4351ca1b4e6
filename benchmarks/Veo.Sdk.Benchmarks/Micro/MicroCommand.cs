using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

namespace Veo.Sdk.Benchmarks.Micro;

/// <summary><c>micro [BenchmarkDotNet arguments]</c>: the BenchmarkDotNet suites of the hot paths (one class per concern).</summary>
public static class MicroCommand
{
    public const string Usage = """
        micro [BenchmarkDotNet args]     e.g. micro --filter '*Serializer*' --job short
          suites: the JSON of Veo operations, request validation, the engine's decide/apply functions, the event
          serializer, status mapping, the journal write path (Akka.Persistence.Sql vs the lean prototype)
        """;

    public static int Run(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "veo-bench", "BenchmarkDotNet.Artifacts"));
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroCommand).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
