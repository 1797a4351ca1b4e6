using System.Net;
using System.Text.Json;

namespace Veo.Sdk.Testing.Tests;

/// <summary>The concurrency limit and the statistics tests and benchmarks rely on to prove bounds.</summary>
public sealed class ConcurrencyAndStatsTests
{
    [Fact]
    public async Task Should_answer_429_with_RetryInfo_and_start_nothing_when_the_concurrency_limit_is_reached()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync(o =>
        {
            o.MaxConcurrentOperations = 2;
            o.QuotaRetryDelay = TimeSpan.FromSeconds(7);
        });
        await sim.StartGeminiAsync();
        await sim.StartGeminiAsync();

        // act
        using var refused = await sim.PostGeminiAsync(TestSimulator.StartBody());
        var json = await TestSimulator.ReadJsonAsync(refused);

        // assert
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("RESOURCE_EXHAUSTED", json.GetProperty("error").GetProperty("status").GetString());
        var types = json.GetProperty("error").GetProperty("details").EnumerateArray().Select(d => d.GetProperty("@type").GetString()).ToArray();
        Assert.Contains("type.googleapis.com/google.rpc.RetryInfo", types);
        Assert.Contains("type.googleapis.com/google.rpc.QuotaFailure", types);
        Assert.Equal(new VeoSimulatorStats(2, 0, 0, 2, 2, 3, 1), sim.Simulator.GetStats());
    }

    [Fact]
    public async Task Should_accept_starts_again_when_running_operations_finish()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync(o => o.MaxConcurrentOperations = 1);
        await sim.StartGeminiAsync();
        using var refused = await sim.PostGeminiAsync(TestSimulator.StartBody());

        // act
        sim.Time.Advance(TimeSpan.FromSeconds(10));
        using var accepted = await sim.PostGeminiAsync(TestSimulator.StartBody());

        // assert
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Should_keep_a_queued_outcome_when_the_concurrency_limit_refuses_the_request()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync(o => o.MaxConcurrentOperations = 1);
        await sim.StartGeminiAsync();
        sim.Simulator.Enqueue(new SimulatedOutcome.Filtered("kept"));
        using var refused = await sim.PostGeminiAsync(TestSimulator.StartBody());
        sim.Time.Advance(TimeSpan.FromSeconds(10));

        // act
        var name = await sim.StartGeminiAsync();
        sim.Time.Advance(TimeSpan.FromSeconds(10));
        var json = await sim.PollGeminiAsync(name);

        // assert
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("kept", json.GetProperty("response").GetProperty("generateVideoResponse").GetProperty("raiMediaFilteredReasons")[0].GetString());
    }

    [Fact]
    public async Task Should_count_only_operations_still_running_when_max_active_is_computed_from_lazy_completions()
    {
        // arrange: A and B finish at 10 s, C at 15 s; D, E, F start at 12 s
        await using var sim = await TestSimulator.StartAsync();
        await sim.StartGeminiAsync();
        await sim.StartGeminiAsync();
        sim.Time.Advance(TimeSpan.FromSeconds(5));
        await sim.StartGeminiAsync();
        var afterThree = sim.Simulator.GetStats();

        // act: nobody polled A or B, yet at 12 s only C is running when D, E and F start
        sim.Time.Advance(TimeSpan.FromSeconds(7));
        await sim.StartGeminiAsync();
        await sim.StartGeminiAsync();
        await sim.StartGeminiAsync();
        var atTwelve = sim.Simulator.GetStats();
        sim.Time.Advance(TimeSpan.FromSeconds(3));
        var atFifteen = sim.Simulator.GetStats();
        sim.Time.Advance(TimeSpan.FromSeconds(10));
        var atTwentyFive = sim.Simulator.GetStats();

        // assert
        Assert.Equal((3, 3), (afterThree.Active, afterThree.MaxActive));
        Assert.Equal((4, 4), (atTwelve.Active, atTwelve.MaxActive));
        Assert.Equal((3, 4), (atFifteen.Active, atFifteen.MaxActive));
        Assert.Equal((0, 4), (atTwentyFive.Active, atTwentyFive.MaxActive));
        Assert.Equal(6, atTwentyFive.OperationsStarted);
    }

    [Fact]
    public async Task Should_answer_the_same_numbers_as_GetStats_in_snake_case_when_stats_are_read_over_http()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartGeminiAsync();
        await sim.PollGeminiAsync(name);
        using var rejected = await sim.PostGeminiAsync(TestSimulator.StartBody("[sim:500]"));

        // act
        var text = await sim.Http.GetStringAsync("_simulator/stats");
        using var json = JsonDocument.Parse(text);

        // assert
        Assert.Equal(
            ["active", "downloads", "max_active", "operations_started", "polls", "rejected_starts", "start_requests", "storage_copies", "storage_uploads", "token_requests"],
            TestSimulator.PropertyNames(json.RootElement));
        Assert.Equal(new VeoSimulatorStats(1, 1, 0, 1, 1, 2, 1), JsonSerializer.Deserialize<VeoSimulatorStats>(text));
        Assert.Equal(sim.Simulator.GetStats(), JsonSerializer.Deserialize<VeoSimulatorStats>(text));
    }

    [Fact]
    public async Task Should_zero_the_counters_but_keep_running_operations_when_stats_are_reset()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        await sim.StartGeminiAsync();
        await sim.StartGeminiAsync();
        sim.Simulator.Enqueue(new SimulatedOutcome.HttpError(500, "INTERNAL", "dropped by the reset"));

        // act
        using var reset = await sim.Http.PostAsync("_simulator/reset", content: null);
        var name = await sim.StartGeminiAsync();

        // assert
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(new VeoSimulatorStats(1, 0, 0, 3, 3, 1, 0), sim.Simulator.GetStats());
        Assert.NotNull(name);
    }

    [Fact]
    public async Task Should_start_every_operation_once_with_distinct_names_when_a_thousand_starts_arrive_at_once()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync(o => o.Latency = TimeSpan.FromMinutes(10));
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64 };
        using var http = new HttpClient(handler) { BaseAddress = sim.Simulator.BaseUrl };
        http.DefaultRequestHeaders.Add("x-goog-api-key", "simulator-key");

        // act
        var names = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
        {
            using var content = new StringContent(TestSimulator.StartBody($"cat number {i}"), System.Text.Encoding.UTF8, "application/json");
            using var response = await http.PostAsync($"v1beta/models/{TestSimulator.Model}:predictLongRunning", content);
            response.EnsureSuccessStatusCode();
            return (await TestSimulator.ReadJsonAsync(response)).GetProperty("name").GetString();
        }));

        // assert
        Assert.Equal(1000, names.Distinct().Count());
        Assert.Equal(new VeoSimulatorStats(1000, 0, 0, 1000, 1000, 1000, 0), await sim.GetStatsOverHttpAsync());
    }

    [Fact]
    public async Task Should_never_exceed_the_limit_when_many_starts_race_for_few_slots()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync(o => o.MaxConcurrentOperations = 25);
        using var http = new HttpClient { BaseAddress = sim.Simulator.BaseUrl };
        http.DefaultRequestHeaders.Add("x-goog-api-key", "simulator-key");

        // act
        var statuses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            using var content = new StringContent(TestSimulator.StartBody(), System.Text.Encoding.UTF8, "application/json");
            using var response = await http.PostAsync($"v1beta/models/{TestSimulator.Model}:predictLongRunning", content);
            return response.StatusCode;
        }));

        // assert
        Assert.Equal(25, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(175, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(new VeoSimulatorStats(25, 0, 0, 25, 25, 200, 175), sim.Simulator.GetStats());
    }
}
