namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>Settings a mode runner needs besides the workload.</summary>
public sealed record ModeSettings
{
    /// <summary>The Veo simulator the parent process runs (full and service modes).</summary>
    public Uri? SimulatorUrl { get; init; }

    /// <summary>Submits awaiting their acknowledgement at once ("as fast as it can" for a client that waits for each ack).</summary>
    public int Submitters { get; init; } = 64;

    /// <summary>When set, submits are paced at this many per second instead of as fast as possible.</summary>
    public double? Rate { get; init; }

    /// <summary>A fresh folder for the database and the videos of this run.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>How long a pass may take before the tasks still open are counted as lost.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// The engine's PostgreSQL database for this run (journal, sharding state, generation table); <see langword="null"/>: a
    /// SQLite file in <see cref="WorkDirectory"/>.
    /// </summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Engine mode: how many cluster nodes run the engine (each its own actor system in the one child process, all on <see cref="PostgresConnectionString"/>); submits go to them in turn.</summary>
    public int Nodes { get; init; } = 1;

    public static int DefaultSubmitters(Workload workload) => Math.Min(64, workload.N);

    /// <summary>Four times the limit plus a minute: far beyond any plausible run, short enough to end a stuck one.</summary>
    public static TimeSpan DefaultDeadline(Workload workload) => workload.Limit * 4 + TimeSpan.FromMinutes(1);
}
