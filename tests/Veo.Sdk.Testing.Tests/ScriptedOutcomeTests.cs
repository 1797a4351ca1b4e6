using System.Net;
using System.Text.Json;

namespace Veo.Sdk.Testing.Tests;

/// <summary>Scripted outcomes (queued per simulator) and prompt markers (per request).</summary>
public sealed class ScriptedOutcomeTests
{
    [Fact]
    public async Task Should_answer_done_with_rai_fields_and_no_samples_or_error_when_the_generation_is_filtered()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        sim.Simulator.Enqueue(new SimulatedOutcome.Filtered("Audio could not be generated. You have not been charged for this attempt."));
        var name = await sim.StartGeminiAsync();
        sim.Time.Advance(TimeSpan.FromSeconds(10));

        // act
        var json = await sim.PollGeminiAsync(name);

        // assert
        Assert.Equal(["done", "name", "response"], TestSimulator.PropertyNames(json));
        var response = json.GetProperty("response");
        Assert.Equal("type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse", response.GetProperty("@type").GetString());
        var video = response.GetProperty("generateVideoResponse");
        Assert.Equal(["raiMediaFilteredCount", "raiMediaFilteredReasons"], TestSimulator.PropertyNames(video));
        Assert.Equal(1, video.GetProperty("raiMediaFilteredCount").GetInt32());
        Assert.Equal("Audio could not be generated. You have not been charged for this attempt.", video.GetProperty("raiMediaFilteredReasons")[0].GetString());
    }

    [Fact]
    public async Task Should_filter_the_generation_when_the_prompt_has_the_filtered_marker()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartGeminiAsync("A cat [Sim:Filtered] on a piano");
        sim.Time.Advance(TimeSpan.FromSeconds(10));

        // act
        var json = await sim.PollGeminiAsync(name);

        // assert
        var video = json.GetProperty("response").GetProperty("generateVideoResponse");
        Assert.Equal(1, video.GetProperty("raiMediaFilteredCount").GetInt32());
        Assert.False(video.TryGetProperty("generatedSamples", out _));
    }

    [Fact]
    public async Task Should_answer_done_with_an_error_and_no_response_when_the_operation_fails()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        sim.Simulator.Enqueue(new SimulatedOutcome.OperationError(3, "The image could not be processed."));
        var scripted = await sim.StartGeminiAsync();
        var marked = await sim.StartGeminiAsync("A cat [sim:error]");
        sim.Time.Advance(TimeSpan.FromSeconds(10));

        // act
        var scriptedJson = await sim.PollGeminiAsync(scripted);
        var markedJson = await sim.PollGeminiAsync(marked);

        // assert
        Assert.Equal(["done", "error", "name"], TestSimulator.PropertyNames(scriptedJson));
        Assert.Equal(["code", "message"], TestSimulator.PropertyNames(scriptedJson.GetProperty("error")));
        Assert.Equal(3, scriptedJson.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("The image could not be processed.", scriptedJson.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(13, markedJson.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Should_answer_429_RESOURCE_EXHAUSTED_with_RetryInfo_and_start_nothing_when_the_prompt_has_the_429_marker()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act
        using var response = await sim.PostGeminiAsync(TestSimulator.StartBody("A cat [sim:429]"));
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        var error = json.GetProperty("error");
        Assert.Equal(429, error.GetProperty("code").GetInt32());
        Assert.Equal("RESOURCE_EXHAUSTED", error.GetProperty("status").GetString());
        Assert.Equal("1s", Detail(json, "type.googleapis.com/google.rpc.RetryInfo").GetProperty("retryDelay").GetString());
        var violation = Detail(json, "type.googleapis.com/google.rpc.QuotaFailure").GetProperty("violations")[0];
        Assert.Equal(TestSimulator.Model, violation.GetProperty("quotaDimensions").GetProperty("model").GetString());
        Assert.Equal(new VeoSimulatorStats(0, 0, 0, 0, 0, 1, 1), sim.Simulator.GetStats());
    }

    [Fact]
    public async Task Should_answer_500_INTERNAL_and_start_nothing_when_the_prompt_has_the_500_marker()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act
        using var response = await sim.PostGeminiAsync(TestSimulator.StartBody("A cat [sim:500]"));
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("INTERNAL", json.GetProperty("error").GetProperty("status").GetString());
        Assert.Equal(0, sim.Simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_answer_the_scripted_http_errors_in_order_then_start_when_errors_are_queued()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        sim.Simulator.Enqueue(new SimulatedOutcome.HttpError(429, "RESOURCE_EXHAUSTED", "Slow down.", TimeSpan.FromMilliseconds(2500)));
        sim.Simulator.Enqueue(new SimulatedOutcome.HttpError(503, "UNAVAILABLE", "The model is overloaded."));

        // act
        using var first = await sim.PostGeminiAsync(TestSimulator.StartBody());
        using var second = await sim.PostGeminiAsync(TestSimulator.StartBody());
        using var third = await sim.PostGeminiAsync(TestSimulator.StartBody());
        var firstJson = await TestSimulator.ReadJsonAsync(first);

        // assert
        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Equal("Slow down.", firstJson.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("2.500s", Detail(firstJson, "type.googleapis.com/google.rpc.RetryInfo").GetProperty("retryDelay").GetString());
        Assert.Equal(TimeSpan.FromSeconds(3), first.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Null(second.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal(new VeoSimulatorStats(1, 0, 0, 1, 1, 3, 2), sim.Simulator.GetStats());
    }

    [Fact]
    public async Task Should_answer_503_once_then_the_operation_when_the_prompt_has_the_poll503_marker()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartGeminiAsync("A cat [sim:poll503]");

        // act
        using var first = await sim.GetWithKeyAsync("v1beta/" + name);
        using var second = await sim.GetWithKeyAsync("v1beta/" + name);

        // assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal("UNAVAILABLE", (await TestSimulator.ReadJsonAsync(first)).GetProperty("error").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, sim.Simulator.GetStats().Polls);
    }

    [Fact]
    public async Task Should_finish_after_the_marked_latency_when_the_prompt_has_a_latency_marker()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartGeminiAsync("A cat [sim:latency=3.5]");

        // act
        sim.Time.Advance(TimeSpan.FromSeconds(3.4));
        var before = await sim.PollGeminiAsync(name);
        sim.Time.Advance(TimeSpan.FromSeconds(0.1));
        var after = await sim.PollGeminiAsync(name);

        // assert
        Assert.False(before.TryGetProperty("done", out _));
        Assert.True(after.GetProperty("done").GetBoolean());
    }

    [Fact]
    public async Task Should_use_the_scripted_latency_when_the_outcome_has_one()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        sim.Simulator.Enqueue(new SimulatedOutcome.Success(TimeSpan.FromSeconds(1)));
        var quick = await sim.StartGeminiAsync();
        var normal = await sim.StartGeminiAsync();

        // act
        sim.Time.Advance(TimeSpan.FromSeconds(1));
        var quickJson = await sim.PollGeminiAsync(quick);
        var normalJson = await sim.PollGeminiAsync(normal);

        // assert
        Assert.True(quickJson.GetProperty("done").GetBoolean());
        Assert.False(normalJson.TryGetProperty("done", out _));
    }

    [Fact]
    public async Task Should_start_the_operation_at_once_but_answer_late_when_the_start_is_slow()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        sim.Simulator.Enqueue(new SimulatedOutcome.SlowStart(TimeSpan.FromSeconds(30), new SimulatedOutcome.Success()));

        // act
        var pending = sim.PostGeminiAsync(TestSimulator.StartBody());
        await WaitUntilAsync(() => sim.Simulator.GetStats().OperationsStarted == 1);
        var answeredBeforeTheDelay = pending.IsCompleted;
        var waited = await AdvanceUntilCompletedAsync(sim, pending);
        using var response = await pending;

        // assert
        Assert.False(answeredBeforeTheDelay);
        Assert.True(waited >= TimeSpan.FromSeconds(30), $"answered after {waited}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Should_answer_the_error_late_and_start_nothing_when_a_slow_start_ends_in_an_error()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        sim.Simulator.Enqueue(new SimulatedOutcome.SlowStart(TimeSpan.FromSeconds(5), new SimulatedOutcome.HttpError(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.")));

        // act
        var pending = sim.PostGeminiAsync(TestSimulator.StartBody());
        var waited = await AdvanceUntilCompletedAsync(sim, pending);
        using var response = await pending;

        // assert
        Assert.True(waited >= TimeSpan.FromSeconds(5), $"answered after {waited}");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(new VeoSimulatorStats(0, 0, 0, 0, 0, 1, 1), sim.Simulator.GetStats());
    }

    [Fact]
    public async Task Should_keep_the_scripted_outcome_for_a_later_request_when_an_invalid_request_comes_first()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        sim.Simulator.Enqueue(new SimulatedOutcome.Filtered("blocked"));
        using var invalid = await sim.PostGeminiAsync(TestSimulator.StartBody(parameters: new { durationSeconds = 7 }));

        // act
        var name = await sim.StartGeminiAsync();
        sim.Time.Advance(TimeSpan.FromSeconds(10));
        var json = await sim.PollGeminiAsync(name);

        // assert
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("blocked", json.GetProperty("response").GetProperty("generateVideoResponse").GetProperty("raiMediaFilteredReasons")[0].GetString());
    }

    private static JsonElement Detail(JsonElement json, string type)
        => json.GetProperty("error").GetProperty("details").EnumerateArray().Single(d => d.GetProperty("@type").GetString() == type);

    /// <summary>Moves the fake clock in 1 s steps until the request is answered; returns how far it moved.</summary>
    private static async Task<TimeSpan> AdvanceUntilCompletedAsync(TestSimulator sim, Task pending)
    {
        var start = sim.Time.GetUtcNow();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!pending.IsCompleted)
        {
            timeout.Token.ThrowIfCancellationRequested();
            sim.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(pending, Task.Delay(20, timeout.Token));
        }

        return sim.Time.GetUtcNow() - start;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
