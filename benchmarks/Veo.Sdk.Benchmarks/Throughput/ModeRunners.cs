namespace Veo.Sdk.Benchmarks.Throughput;

public static class ModeRunners
{
    public static IModeRunner Create(RunMode mode, Workload workload, ModeSettings settings) => mode switch
    {
        RunMode.Floor => new FloorModeRunner(),
        _ => throw new NotSupportedException($"Mode {mode.Name()} is not wired yet."),
    };
}
