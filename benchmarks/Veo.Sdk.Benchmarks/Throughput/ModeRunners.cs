namespace Veo.Sdk.Benchmarks.Throughput;

public static class ModeRunners
{
    public static IModeRunner Create(RunMode mode, Workload workload, ModeSettings settings) => mode switch
    {
        RunMode.Floor => new FloorModeRunner(),
        RunMode.Engine or RunMode.Full => new EngineModeRunner(mode, workload, settings),
        RunMode.Service => new ServiceModeRunner(workload, settings),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown mode."),
    };
}
