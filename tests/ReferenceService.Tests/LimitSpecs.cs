using System.Net;

namespace ReferenceService.Tests;

/// <summary>One script cannot burn the Veo budget: submits are limited per client (429 + Retry-After).</summary>
public sealed class RateLimitSpecs(RateLimitSpecs.Fixture service) : IClassFixture<RateLimitSpecs.Fixture>
{
    public sealed class Fixture : ServiceFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["RateLimiting:Submits:PermitLimit"] = "3",
            ["RateLimiting:Submits:WindowSeconds"] = "3600",
        };
    }

    [Fact]
    public async Task Should_answer_429_with_retry_after_when_a_client_submits_more_than_its_allowance()
    {
        // arrange
        var client = service.Client;
        var startedBefore = service.Simulator.GetStats().StartRequests;
        var allowed = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            allowed.Add(await client.SubmitAsync(Api.SeedRequest(adId: 70, prompt: $"allowed {i}")));
        }

        // act
        using var single = await client.PostAsync(Api.SubmitPath, Api.Json(Api.SeedRequest(adId: 70, prompt: "one too many")));
        using var sync = await client.PostAsync(Api.SyncPath, Api.Json(Api.SeedRequest(adId: 70, prompt: "one too many, sync")));
        using var batch = await client.PostAsync(Api.BatchPath, Api.Json(new { requests = new[] { Api.SeedRequest(adId: 70, prompt: "batched") } }));

        // assert
        foreach (var refused in new[] { single, sync, batch })
        {
            var problem = await refused.ReadProblemAsync(HttpStatusCode.TooManyRequests);
            var retryAfter = refused.Headers.RetryAfter?.Delta ?? throw new Xunit.Sdk.XunitException("no Retry-After header");
            Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
            Assert.Equal((int)retryAfter.TotalSeconds, problem.GetProperty("retry_after_seconds").GetInt32());
        }

        foreach (var taskId in allowed)
        {
            await client.WaitForSuccessAsync(taskId);
        }

        Assert.Equal(startedBefore + 3, service.Simulator.GetStats().StartRequests);
    }
}

/// <summary>A full queue refuses new work with 503 + Retry-After instead of growing without bound.</summary>
public sealed class QueueLimitSpecs(QueueLimitSpecs.Fixture service) : IClassFixture<QueueLimitSpecs.Fixture>
{
    public sealed class Fixture : ServiceFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Generation:MaxConcurrency"] = "1",
            ["Generation:MaxQueueLength"] = "1",
            ["Veo:Simulator:LatencySeconds"] = "2",
        };
    }

    [Fact]
    public async Task Should_answer_503_with_retry_after_when_the_queue_is_full()
    {
        // arrange: one task in the only slot, one waiting
        var client = service.Client;
        var running = await client.SubmitAsync(Api.SeedRequest(adId: 80, prompt: "[sim:latency=4] in the slot"));
        await client.WaitForStatusAsync(running, s => s.State() == "PROGRESS", "running");
        var waiting = await client.SubmitAsync(Api.SeedRequest(adId: 80, prompt: "in the queue"));

        // act
        using var refused = await client.PostAsync(Api.SubmitPath, Api.Json(Api.SeedRequest(adId: 80, prompt: "no room")));
        using var refusedBatch = await client.PostAsync(Api.BatchPath, Api.Json(new { requests = new[] { Api.SeedRequest(adId: 80, prompt: "no room either") } }));

        // assert
        foreach (var response in new[] { refused, refusedBatch })
        {
            await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After header");
        }

        await client.WaitForSuccessAsync(running);
        await client.WaitForSuccessAsync(waiting);
        Assert.Equal(2, service.Simulator.GetStats().OperationsStarted);
    }
}

/// <summary>A task that cannot answer in time (its shard moving, a node overloaded) is a 503 with Retry-After, never a 500 or a hang.</summary>
public sealed class UnavailableTaskSpecs : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private ServiceHost _service = null!;

    // A node whose only seed never answers never joins its cluster: no shard of it can answer, as while a shard moves.
    public async Task InitializeAsync()
    {
        using var unused = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        unused.Start();
        var port = ((IPEndPoint)unused.LocalEndpoint).Port;
        unused.Stop();
        _service = await ServiceHost.StartAsync(
            _data.Path,
            new Dictionary<string, string?>
            {
                ["Akka:SeedNodes"] = $"akka.tcp://veo@127.0.0.1:{port}",
                ["Generation:ReadAskTimeoutSeconds"] = "0.5",
            },
            unhealthyChecksAllowed: ["akka.cluster.join", "engine-warm-up"]);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        _data.Delete();
    }

    [Fact]
    public async Task Should_answer_503_with_retry_after_within_the_read_timeout_when_a_task_cannot_answer_its_status_or_cancel()
    {
        var id = Guid.NewGuid().ToString("N");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var status = await _service.Client.GetAsync(new Uri(Api.StatusPath(id), UriKind.Relative));
        var statusTook = watch.Elapsed;
        using var cancel = await _service.Client.PostAsync(new Uri(Api.CancelPath(id), UriKind.Relative), null);

        Assert.InRange(statusTook, TimeSpan.FromSeconds(0.4), TimeSpan.FromSeconds(10));
        foreach (var answer in new[] { status, cancel })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            Assert.True(answer.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            var problem = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
            Assert.Contains("ReadAskTimeoutSeconds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }
}
