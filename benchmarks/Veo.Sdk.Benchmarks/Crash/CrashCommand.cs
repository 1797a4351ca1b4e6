using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Veo.Sdk.Akka;
using Veo.Sdk.Akka.Diagnostics;
using Veo.Sdk.Benchmarks.Infrastructure;
using Veo.Sdk.Benchmarks.Results;
using Veo.Sdk.Benchmarks.Throughput;
using Veo.Sdk.Testing;

namespace Veo.Sdk.Benchmarks.Crash;

/// <summary>
/// <c>crash</c>: W2 on the engine (real VeoClient, simulator in this process so it outlives the victim), the engine
/// process killed with SIGKILL in the middle, a new process started on the same database. Measures the time to finish
/// everything, tasks lost, and duplicate Veo starts (from the simulator's counters: operations started beyond one per task).
/// </summary>
public static class CrashCommand
{
    public const string ChildCommand = "__crash-child";

    public const string Usage = """
        crash [--json] [--kill-after S] [--runs K] [--no-record]
          W2 (N=1000, C=100, L=1 s) on the engine with the real VeoClient and the simulator (in this process);
          the engine process is killed with SIGKILL S seconds after the first submit (default 5, once every task
          is acknowledged) and started again on the same database; every task must end in SUCCESS, none started twice
        """;

