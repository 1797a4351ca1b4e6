namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>What one measured pass of a workload produced, before it is set beside the floor.</summary>
public sealed record PhaseResult
{
    public required int N { get; init; }

    /// <summary>Time from calling submit until the durable acknowledgement, per task, in ms.</summary>
    public required IReadOnlyCollection<double> SubmitLatenciesMs { get; init; }

    /// <summary>From the first submit to the last SUCCESS.</summary>
    public required TimeSpan Makespan { get; init; }

    public required int Succeeded { get; init; }

    /// <summary>Tasks that did not end in SUCCESS (lost, failed or never observed).</summary>
    public int Lost => N - Succeeded;

    public required long DuplicateStarts { get; init; }

    /// <summary>Polls of Veo operations during the pass, or null when they could not be counted.</summary>
    public required long? Polls { get; init; }

    /// <summary>Veo generations started during the pass.</summary>
    public required long Starts { get; init; }

    public required TimeSpan CpuTime { get; init; }

    /// <summary>Bytes allocated during the pass, or -1 when the measured process is another one (service mode).</summary>
    public required long AllocatedBytes { get; init; }

    public required int Gen0Collections { get; init; }

    public required int Gen2Collections { get; init; }

    public required double PeakRssMiB { get; init; }

    /// <summary>Delay between Veo finishing a generation and the task reaching SUCCESS, per task, in ms.</summary>
    public required IReadOnlyCollection<double> SuccessDelaysMs { get; init; }

    /// <summary>How the success delay's start was known: "exact" (the stand-in said) or an estimate.</summary>
    public string SuccessDelayBasis { get; init; } = "exact";

    /// <summary>The most generations Veo saw running at once, when known (must not exceed C).</summary>
    public int? MaxActive { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];
}
