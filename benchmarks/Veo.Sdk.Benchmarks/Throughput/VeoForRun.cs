namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>
/// The Veo a run talks to when it is not in-process: the simulator, hosted by the parent process so that its CPU and memory
/// are not counted as the measured process's (Veo's cost is Google's, not ours).
/// </summary>
public sealed class VeoForRun : IAsyncDisposable
{
    private VeoForRun(Uri? simulatorUrl) => SimulatorUrl = simulatorUrl;

    public Uri? SimulatorUrl { get; }

    public static Task<VeoForRun> StartAsync(PlannedRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        cancellationToken.ThrowIfCancellationRequested();
        return run.Mode is RunMode.Full or RunMode.Service
            ? throw new NotSupportedException($"Mode {run.Mode.Name()} needs the Veo simulator, which is not wired yet.")
            : Task.FromResult(new VeoForRun(null));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
