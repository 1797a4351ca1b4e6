using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>
/// One throughput run set beside its floor: every figure RESULTS.md reports, plus the context needed to judge it later
/// (idle memory, allocations, load on the machine). Kept in <c>benchmarks/results/runs.jsonl</c>.
/// </summary>
public sealed record RunRecord
{
    public required string Workload { get; init; }

    /// <summary>floor, engine, full, service, or service@R/s for a paced service run.</summary>
    public required string Mode { get; init; }

    public required int N { get; init; }

    public required int C { get; init; }

    public required double LSeconds { get; init; }

    public required double SubmitP50Ms { get; init; }

    public required double SubmitP99Ms { get; init; }

    public required double MakespanS { get; init; }

    /// <summary>Limit ÷ makespan; null when L = 0 (the limit is 0).</summary>
    public double? Efficiency { get; init; }

    public required double Throughput { get; init; }

    public required double PeakRssMiB { get; init; }

    public required double CpuMsPerTask { get; init; }

    public double? PollsPerGeneration { get; init; }

    public double? FloorMakespanS { get; init; }

    public double? FloorThroughput { get; init; }

    public required int Lost { get; init; }

    public required long DuplicateStarts { get; init; }

    // ---- context, not part of the --json line ----

    public required double LimitS { get; init; }

    /// <summary>RSS of the idle process after start-up and warm-up, before the measured pass.</summary>
    public double? IdleRssMiB { get; init; }

    /// <summary>(peak − idle) ÷ N, in KiB: the memory each task in flight costs.</summary>
    public double? KiBPerTask { get; init; }

    public double? SuccessDelayP50Ms { get; init; }

    public double? SuccessDelayP99Ms { get; init; }

    public string? SuccessDelayBasis { get; init; }

    public double? AllocatedKiBPerTask { get; init; }

    public int? Gen0Collections { get; init; }

    public int? Gen2Collections { get; init; }

    public int? MaxActive { get; init; }

    public int? Submitters { get; init; }

    public double? RateLimit { get; init; }

    public double? FloorEfficiency { get; init; }

    public string? VeoStandIn { get; init; }

    public string? MeasuredProcess { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public double? LoadAverageBefore { get; init; }

    public double? LoadAverageAfter { get; init; }

    public string? Command { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Makespan relative to the floor's in the same process: floor makespan ÷ makespan (1.0 = as fast as the floor).</summary>
    [JsonIgnore]
    public double? VsFloor => FloorMakespanS is { } floor && MakespanS > 0 ? floor / MakespanS : null;

    /// <summary>The one-line JSON object of a run: exactly these keys, in this order.</summary>
    public string ToIssueJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("workload", Workload);
            json.WriteString("mode", Mode);
            json.WriteNumber("n", N);
            json.WriteNumber("c", C);
            json.WriteNumber("l", LSeconds);
            WriteRounded(json, "submit_p50_ms", SubmitP50Ms, 3);
            WriteRounded(json, "submit_p99_ms", SubmitP99Ms, 3);
            WriteRounded(json, "makespan_s", MakespanS, 3);
            WriteRounded(json, "efficiency", Efficiency, 4);
            WriteRounded(json, "throughput", Throughput, 1);
            WriteRounded(json, "peak_rss_mib", PeakRssMiB, 1);
            WriteRounded(json, "cpu_ms_per_task", CpuMsPerTask, 3);
            WriteRounded(json, "polls_per_generation", PollsPerGeneration, 2);
            WriteRounded(json, "floor_makespan_s", FloorMakespanS, 3);
            WriteRounded(json, "floor_throughput", FloorThroughput, 1);
            json.WriteNumber("lost", Lost);
            json.WriteNumber("duplicate_starts", DuplicateStarts);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Every figure, for people.</summary>
    public string ToText()
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.Append(inv, $"[{Workload} {Mode}] N={N} C={C} L={LSeconds:0.###} s  limit={LimitS:0.000} s  Veo: {VeoStandIn}\n");
        s.Append(inv, $"  submit latency     p50 {SubmitP50Ms:0.000} ms   p99 {SubmitP99Ms:0.000} ms{(Submitters is { } k ? $"   ({k} submits in flight{(RateLimit is { } r ? $", paced at {r:0}/s" : "")})" : "")}\n");
        s.Append(inv, $"  makespan           {MakespanS:0.000} s   efficiency {Format(Efficiency, "0.0000")}   floor {Format(FloorMakespanS, "0.000")} s (eff {Format(FloorEfficiency, "0.0000")}, ratio floor/mode {Format(VsFloor, "0.0000")})\n");
        s.Append(inv, $"  throughput         {Throughput:0.0} tasks/s   floor {Format(FloorThroughput, "0.0")} tasks/s\n");
        s.Append(inv, $"  peak RSS           {PeakRssMiB:0.0} MiB   idle {Format(IdleRssMiB, "0.0")} MiB   {Format(KiBPerTask, "0.00")} KiB per task above idle   ({MeasuredProcess})\n");
        s.Append(inv, $"  CPU per task       {CpuMsPerTask:0.000} ms   allocated {Format(AllocatedKiBPerTask, "0.0")} KiB per task   GCs gen0 {Gen0Collections} gen2 {Gen2Collections}\n");
        s.Append(inv, $"  Veo                {Format(PollsPerGeneration, "0.00")} polls per generation   max active {MaxActive?.ToString(inv) ?? "n/a"} (C={C})\n");
        s.Append(inv, $"  Veo done → SUCCESS p50 {Format(SuccessDelayP50Ms, "0.0")} ms   p99 {Format(SuccessDelayP99Ms, "0.0")} ms ({SuccessDelayBasis})\n");
        s.Append(inv, $"  lost {Lost}   duplicate starts {DuplicateStarts}   load average {LoadAverageBefore:0.00} → {LoadAverageAfter:0.00}\n");
        foreach (var note in Notes)
        {
            s.Append("  note: ").Append(note).Append('\n');
        }

        return s.ToString();
    }

    internal static string Format(double? value, string format) =>
        value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static void WriteRounded(Utf8JsonWriter json, string name, double? value, int digits)
    {
        if (value is { } v && double.IsFinite(v))
        {
            json.WriteNumber(name, Math.Round(v, digits));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RunRecord))]
[JsonSerializable(typeof(Veo.Sdk.Benchmarks.Crash.CrashRecord))]
public sealed partial class BenchmarkJsonContext : JsonSerializerContext;
