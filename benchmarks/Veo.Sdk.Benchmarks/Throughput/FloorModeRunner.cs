namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>The floor as a mode of its own (in-process Veo stand-in), for its own peak memory and CPU figures.</summary>
public sealed class FloorModeRunner : IModeRunner
{
    private readonly InProcessVeoClient _veo = new(TimeSpan.Zero);

    public string VeoStandIn => "in-process IVeoClient (completion from timestamps, MP4 to Stream.Null)";

    public string MeasuredProcess => "benchmark process";

    public ProcessProbe Probe => ProcessProbe.Self;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<PhaseResult> RunAsync(Workload workload, string runId, CancellationToken cancellationToken)
        => CreateFloor(workload).RunAsync(workload, runId, cancellationToken);

    public FloorRun CreateFloor(Workload workload)
    {
        _veo.Latency = workload.Latency;
        return new FloorRun(_veo, (name, _) => _veo.FinishedAt(name) ?? throw new InvalidOperationException($"Unknown operation {name}."));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
