using System.Globalization;
using System.Text;
using System.Text.Json;
using Veo.Sdk.Benchmarks.Crash;
using Veo.Sdk.Benchmarks.Throughput;

namespace Veo.Sdk.Benchmarks.Results;

/// <summary>
/// <c>benchmarks/RESULTS.md</c> and the run history behind it (<c>benchmarks/results/*.jsonl</c>, one record per line).
/// The part of RESULTS.md between the generated markers is rewritten from the history on every recorded run; the text
/// around it (the analysis) is kept as written.
/// </summary>
public sealed class ResultsFile
{
    private const string Begin = "<!-- generated:begin (rewritten by the benchmark program from results/*.jsonl; edit outside the markers) -->";
    private const string End = "<!-- generated:end -->";

    /// <summary>How many of the latest runs of each workload × mode the table shows.</summary>
    private const int RunsShown = 3;

    private ResultsFile(string benchmarksDirectory)
    {
        MarkdownPath = Path.Combine(benchmarksDirectory, "RESULTS.md");
        RunsPath = Path.Combine(benchmarksDirectory, "results", "runs.jsonl");
        CrashPath = Path.Combine(benchmarksDirectory, "results", "crash.jsonl");
    }

    public string MarkdownPath { get; }

    public string RunsPath { get; }

    public string CrashPath { get; }

