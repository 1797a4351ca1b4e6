using Veo.Sdk.Testing;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>
/// The Veo a run talks to when it is not in-process: the simulator, hosted by the parent process so that its CPU and memory
/// are not counted as the measured process's (Veo's cost is Google's, not ours).
/// </summary>
public sealed class VeoForRun : IAsyncDisposable
{
    private readonly VeoSimulator? _simulator;

    private VeoForRun(VeoSimulator? simulator) => _simulator = simulator;

    public Uri? SimulatorUrl => _simulator?.BaseUrl;

    public static async Task<VeoForRun> StartAsync(PlannedRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Mode is not (RunMode.Full or RunMode.Service))
        {
            return new VeoForRun(null);
        }

        // Each request names its latency ([sim:latency=…]) so one simulator serves the zero-latency warm-up and the measured pass.
        var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = run.Workload.Latency }, cancellationToken).ConfigureAwait(false);
        return new VeoForRun(simulator);
    }

    public async ValueTask DisposeAsync()
    {
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync().ConfigureAwait(false);
        }
    }
}
