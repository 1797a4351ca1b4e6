namespace Veo.Sdk.Benchmarks.Crash;

/// <summary>One crash run: W2 killed with SIGKILL in the middle and restarted on the same database.</summary>
public sealed record CrashRecord
{
    public required int N { get; init; }

    public required int C { get; init; }

    public required double LSeconds { get; init; }

    public required double LimitS { get; init; }

    /// <summary>Seconds from the first submit to the kill.</summary>
    public required double KilledAfterS { get; init; }

    /// <summary>Tasks that had reached SUCCESS when the process was killed.</summary>
    public required int SucceededBeforeKill { get; init; }

    /// <summary>From starting the second process to the last task's SUCCESS.</summary>
    public required double RestartToAllDoneS { get; init; }

    /// <summary>From the first submit (first process) to the last SUCCESS (second process).</summary>
    public required double TotalS { get; init; }

    public required int Lost { get; init; }

    /// <summary>Veo generations started beyond one per task (from the simulator's counters).</summary>
    public required long DuplicateStarts { get; init; }

    public required long OperationsStarted { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public double? LoadAverage { get; init; }

    public string? Command { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];
}