    /// <summary>Finds the repository's benchmarks folder from the working directory (or the program's folder) upwards.</summary>
    public static ResultsFile Locate()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (Directory.Exists(Path.Combine(dir.FullName, "benchmarks", "Veo.Sdk.Benchmarks")))
                {
                    return new ResultsFile(Path.Combine(dir.FullName, "benchmarks"));
                }
            }
        }

        throw new InvalidOperationException("Could not find the repository's benchmarks folder; run from inside the repository or pass --no-record.");
    }

    public Task AppendAsync(IEnumerable<RunRecord> records, CancellationToken cancellationToken) =>
        AppendLinesAsync(RunsPath, records.Select(r => JsonSerializer.Serialize(r, BenchmarkJsonContext.Default.RunRecord)), cancellationToken);

    public Task AppendAsync(CrashRecord record, CancellationToken cancellationToken) =>
        AppendLinesAsync(CrashPath, [JsonSerializer.Serialize(record, BenchmarkJsonContext.Default.CrashRecord)], cancellationToken);

    public async Task WriteMarkdownAsync(CancellationToken cancellationToken)
    {
        var runs = (await ReadAsync(RunsPath, BenchmarkJsonContext.Default.RunRecord, cancellationToken).ConfigureAwait(false)).ToList();
        var crashes = (await ReadAsync(CrashPath, BenchmarkJsonContext.Default.CrashRecord, cancellationToken).ConfigureAwait(false)).ToList();
        var generated = Render(runs, crashes);
        var existing = File.Exists(MarkdownPath) ? await File.ReadAllTextAsync(MarkdownPath, cancellationToken).ConfigureAwait(false) : null;
        string text;
        if (existing is not null && existing.Contains(Begin, StringComparison.Ordinal) && existing.Contains(End, StringComparison.Ordinal))
        {
            var head = existing[..existing.IndexOf(Begin, StringComparison.Ordinal)];
            var tail = existing[(existing.IndexOf(End, StringComparison.Ordinal) + End.Length)..];
            text = head + Begin + "\n" + generated + End + tail;
        }
        else
        {
            text = "# Benchmark results\n\nMeasured by `benchmarks/Veo.Sdk.Benchmarks`. See the analysis below the tables.\n\n"
                + Begin + "\n" + generated + End + "\n\n## Analysis\n\n(To be written.)\n";
        }

        await File.WriteAllTextAsync(MarkdownPath, text, cancellationToken).ConfigureAwait(false);
    }

    internal static string Render(IReadOnlyList<RunRecord> runs, IReadOnlyList<CrashRecord> crashes)
    {
        var inv = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        var latest = runs
            .GroupBy(r => (r.Workload, r.Mode))
            .OrderBy(g => g.Key.Workload, StringComparer.Ordinal).ThenBy(g => ModeOrder(g.Key.Mode)).ThenBy(g => g.Key.Mode, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(r => r.StartedAt).Take(RunsShown).OrderBy(r => r.StartedAt).ToList())
            .ToList();
        var shown = latest.SelectMany(g => g).ToList();

        s.Append(inv, $"Machine: {MachineInfo.Describe()}.\n\n");
        if (shown.Count > 0)
        {
            var loads = shown.SelectMany(r => new[] { r.LoadAverageBefore, r.LoadAverageAfter }).OfType<double>().Where(double.IsFinite).ToList();
            s.Append(inv, $"Runs shown: {shown.Min(r => r.StartedAt):yyyy-MM-dd HH:mm} to {shown.Max(r => r.StartedAt):yyyy-MM-dd HH:mm} UTC; ");
            s.Append(inv, $"1-minute load average during them {loads.DefaultIfEmpty(double.NaN).Min():0.00}–{loads.DefaultIfEmpty(double.NaN).Max():0.00} ");
            s.Append("(2 cores: a load above 2 means other work competed for the CPU; the `floor` column was measured in the same process right after each run, so the ratio to it survives the noise).\n\n");
        }

        s.Append("### Throughput runs (latest ").Append(RunsShown).Append(" per workload and mode)\n\n");
        s.Append("| workload | mode | when (UTC) | N / C / L | submit p50 / p99 ms | makespan s | efficiency | floor s (eff) | throughput /s | peak RSS MiB (idle) | KiB/task | CPU ms/task | alloc KiB/task | polls/gen | Veo done→SUCCESS p50 / p99 ms | lost | dup | load |\n");
        s.Append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var r in shown)
        {
            s.Append(inv, $"| {r.Workload} | {r.Mode} | {r.StartedAt:MM-dd HH:mm} | {r.N} / {r.C} / {r.LSeconds:0.#} s | {r.SubmitP50Ms:0.00} / {r.SubmitP99Ms:0.00} | {r.MakespanS:0.000} | {F(r.Efficiency, "0.0000")} | {F(r.FloorMakespanS, "0.000")} ({F(r.FloorEfficiency, "0.0000")}) | {r.Throughput:0} | {r.PeakRssMiB:0} ({F(r.IdleRssMiB, "0")}) | {F(r.KiBPerTask, "0.0")} | {r.CpuMsPerTask:0.000} | {F(r.AllocatedKiBPerTask, "0.0")} | {F(r.PollsPerGeneration, "0.00")} | {F(r.SuccessDelayP50Ms, "0")} / {F(r.SuccessDelayP99Ms, "0")} | {r.Lost} | {r.DuplicateStarts} | {F(r.LoadAverageBefore, "0.0")}→{F(r.LoadAverageAfter, "0.0")} |\n");
        }

        s.Append("\n### Against the targets\n\n");
        s.Append("| target | measured (runs shown above) | met |\n|---|---|---|\n");
        foreach (var target in Targets.All)
        {
            var values = shown.Where(r => r.Workload == target.Workload && r.Mode == target.Mode).Select(target.Select).OfType<double>().ToList();
            if (crashes.Count > 0 && target.Workload == "crash")
            {
                values = [.. crashes.OrderByDescending(c => c.StartedAt).Take(RunsShown).Select(c => target.Mode == "lost" ? c.Lost : (double)c.DuplicateStarts)];
            }

            var measured = values.Count == 0 ? "not measured yet" : string.Join(", ", values.Select(v => v.ToString(target.Format, inv)));
            var met = values.Count == 0 || target.ReportOnly ? "–" : values.All(target.IsMet) ? "yes" : values.Any(target.IsMet) ? "partly" : "**no**";
            s.Append(inv, $"| {target.Text} | {measured} | {met} |\n");
        }

        if (crashes.Count > 0)
        {
            s.Append("\n### Crash runs (kill -9 in the middle, restart on the same database)\n\n");
            s.Append("| when (UTC) | N / C / L | killed after s | done at kill | restart → all done s | first submit → all done s (limit) | lost | duplicate starts | Veo starts | load |\n");
            s.Append("|---|---|---|---|---|---|---|---|---|---|\n");
            foreach (var c in crashes.OrderByDescending(c => c.StartedAt).Take(RunsShown).OrderBy(c => c.StartedAt))
            {
                s.Append(inv, $"| {c.StartedAt:MM-dd HH:mm} | {c.N} / {c.C} / {c.LSeconds:0.#} s | {c.KilledAfterS:0.00} | {c.SucceededBeforeKill} | {c.RestartToAllDoneS:0.000} | {c.TotalS:0.000} ({c.LimitS:0.0}) | {c.Lost} | {c.DuplicateStarts} | {c.OperationsStarted} | {F(c.LoadAverage, "0.0")} |\n");
            }
        }

        var commands = runs.Select(r => r.Command).Concat(crashes.Select(c => c.Command)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (commands.Count > 0)
        {
            s.Append("\n### Commands that produced these runs\n\n```bash\n");
            foreach (var command in commands)
            {
                s.Append(command).Append('\n');
            }

            s.Append("```\n");
        }

        var notes = shown.SelectMany(r => r.Notes.Select(n => $"{r.Workload} {r.Mode} {r.StartedAt:MM-dd HH:mm}: {n}")).ToList();
        if (notes.Count > 0)
        {
            s.Append("\n<details><summary>Notes recorded with the runs</summary>\n\n");
            foreach (var note in notes)
            {
                s.Append("- ").Append(note).Append('\n');
            }

            s.Append("\n</details>\n");
        }

        return s.ToString();
    }

    private static int ModeOrder(string mode) => mode.Split('@')[0] switch
    {
        "floor" => 0,
        "engine" => 1,
        "full" => 2,
        "service" => 3,
        _ => 4,
    };

    private static string F(double? value, string format) => RunRecord.Format(value, format);

    private static async Task AppendLinesAsync(string path, IEnumerable<string> lines, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.AppendAllLinesAsync(path, lines, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IEnumerable<T>> ReadAsync<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var lines = await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false);
        return lines.Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => JsonSerializer.Deserialize(l, type)!);
    }
}
