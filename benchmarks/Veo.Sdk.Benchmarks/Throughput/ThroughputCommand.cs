using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Veo.Sdk.Benchmarks.Infrastructure;
using Veo.Sdk.Benchmarks.Results;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>
/// <c>throughput --workload W2 [--mode floor|engine|full|service] [--json]</c> and <c>throughput --all</c>: plans the runs,
/// starts each in a fresh child process (beside its floor), prints every figure, and records them in RESULTS.md.
/// </summary>
public static class ThroughputCommand
{
    public const string Usage = """
        throughput --workload W0|W1|W2|W3 [--mode floor|engine|full|service] [--json] [--runs K]
        throughput --all [--json] [--runs K]
          --mode        one or more modes, comma separated (default engine)
          --rate R      service mode: pace submits at R per second (the steady 200 submits/s figure)
          --submitters  submits awaiting their acknowledgement at once (default 64)
          --n/--c/--l   a custom workload for development (L in seconds); not recorded in RESULTS.md
          --no-warmup   measure the first pass after start-up (JIT included)
          --jit-report  list the methods the JIT compiles during the measured pass
          --store       sqlite (default) or postgresql (mode "engine+pg"): the engine's journal, sharding state and generation
                        table; PostgreSQL from --postgres "<connection string>", VEO_BENCH_POSTGRES or VEO_TEST_POSTGRES, else a
                        throwaway server started as .ci/run starts one; each run gets a database of its own
          --nodes K     engine mode on --store postgresql: K cluster nodes (actor systems) in the one child process, one
                        budget (C) for the cluster, submits to the nodes in turn (mode "engine+pg+Knodes")
          --no-record   do not touch benchmarks/RESULTS.md and benchmarks/results/runs.jsonl
        """;

