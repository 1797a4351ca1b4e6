using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Veo.Sdk.Testing;

namespace Veo.Sdk.Tests;

/// <summary>What is retried, what is not, and how long the client waits: a repeated start is a second bill.</summary>
public sealed class RetryPolicyTests
{
    [Fact]
    public async Task Should_retry_the_start_after_the_delay_google_asked_for_when_veo_answers_429()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        simulator.Enqueue(new SimulatedOutcome.HttpError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for PredictLongRunningRequestsPerMinute.", TimeSpan.FromSeconds(1)));
        simulator.Enqueue(new SimulatedOutcome.Success(TimeSpan.FromMilliseconds(200)));
        var client = TestClients.Gemini(simulator, o => o.RetryDelay = TimeSpan.FromMilliseconds(10));

        // act
        var stopwatch = Stopwatch.StartNew();
        var operation = await client.StartGenerateVideoAsync(TestClients.Request());
        var elapsed = stopwatch.Elapsed;
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert: RetryInfo (1 s) was honoured, not the 10 ms back-off
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {elapsed.TotalMilliseconds} ms, before Google's 1 s");
        Assert.IsType<GenerateVideoResult.Succeeded>(result);
        var stats = simulator.GetStats();
        Assert.Equal(2, stats.StartRequests);
        Assert.Equal(1, stats.RejectedStarts);
        Assert.Equal(1, stats.OperationsStarted);
    }

    [Fact]
    public async Task Should_retry_the_start_when_the_prompt_marker_asks_for_a_429_and_fail_with_the_retry_delay_when_retries_run_out()
    {
        // arrange: every attempt of this prompt is refused, so the retries run out
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator, o => o.MaxRetries = 1);

        // act
        var thrown = await Assert.ThrowsAsync<VeoRequestFailedException>(() => client.StartGenerateVideoAsync(TestClients.Request("A scene [sim:429]")));

        // assert
        Assert.Equal(429, thrown.Status);
        Assert.Equal("RESOURCE_EXHAUSTED", thrown.ErrorCode);
        Assert.True(thrown.IsQuotaExceeded);
        Assert.True(thrown.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(1), thrown.RetryAfter);
        var stats = simulator.GetStats();
        Assert.Equal(2, stats.StartRequests);
        Assert.Equal(0, stats.OperationsStarted);
    }

    [Fact]
    public async Task Should_fail_at_once_with_retry_after_when_google_asks_for_a_longer_delay_than_the_client_waits()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        simulator.Enqueue(new SimulatedOutcome.HttpError(429, "RESOURCE_EXHAUSTED", "Quota exceeded.", TimeSpan.FromSeconds(25)));
        var client = TestClients.Gemini(simulator, o => o.MaxRetryDelay = TimeSpan.FromSeconds(2));

        // act
        var thrown = await Assert.ThrowsAsync<VeoRequestFailedException>(() => client.StartGenerateVideoAsync(TestClients.Request()));

        // assert
        Assert.Equal(TimeSpan.FromSeconds(25), thrown.RetryAfter);
        Assert.Equal(1, simulator.GetStats().StartRequests);
    }

    [Fact]
    public async Task Should_not_retry_the_start_when_veo_answers_500()
    {
        // arrange: one generation already ran
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = TestClients.Gemini(simulator);
        await client.StartGenerateVideoAsync(TestClients.Request());

        // act
        var thrown = await Assert.ThrowsAsync<VeoRequestFailedException>(() => client.StartGenerateVideoAsync(TestClients.Request("A scene [sim:500]")));

        // assert
        Assert.Equal(500, thrown.Status);
        Assert.Equal("INTERNAL", thrown.ErrorCode);
        Assert.True(thrown.IsTransient);
        var stats = simulator.GetStats();
        Assert.Equal(1, stats.OperationsStarted);
        Assert.Equal(2, stats.StartRequests);
    }

    [Fact]
    public async Task Should_not_retry_the_start_when_a_scripted_503_answers_it()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        simulator.Enqueue(new SimulatedOutcome.HttpError(503, "UNAVAILABLE", "The service is currently unavailable."));

        // act
        var thrown = await Assert.ThrowsAsync<VeoRequestFailedException>(() => TestClients.Gemini(simulator).StartGenerateVideoAsync(TestClients.Request()));

        // assert
        Assert.Equal(503, thrown.Status);
        Assert.Equal(1, simulator.GetStats().StartRequests);
    }

    [Fact]
    public async Task Should_retry_a_poll_that_answers_503()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var client = TestClients.Gemini(simulator, loggerFactory: loggerFactory);

        // act
        var operation = await client.StartGenerateVideoAsync(TestClients.Request("A scene [sim:poll503]"));
        var status = await client.GetOperationStatusAsync(operation.Name);
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert: the first poll met a 503 and was repeated inside the same call
        Assert.Equal(operation.Name, status.Name);
        Assert.IsType<GenerateVideoResult.Succeeded>(result);
        Assert.Contains(logs.Entries, e => e.EventId.Name == "RetryingRequest" && e.Message.Contains("Poll", StringComparison.Ordinal) && e.Message.Contains("503", StringComparison.Ordinal));
        Assert.True(simulator.GetStats().Polls >= 2);
    }

    [Fact]
    public async Task Should_retry_the_start_when_the_connection_is_refused()
    {
        // arrange: a port nobody listens on
        var port = FreePort();
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var options = new VeoClientOptions
        {
            ApiKey = "k",
            BaseUrl = new Uri($"http://127.0.0.1:{port}/"),
            MaxRetries = 2,
            RetryDelay = TimeSpan.FromMilliseconds(10),
        };
        var client = new VeoClient(options, new HttpClient(), loggerFactory);

        // act
        var thrown = await Assert.ThrowsAsync<VeoRequestFailedException>(() => client.StartGenerateVideoAsync(TestClients.Request()));

        // assert
        Assert.Equal(0, thrown.Status);
        Assert.True(thrown.IsTransient);
        Assert.Equal(2, logs.Entries.Count(e => e.EventId.Name == "RetryingRequest" && e.Message.Contains("Start", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Should_not_retry_the_start_when_the_answer_does_not_come_in_time()
    {
        // arrange: the simulator starts the generation but answers late; a repeat would start a second one
        await using var simulator = await TestClients.StartSimulatorAsync();
        simulator.Enqueue(new SimulatedOutcome.SlowStart(TimeSpan.FromSeconds(3), new SimulatedOutcome.Success()));
        var client = TestClients.Gemini(simulator, o => o.RequestTimeout = TimeSpan.FromSeconds(1));

        // act
        var thrown = await Assert.ThrowsAsync<VeoRequestFailedException>(() => client.StartGenerateVideoAsync(TestClients.Request()));

        // assert: on a loaded machine the request may reach the simulator only after the client gave up; wait until it
        // has, then long enough for a repeat (RetryDelay is 20 ms) to have arrived too
        Assert.Equal(0, thrown.Status);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (simulator.GetStats().StartRequests == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, simulator.GetStats().StartRequests);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
