using System.Text.Json;
using Veo.Sdk.Benchmarks.Results;
using Veo.Sdk.Benchmarks.Throughput;

namespace Veo.Sdk.Benchmarks.Tests;

public class MeasurementSpecs
{
    [Fact]
    public void Should_report_observed_values_when_taking_nearest_rank_percentiles()
    {
        // arrange
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();

        // act
        var p50 = Percentiles.Of(values, 50);
        var p99 = Percentiles.Of(values, 99);
        var p100 = Percentiles.Of(values, 100);

        // assert
        Assert.Equal(50, p50);
        Assert.Equal(99, p99);
        Assert.Equal(100, p100);
        Assert.Equal(7, Percentiles.Of([7.0], 99));
        Assert.True(double.IsNaN(Percentiles.Of(Array.Empty<double>(), 50)));
    }

    [Fact]
    public void Should_compute_the_physical_limit_when_given_a_workload()
    {
        Assert.Equal(TimeSpan.FromSeconds(4), Workload.W0.Limit);
        Assert.Equal(TimeSpan.Zero, Workload.W1.Limit);
        Assert.Equal(TimeSpan.FromSeconds(10), Workload.W2.Limit);
        Assert.Equal(TimeSpan.FromSeconds(50), Workload.W3.Limit);
        Assert.Equal(3, Workload.Custom(201, 100, TimeSpan.FromSeconds(1)).Waves);
        Assert.Throws<ArgumentException>(() => Workload.Parse("W9"));
    }

    [Fact]
    public void Should_print_exactly_the_issue_keys_in_order_when_writing_the_json_line()
    {
        // arrange
        var record = SampleRecord() with { Efficiency = null, PollsPerGeneration = double.NaN };

        // act
        using var json = JsonDocument.Parse(record.ToIssueJson());

        // assert
        string[] expected = ["workload", "mode", "n", "c", "l", "submit_p50_ms", "submit_p99_ms", "makespan_s", "efficiency", "throughput",
            "peak_rss_mib", "cpu_ms_per_task", "polls_per_generation", "floor_makespan_s", "floor_throughput", "lost", "duplicate_starts"];
        Assert.Equal(expected, json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("efficiency").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("polls_per_generation").ValueKind);
        Assert.Equal(2000, json.RootElement.GetProperty("n").GetInt32());
        Assert.DoesNotContain('\n', record.ToIssueJson());
    }

    [Fact]
    public void Should_check_runs_against_the_targets_when_rendering_results()
    {
        // arrange
        var fast = SampleRecord() with { Throughput = 2600, CpuMsPerTask = 0.9 };

        // act
        var markdown = ResultsFile.Render([fast], []);

        // assert
        Assert.Contains("| W1 | engine |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `engine` W1 throughput ≥ 2,500 tasks/s, every event journaled | 2600 /s | yes |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `engine` W1 CPU per task ≤ 0.7 ms | 0.900 ms | **no** |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `engine` W3 efficiency ≥ 0.98 | not measured yet | – |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_round_trip_a_record_when_kept_in_the_history()
    {
        var record = SampleRecord();
        var text = JsonSerializer.Serialize(record, BenchmarkJsonContext.Default.RunRecord);
        var back = JsonSerializer.Deserialize(text, BenchmarkJsonContext.Default.RunRecord)!;
        Assert.Equal(record.Throughput, back.Throughput);
        Assert.Equal(record.Notes, back.Notes);
        Assert.Contains("\"cpu_ms_per_task\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_read_this_process_from_proc_when_probing()
    {
        var probe = ProcessProbe.Self;
        Assert.InRange(probe.RssMiB, 1, 100_000);
        Assert.True(probe.PeakRssMiB >= probe.RssMiB * 0.9);
        Assert.True(probe.CpuTime > TimeSpan.Zero);
        Assert.True(ProcessProbe.ForProcess(Environment.ProcessId).CpuTime > TimeSpan.Zero);
    }

    private static RunRecord SampleRecord() => new()
    {
        Workload = "W1",
        Mode = "engine",
        N = 2000,
        C = 100,
        LSeconds = 0,
        LimitS = 0,
        SubmitP50Ms = 1.5,
        SubmitP99Ms = 4.25,
        MakespanS = 1.2,
        Throughput = 1666.7,
        PeakRssMiB = 180,
        CpuMsPerTask = 0.8,
        Lost = 0,
        DuplicateStarts = 0,
        FloorMakespanS = 0.05,
        FloorThroughput = 40000,
        StartedAt = DateTimeOffset.UtcNow,
        Notes = ["a note"],
    };
}