    /// <summary>
    /// --all: every workload with the modes that have a target or a peer figure (engine everywhere; full for W1/W2; service
    /// for the original's scenario W0, the W1 burst and the steady 200 submits/s), each beside its floor, within 10 minutes.
    /// Any other combination runs with --workload/--mode (W3 floor on its own takes another minute: --workload W3 --mode floor).
    /// </summary>
    public static IReadOnlyList<PlannedRun> AllRuns { get; } =
    [
        new(Workload.W0, RunMode.Floor), new(Workload.W0, RunMode.Engine), new(Workload.W0, RunMode.Service),
        new(Workload.W1, RunMode.Floor), new(Workload.W1, RunMode.Engine), new(Workload.W1, RunMode.Full), new(Workload.W1, RunMode.Service),
        new(Workload.W1, RunMode.Service, Rate: 200),
        new(Workload.W2, RunMode.Floor), new(Workload.W2, RunMode.Engine), new(Workload.W2, RunMode.Full),
        new(Workload.W3, RunMode.Engine), // its floor runs beside it; the floor's own memory: --workload W3 --mode floor
    ];

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args, "--all", "--json", "--no-warmup", "--no-record", "--jit-report");
        var all = a.Flag("--all");
        var json = a.Flag("--json");
        var noWarmup = a.Flag("--no-warmup");
        var jitReport = a.Flag("--jit-report");
        var record = !a.Flag("--no-record");
        var runs = a.Int("--runs") ?? 1;
        var submitters = a.Int("--submitters");
        var rate = a.Double("--rate");
        var store = a.String("--store") ?? "sqlite";
        var postgresServer = a.String("--postgres");
        var nodes = a.Int("--nodes") ?? 1;
        if (store is not ("sqlite" or "postgresql"))
        {
            throw new ArgumentException($"--store '{store}' is unknown; use sqlite or postgresql.");
        }

        if (nodes is < 1 or > 5 || (nodes > 1 && store != "postgresql"))
        {
            throw new ArgumentException("--nodes takes 1 to 5, and more than one node needs --store postgresql (the nodes share one database).");
        }
        var modes = a.List("--mode").Select(RunModes.Parse).ToList();
        var workloads = a.List("--workload").Select(Workload.Parse).ToList();
        var custom = ReadCustomWorkload(a);
        a.RejectUnknown();

        if (custom is not null)
        {
            workloads.Add(custom);
            record = false;
        }

        List<PlannedRun> plan;
        if (all)
        {
            if (workloads.Count > 0 || modes.Count > 0)
            {
                throw new ArgumentException("--all runs every workload and mode; do not combine it with --workload or --mode.");
            }

            plan = [.. AllRuns];
        }
        else
        {
            if (workloads.Count == 0)
            {
                throw new ArgumentException("Name a workload (--workload W2) or use --all.");
            }

            if (modes.Count == 0)
            {
                modes.Add(RunMode.Engine);
            }

            plan = [.. workloads.SelectMany(w => modes.Select(m => new PlannedRun(w, m, m == RunMode.Service ? rate : null)))];
        }

        // With --json the JSON lines own stdout; people read stderr.
        var human = json ? Console.Error : Console.Out;
        var command = "dotnet run -c Release --project benchmarks/Veo.Sdk.Benchmarks -- throughput " + string.Join(' ', args);
        var total = Stopwatch.StartNew();
        var records = new List<RunRecord>();
        await human.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{plan.Count * runs} run(s) on {Environment.ProcessorCount} cores, load average {ProcessProbe.LoadAverage1Min():0.00}")).ConfigureAwait(false);

        await using var postgres = store == "postgresql" ? await ThrowawayPostgres.StartAsync(postgresServer, cancellationToken).ConfigureAwait(false) : null;
        if (postgres is not null)
        {
            await human.WriteLineAsync(postgres.Started ? "PostgreSQL: a throwaway server on loopback (fsync off, as in CI)" : "PostgreSQL: the server named by --postgres or the environment").ConfigureAwait(false);
        }

        for (var round = 0; round < runs; round++)
        {
            foreach (var run in plan)
            {
                var result = await RunOneAsync(run, submitters, noWarmup, postgres, jitReport, nodes, cancellationToken).ConfigureAwait(false);
                result = result with { Command = command };
                records.Add(result);
                await human.WriteAsync(result.ToText()).ConfigureAwait(false);
                if (json)
                {
                    await Console.Out.WriteLineAsync(result.ToIssueJson()).ConfigureAwait(false);
                }
            }
        }

        await human.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"all runs done in {total.Elapsed.TotalSeconds:0} s")).ConfigureAwait(false);
        if (record)
        {
            var file = ResultsFile.Locate();
            await file.AppendAsync(records, cancellationToken).ConfigureAwait(false);
            await file.WriteMarkdownAsync(cancellationToken).ConfigureAwait(false);
            await human.WriteLineAsync($"recorded in {file.MarkdownPath}").ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task<RunRecord> RunOneAsync(PlannedRun run, int? submitters, bool noWarmup, ThrowawayPostgres? postgres, bool jitReport, int nodes, CancellationToken cancellationToken)
    {
        var w = run.Workload;
        var args = new List<string> { ChildRun.Command, "--mode", run.Mode.Name() };
        if (nodes > 1 && run.Mode == RunMode.Engine)
        {
            args.AddRange(["--nodes", nodes.ToString(CultureInfo.InvariantCulture)]);
        }

        args.AddRange(w.Name == "custom"
            ? ["--n", w.N.ToString(CultureInfo.InvariantCulture), "--c", w.C.ToString(CultureInfo.InvariantCulture), "--l", w.Latency.TotalSeconds.ToString(CultureInfo.InvariantCulture)]
            : ["--workload", w.Name]);
        if (submitters is { } k)
        {
            args.AddRange(["--submitters", k.ToString(CultureInfo.InvariantCulture)]);
        }

        if (run.Rate is { } rate)
        {
            args.AddRange(["--rate", rate.ToString(CultureInfo.InvariantCulture)]);
        }

        if (noWarmup)
        {
            args.Add("--no-warmup");
        }

        if (jitReport)
        {
            args.Add("--jit-report");
        }

        var database = postgres is null || run.Mode == RunMode.Floor ? null : $"veo_bench_{Guid.NewGuid():N}";
        if (database is not null)
        {
            args.AddRange(["--postgres", await postgres!.CreateDatabaseAsync(database, cancellationToken).ConfigureAwait(false)]);
        }

        await using var veo = await VeoForRun.StartAsync(run, cancellationToken).ConfigureAwait(false);
        if (veo.SimulatorUrl is { } url)
        {
            args.AddRange(["--sim-url", url.ToString()]);
        }

        IReadOnlyList<string> lines;
        try
        {
            lines = await SelfProcess.RunAsync(args, ChildRun.ResultPrefix, ModeSettings.DefaultDeadline(w) * 3, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (database is not null)
            {
                await postgres!.DropDatabaseAsync(database, CancellationToken.None).ConfigureAwait(false);
            }
        }

        if (lines.Count != 1)
        {
            throw new InvalidOperationException($"The child run of {w.Name} {run.Mode.Name()} printed {lines.Count} results instead of one.");
        }

        return JsonSerializer.Deserialize(lines[0], BenchmarkJsonContext.Default.RunRecord)
            ?? throw new InvalidOperationException("The child run printed an empty result.");
    }

    internal static Workload? ReadWorkload(Arguments a) => a.String("--workload") is { } name ? Workload.Parse(name) : ReadCustomWorkload(a);

    private static Workload? ReadCustomWorkload(Arguments a)
    {
        var n = a.Int("--n");
        var c = a.Int("--c");
        var l = a.Double("--l");
        if (n is null && c is null && l is null)
        {
            return null;
        }

        if (n is null || c is null || l is null)
        {
            throw new ArgumentException("A custom workload needs all of --n, --c and --l.");
        }

        return Workload.Custom(n.Value, c.Value, TimeSpan.FromSeconds(l.Value));
    }
}

/// <summary>One planned run: a workload in a mode, optionally with paced submits.</summary>
public sealed record PlannedRun(Workload Workload, RunMode Mode, double? Rate = null);
