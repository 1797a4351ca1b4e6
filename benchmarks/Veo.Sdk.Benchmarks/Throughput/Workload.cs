namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>
/// One of the fixed workloads: a client submits <see cref="N"/> tasks as fast as it can, each generation takes
/// <see cref="Latency"/> on the Veo side, at most <see cref="C"/> run at once. The other job systems compared in RESULTS.md were measured on exactly these.
/// </summary>
/// <param name="Name">W0..W3, or "custom" for development runs with other numbers.</param>
/// <param name="N">Tasks submitted.</param>
/// <param name="C">Generations allowed at once.</param>
/// <param name="Latency">How long Veo takes per generation.</param>
/// <param name="Purpose">What the workload shows.</param>
public sealed record Workload(string Name, int N, int C, TimeSpan Latency, string Purpose)
{
    public static readonly Workload W0 = new("W0", 7, 4, TimeSpan.FromSeconds(2), "the original's scenario");
    public static readonly Workload W1 = new("W1", 2000, 100, TimeSpan.Zero, "orchestration cost per task");
    public static readonly Workload W2 = new("W2", 1000, 100, TimeSpan.FromSeconds(1), "makespan / limit");
    public static readonly Workload W3 = new("W3", 10000, 1000, TimeSpan.FromSeconds(5), "many tasks in flight, peak memory");

    public static IReadOnlyList<Workload> All { get; } = [W0, W1, W2, W3];

    /// <summary>The physical limit: ceil(N/C) waves of L each.</summary>
    public TimeSpan Limit => TimeSpan.FromTicks(Latency.Ticks * Waves);

    /// <summary>ceil(N/C).</summary>
    public int Waves => (N + C - 1) / C;

    public static Workload Parse(string name) =>
        All.FirstOrDefault(w => string.Equals(w.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown workload '{name}'; use one of {string.Join(", ", All.Select(w => w.Name))} (or --n/--c/--l for a custom one).");

    public static Workload Custom(int n, int c, TimeSpan latency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(c, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        return new Workload("custom", n, c, latency, "development run");
    }

    public override string ToString() => $"{Name} (N={N}, C={C}, L={Latency.TotalSeconds:0.###} s)";
}