    private const string Prefix = "@@";

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args, "--json", "--no-record");
        var json = a.Flag("--json");
        var record = !a.Flag("--no-record");
        var killAfter = TimeSpan.FromSeconds(a.Double("--kill-after") ?? 5);
        var runs = a.Int("--runs") ?? 1;
        var workload = Workload.W2;
        if (a.Int("--n") is { } n)
        {
            workload = Workload.Custom(n, a.Int("--c") ?? 100, TimeSpan.FromSeconds(a.Double("--l") ?? 1));
            record = false;
        }

        a.RejectUnknown();
        var human = json ? Console.Error : Console.Out;
        var command = "dotnet run -c Release --project benchmarks/Veo.Sdk.Benchmarks -- crash " + string.Join(' ', args);
        var records = new List<CrashRecord>();
        for (var run = 0; run < runs; run++)
        {
            var result = await RunOnceAsync(workload, killAfter, cancellationToken).ConfigureAwait(false) with { Command = command };
            records.Add(result);
            await human.WriteLineAsync(Describe(result)).ConfigureAwait(false);
            if (json)
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, BenchmarkJsonContext.Default.CrashRecord)).ConfigureAwait(false);
            }
        }

        if (record)
        {
            var file = ResultsFile.Locate();
            foreach (var r in records)
            {
                await file.AppendAsync(r, cancellationToken).ConfigureAwait(false);
            }

            await file.WriteMarkdownAsync(cancellationToken).ConfigureAwait(false);
            await human.WriteLineAsync($"recorded in {file.MarkdownPath}").ConfigureAwait(false);
        }

        return records.All(r => r.Lost == 0 && r.DuplicateStarts == 0) ? 0 : 1;
    }

    private static async Task<CrashRecord> RunOnceAsync(Workload workload, TimeSpan killAfter, CancellationToken cancellationToken)
    {
        var work = Path.Combine(Path.GetTempPath(), "veo-bench", "crash-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var runId = BenchmarkRequests.NewRunId("crash");
        var started = DateTimeOffset.UtcNow;
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = workload.Latency }, cancellationToken).ConfigureAwait(false);
        string[] common = ["--sim-url", simulator.BaseUrl.ToString(), "--work-dir", work, "--run-id", runId,
            "--n", Invariant(workload.N), "--c", Invariant(workload.C), "--l", workload.Latency.TotalSeconds.ToString(CultureInfo.InvariantCulture)];

        // 1. The victim: submits everything, runs, and is killed in the middle.
        ChildRun.Log($"crash run {runId}: first process submits {workload.N} tasks");
        using var victim = Process.Start(SelfProcess.StartInfo([ChildCommand, "--phase", "submit", .. common]))
            ?? throw new InvalidOperationException("Could not start the engine process.");
        DateTimeOffset? firstSubmit = null;
        var submitted = false;
        var succeededSeen = 0;
        var killTimer = Stopwatch.StartNew();
        while (await victim.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(Prefix + "first-submit ", StringComparison.Ordinal))
            {
                firstSubmit = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(line[(Prefix.Length + 13)..], CultureInfo.InvariantCulture));
                killTimer.Restart();
            }
            else if (line.StartsWith(Prefix + "submitted", StringComparison.Ordinal))
            {
                submitted = true;
            }
            else if (line.StartsWith(Prefix + "succeeded ", StringComparison.Ordinal))
            {
                succeededSeen = int.Parse(line[(Prefix.Length + 10)..], CultureInfo.InvariantCulture);
            }
            else
            {
                await Console.Error.WriteLineAsync(line).ConfigureAwait(false);
            }

            if (submitted && firstSubmit is not null && killTimer.Elapsed >= killAfter)
            {
                break;
            }
        }

        if (!submitted || firstSubmit is null)
        {
            throw new InvalidOperationException("The engine process ended before every task was acknowledged.");
        }

        victim.Kill(); // SIGKILL on Linux: no shutdown, no flush, no leaving the cluster
        var killedAt = DateTimeOffset.UtcNow;
        await victim.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var startsAtKill = simulator.GetStats().OperationsStarted;
        ChildRun.Log($"killed (SIGKILL) {(killedAt - firstSubmit.Value).TotalSeconds:0.00} s after the first submit; {succeededSeen} tasks had reported SUCCESS, Veo had started {startsAtKill}");

        // 2. The restart: same database, nothing submitted; remember-entities must bring every unfinished task back.
        var restartAt = DateTimeOffset.UtcNow;
        var lines = await SelfProcess.RunAsync([ChildCommand, "--phase", "resume", .. common], Prefix + "result ", TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        var outcome = JsonSerializer.Deserialize(lines.Single(), CrashJsonContext.Default.ResumeOutcome)!;
        var stats = simulator.GetStats();
        var lastSuccess = outcome.LastCompletedAtUnixMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }

        var notes = new List<string>(outcome.Notes);
        if (outcome.Failed > 0)
        {
            notes.Add($"{outcome.Failed} task(s) ended in FAILURE: {string.Join(", ", outcome.FailureCodes)}");
        }

        return new CrashRecord
        {
            N = workload.N,
            C = workload.C,
            LSeconds = workload.Latency.TotalSeconds,
            LimitS = workload.Limit.TotalSeconds,
            KilledAfterS = (killedAt - firstSubmit.Value).TotalSeconds,
            SucceededBeforeKill = succeededSeen,
            RestartToAllDoneS = lastSuccess is { } last ? (last - restartAt).TotalSeconds : double.NaN,
            TotalS = lastSuccess is { } end ? (end - firstSubmit.Value).TotalSeconds : double.NaN,
            Lost = workload.N - outcome.Succeeded,
            DuplicateStarts = Math.Max(0, stats.OperationsStarted - (outcome.Succeeded + outcome.Failed)),
            OperationsStarted = stats.OperationsStarted,
            StartedAt = started,
            LoadAverage = ProcessProbe.LoadAverage1Min(),
            Notes = notes,
        };
    }

    /// <summary>The engine process of a crash run: <c>--phase submit</c> (the victim) or <c>--phase resume</c> (the restart).</summary>
    public static async Task<int> RunChildAsync(string[] args, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args);
        var phase = a.String("--phase") ?? throw new ArgumentException("--phase submit|resume is required.");
        var simulatorUrl = new Uri(a.String("--sim-url") ?? throw new ArgumentException("--sim-url is required."));
        var work = a.String("--work-dir") ?? throw new ArgumentException("--work-dir is required.");
        var runId = a.String("--run-id") ?? throw new ArgumentException("--run-id is required.");
        var n = a.Int("--n") ?? 1000;
        var c = a.Int("--c") ?? 100;
        var latency = TimeSpan.FromSeconds(a.Double("--l") ?? 1);
        a.RejectUnknown();

        using var veo = new SimulatorVeo(simulatorUrl);
        using var host = EngineHost.Build(work, veo.Client, c, Math.Max(10_000, n + 100));
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var service = host.Services.GetRequiredService<IVideoGenerationService>();
        var metrics = host.Services.GetRequiredService<VeoGenerationMetrics>();

        if (phase == "submit")
        {
            await Console.Out.WriteLineAsync($"{Prefix}first-submit {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}").ConfigureAwait(false);

            // Progress from the start, so the parent knows how far the run was when it kills this process.
            var progress = Task.Run(async () =>
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    await Console.Out.WriteLineAsync($"{Prefix}succeeded {metrics.GetSnapshot().Succeeded}").ConfigureAwait(false);
                    await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken);
            await SubmitDriver.RunAsync(n, 64, null, (i, ct) => service.SubmitAsync(new VideoGenerationRequest
            {
                TaskId = BenchmarkRequests.TaskId(runId, i),
                Veo = BenchmarkRequests.Veo(runId, i, latency),
            }, ct), cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"{Prefix}submitted").ConfigureAwait(false);
            await progress.ConfigureAwait(false); // runs until this process is killed
            return 0;
        }

        // resume: wait until every task has ended, reading statuses (ended tasks are read once; running ones again later)
        var open = Enumerable.Range(0, n).Select(i => BenchmarkRequests.TaskId(runId, i)).ToList();
        var finals = new Dictionary<string, VideoTaskStatus>(StringComparer.Ordinal);
        var missing = new HashSet<string>(StringComparer.Ordinal);
        var deadline = Stopwatch.StartNew();
        while (open.Count > 0 && deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            var stillOpen = new List<string>();
            using var gate = new SemaphoreSlim(8);
            var statuses = await Task.WhenAll(open.Select(async id =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return (id, status: await StatusReads.GetAsync(service, id, cancellationToken).ConfigureAwait(false));
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
            foreach (var (id, status) in statuses)
            {
                if (status is null)
                {
                    missing.Add(id);
                }
                else if (status.IsFinal)
                {
                    finals[id] = status;
                }
                else
                {
                    stillOpen.Add(id);
                }
            }

            open = stillOpen;
            if (open.Count > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }

        var succeeded = finals.Values.Where(s => s.State == VideoTaskState.Success).ToList();
        var failed = finals.Values.Where(s => s.State != VideoTaskState.Success).ToList();
        var notes = new List<string>();
        if (missing.Count > 0)
        {
            notes.Add($"{missing.Count} acknowledged task(s) unknown after the restart");
        }

        if (open.Count > 0)
        {
            notes.Add($"{open.Count} task(s) had not ended 3 minutes after the restart");
        }

        var outcome = new ResumeOutcome(
            succeeded.Count,
            failed.Count,
            [.. failed.Select(s => s.Error?.Code ?? s.State.ToString()).Distinct(StringComparer.Ordinal)],
            succeeded.Select(s => s.CompletedAt).Max()?.ToUnixTimeMilliseconds(),
            notes);
        await Console.Out.WriteLineAsync(Prefix + "result " + JsonSerializer.Serialize(outcome, CrashJsonContext.Default.ResumeOutcome)).ConfigureAwait(false);
        await host.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return 0;
    }

    private static string Describe(CrashRecord r) => string.Create(CultureInfo.InvariantCulture, $"""
        [crash W2] N={r.N} C={r.C} L={r.LSeconds:0.###} s  limit={r.LimitS:0.0} s
          killed (SIGKILL) after     {r.KilledAfterS:0.00} s, {r.SucceededBeforeKill} tasks had reported SUCCESS
          restart → all done         {r.RestartToAllDoneS:0.000} s
          first submit → all done    {r.TotalS:0.000} s (limit {r.LimitS:0.0} s)
          lost {r.Lost}   duplicate Veo starts {r.DuplicateStarts}   (Veo started {r.OperationsStarted} operations for {r.N} tasks)
        {string.Concat(r.Notes.Select(n => "  note: " + n + "\n"))}
        """);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What the restarted process saw.</summary>
public sealed record ResumeOutcome(int Succeeded, int Failed, IReadOnlyList<string> FailureCodes, long? LastCompletedAtUnixMs, IReadOnlyList<string> Notes);

[System.Text.Json.Serialization.JsonSerializable(typeof(ResumeOutcome))]
internal sealed partial class CrashJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
