namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>Runs workloads in one mode, inside the child process that measures it.</summary>
public interface IModeRunner : IAsyncDisposable
{
    /// <summary>What answers as Veo, for the report.</summary>
    string VeoStandIn { get; }

    /// <summary>Which process the CPU and memory figures belong to, for the report.</summary>
    string MeasuredProcess { get; }

    /// <summary>The process whose CPU time and peak RSS are measured.</summary>
    ProcessProbe Probe { get; }

    /// <summary>Starts what the mode needs (host, actor system, service process) before anything is measured.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Submits the workload's N tasks and waits until every one has ended (or the deadline passed).</summary>
    Task<PhaseResult> RunAsync(Workload workload, string runId, CancellationToken cancellationToken);

    /// <summary>A floor over the same Veo stand-in, run after this runner is disposed.</summary>
    FloorRun CreateFloor(Workload workload);
}
