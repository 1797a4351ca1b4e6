using System.Globalization;
using System.Text.Json;
using Veo.Sdk.Benchmarks.Infrastructure;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>
/// The measured run, in a fresh child process: start the mode, warm it up, settle memory and read the idle RSS, reset the
/// peak, run the workload, stop the mode, then run the floor on the same Veo stand-in in the same process, and print one
/// result line for the parent.
/// </summary>
public static class ChildRun
{
    public const string Command = "__run";
    public const string ResultPrefix = "@@result ";

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args, "--no-warmup", "--jit-report");
        var workload = ThroughputCommand.ReadWorkload(a) ?? throw new ArgumentException("--workload (or --n/--c/--l) is required.");
        var mode = RunModes.Parse(a.String("--mode") ?? "engine");
        var settings = new ModeSettings
        {
            SimulatorUrl = a.String("--sim-url") is { } url ? new Uri(url) : null,
            Submitters = a.Int("--submitters") ?? ModeSettings.DefaultSubmitters(workload),
            Rate = a.Double("--rate"),
            WorkDirectory = a.String("--work-dir") ?? Path.Combine(Path.GetTempPath(), "veo-bench", Guid.NewGuid().ToString("N")[..8]),
            Deadline = TimeSpan.FromSeconds(a.Double("--deadline") ?? ModeSettings.DefaultDeadline(workload).TotalSeconds),
            PostgresConnectionString = a.String("--postgres"),
            Nodes = a.Int("--nodes") ?? 1,
        };
        var warmup = !a.Flag("--no-warmup");
        using var jit = a.Flag("--jit-report") ? new JitReport() : null;
        a.RejectUnknown();

        Directory.CreateDirectory(settings.WorkDirectory);
        var notes = new List<string>();
        var runId = BenchmarkRequests.NewRunId(workload.Name.ToLowerInvariant());
        var started = DateTimeOffset.UtcNow;
        Log($"{workload} in mode {mode.Name()}: starting");

        PhaseResult result;
        double idleRss;
        double loadBefore, loadAfter;
        string standIn, measuredProcess;
        var runner = ModeRunners.Create(mode, workload, settings);
        await using (runner.ConfigureAwait(false))
        {
            await runner.StartAsync(cancellationToken).ConfigureAwait(false);
            standIn = runner.VeoStandIn;
            measuredProcess = runner.MeasuredProcess;
            if (warmup)
            {
                var warm = WarmupOf(workload);
                var w = await runner.RunAsync(warm, runId + "w", cancellationToken).ConfigureAwait(false);
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"warm-up pass before measuring: {warm.N} tasks at C={warm.C}, L=0 → {warm.N / w.Makespan.TotalSeconds:0} tasks/s, {w.CpuTime.TotalMilliseconds / warm.N:0.00} ms CPU per task (cold, JIT included)"));
                Log($"warm-up: {warm.N} tasks in {w.Makespan.TotalSeconds:0.00} s");
                if (mode != RunMode.Floor && workload.Latency > TimeSpan.Zero)
                {
                    // One wave at the real latency, so the engine's poll schedule knows this model's duration as a
                    // long-running node would (the JIT warm-up used another model so it could not teach it 0 s).
                    var prime = Workload.Custom(Math.Min(workload.N, workload.C), workload.C, workload.Latency);
                    var p = await runner.RunAsync(prime, runId + "p", cancellationToken).ConfigureAwait(false);
                    notes.Add(string.Create(CultureInfo.InvariantCulture,
                        $"priming wave before measuring: {prime.N} tasks at L={prime.Latency.TotalSeconds:0.###} s took {p.Makespan.TotalSeconds:0.000} s (the engine learns the model's duration)"));
                    Log($"priming wave: {prime.N} tasks in {p.Makespan.TotalSeconds:0.00} s");
                }
            }

            if (warmup)
            {
                var (methods, waited) = await SettleJitAsync(cancellationToken).ConfigureAwait(false);
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"after the warm-up the JIT compiled {methods} more methods (tier-1 recompilation) in {waited.TotalSeconds:0.0} s before measuring began"));
            }

            Measurement.SettleMemory();
            await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken).ConfigureAwait(false);
            idleRss = runner.Probe.RssMiB;
            if (!runner.Probe.TryResetPeak())
            {
                notes.Add("the kernel refused to reset VmHWM: peak RSS covers start-up and warm-up too");
            }

            loadBefore = ProcessProbe.LoadAverage1Min();
            Log($"measuring (idle RSS {idleRss:0.0} MiB)");
            jit?.Start();
            result = await runner.RunAsync(workload, runId, cancellationToken).ConfigureAwait(false);
            jit?.Stop();
            if (jit is not null)
            {
                Log(jit.Describe());
            }
            loadAfter = ProcessProbe.LoadAverage1Min();
            Log($"done: makespan {result.Makespan.TotalSeconds:0.000} s, {result.Succeeded}/{workload.N} succeeded");
        }

        PhaseResult floor;
        if (mode == RunMode.Floor)
        {
            floor = result;
        }
        else
        {
            Measurement.SettleMemory();
            var floorRun = runner.CreateFloor(workload);
            if (warmup)
            {
                await floorRun.RunAsync(WarmupOf(workload), runId + "fw", cancellationToken).ConfigureAwait(false);
            }

            floorRun = runner.CreateFloor(workload);
            floor = await floorRun.RunAsync(workload, runId + "f", cancellationToken).ConfigureAwait(false);
            Log($"floor: makespan {floor.Makespan.TotalSeconds:0.000} s");
        }

        notes.AddRange(result.Notes);
        var record = Compose(workload, mode, settings, result, floor, idleRss, started, loadBefore, loadAfter, standIn, measuredProcess, notes);
        await Console.Out.WriteLineAsync(ResultPrefix + JsonSerializer.Serialize(record, BenchmarkJsonContext.Default.RunRecord)).ConfigureAwait(false);
        TryDelete(settings.WorkDirectory);
        return 0;
    }

    /// <summary>
    /// Waits until the JIT has finished recompiling what the warm-up made hot (no method compiled for 0.5 s, at most 2.5 s), so
    /// that the measured pass pays for running the code, not for compiling it, as in a process that has run for a while.
    /// </summary>
    private static async Task<(long Methods, TimeSpan Waited)> SettleJitAsync(CancellationToken cancellationToken)
    {
        var start = System.Diagnostics.Stopwatch.StartNew();
        var before = System.Runtime.JitInfo.GetCompiledMethodCount();
        var last = before;
        var quietSince = start.Elapsed;
        while (start.Elapsed - quietSince < TimeSpan.FromSeconds(0.5) && start.Elapsed < TimeSpan.FromSeconds(2.5))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != last)
            {
                last = now;
                quietSince = start.Elapsed;
            }
        }

        return (last - before, start.Elapsed);
    }

    /// <summary>The warm-up: the same C, no latency, enough tasks for the JIT to reach the hot paths (200..600).</summary>
    public static Workload WarmupOf(Workload workload) => Workload.Custom(Math.Clamp(workload.N, 200, 600), workload.C, TimeSpan.Zero);

    internal static RunRecord Compose(Workload workload, RunMode mode, ModeSettings settings, PhaseResult result, PhaseResult floor, double idleRss,
        DateTimeOffset started, double loadBefore, double loadAfter, string standIn, string measuredProcess, IReadOnlyList<string> notes)
    {
        var makespan = result.Makespan.TotalSeconds;
        var limit = workload.Limit.TotalSeconds;
        return new RunRecord
        {
            Workload = workload.Name,
            Mode = mode.Name() + (settings.PostgresConnectionString is null ? "" : "+pg") + (settings.Nodes > 1 ? string.Create(CultureInfo.InvariantCulture, $"+{settings.Nodes}nodes") : "") + (settings.Rate is { } rate ? string.Create(CultureInfo.InvariantCulture, $"@{rate:0}/s") : ""),
            N = workload.N,
            C = workload.C,
            LSeconds = workload.Latency.TotalSeconds,
            LimitS = limit,
            SubmitP50Ms = Percentiles.Of(result.SubmitLatenciesMs, 50),
            SubmitP99Ms = Percentiles.Of(result.SubmitLatenciesMs, 99),
            MakespanS = makespan,
            Efficiency = limit > 0 ? limit / makespan : null,
            Throughput = workload.N / makespan,
            PeakRssMiB = result.PeakRssMiB,
            IdleRssMiB = idleRss,
            KiBPerTask = (result.PeakRssMiB - idleRss) * 1024 / workload.N,
            CpuMsPerTask = result.CpuTime.TotalMilliseconds / workload.N,
            AllocatedKiBPerTask = result.AllocatedBytes >= 0 ? result.AllocatedBytes / 1024.0 / workload.N : null,
            Gen0Collections = result.Gen0Collections >= 0 ? result.Gen0Collections : null,
            Gen2Collections = result.Gen2Collections >= 0 ? result.Gen2Collections : null,
            PollsPerGeneration = result.Polls is { } polls && result.Starts > 0 ? (double)polls / result.Starts : null,
            SuccessDelayP50Ms = Percentiles.Of(result.SuccessDelaysMs, 50),
            SuccessDelayP99Ms = Percentiles.Of(result.SuccessDelaysMs, 99),
            SuccessDelayBasis = result.SuccessDelayBasis,
            MaxActive = workload.Latency > TimeSpan.Zero ? result.MaxActive : null, // with L = 0 nothing overlaps
            FloorMakespanS = floor.Makespan.TotalSeconds,
            FloorThroughput = workload.N / floor.Makespan.TotalSeconds,
            FloorEfficiency = limit > 0 ? limit / floor.Makespan.TotalSeconds : null,
            Lost = result.Lost,
            DuplicateStarts = result.DuplicateStarts,
            Submitters = mode == RunMode.Floor ? null : settings.Submitters,
            RateLimit = settings.Rate,
            VeoStandIn = standIn,
            MeasuredProcess = measuredProcess,
            StartedAt = started,
            LoadAverageBefore = loadBefore,
            LoadAverageAfter = loadAfter,
            Notes = notes,
        };
    }

    internal static void Log(string message) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{DateTime.Now:HH:mm:ss.fff}] {message}"));

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a stopping process; the temp folder is cleaned by the OS eventually.
        }
    }
}
