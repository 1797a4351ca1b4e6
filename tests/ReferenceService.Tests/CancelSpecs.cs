using System.Net;

namespace ReferenceService.Tests;

/// <summary>Cancel: a waiting task never reaches Veo, a running one is revoked, an ended one stays as it was.</summary>
public sealed class CancelSpecs(CancelSpecs.Fixture service) : IClassFixture<CancelSpecs.Fixture>
{
    private readonly HttpClient _client = service.Client;

    /// <summary>One slot, so a second task has to wait; generations long enough to cancel one while it runs.</summary>
    public sealed class Fixture : ServiceFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Generation:MaxConcurrency"] = "1",
            ["Veo:Simulator:LatencySeconds"] = "2",
        };
    }

    [Fact]
    public async Task Should_remove_the_task_from_the_queue_when_it_is_cancelled_before_it_starts()
    {
        // arrange
        var startedBefore = service.Simulator.GetStats().OperationsStarted;
        var running = await _client.SubmitAsync(Api.SeedRequest(adId: 21, prompt: "[sim:latency=3] holds the only slot"));
        var waiting = await _client.SubmitAsync(Api.SeedRequest(adId: 21, prompt: "waits for the slot"));
        var queued = await _client.WaitForStatusAsync(waiting, s => s.State() == "PENDING", "waiting");
        Assert.Equal(1, queued.GetProperty("queue_position").GetInt32());

        // act
        using var response = await _client.PostAsync(Api.CancelPath(waiting), content: null);
        var outcome = await response.ReadJsonAsync();

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("removed_from_queue", outcome.GetProperty("outcome").GetString());
        Assert.Equal("REVOKED", outcome.GetProperty("state").GetString());
        Assert.Equal("REVOKED", (await _client.StatusAsync(waiting)).State());

        // the slot goes to the next task instead: once it is done, the cancelled one has surely never started
        var next = await _client.SubmitAsync(Api.SeedRequest(adId: 21, prompt: "takes the slot next"));
        await _client.WaitForSuccessAsync(running);
        await _client.WaitForSuccessAsync(next);
        Assert.Equal("REVOKED", (await _client.StatusAsync(waiting)).State());
        Assert.Equal(startedBefore + 2, service.Simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_revoke_the_task_when_it_is_cancelled_while_veo_generates()
    {
        // arrange
        var adId = Random.Shared.NextInt64(1_000_000, 9_000_000);
        var taskId = await _client.SubmitAsync(Api.SeedRequest(adId, prompt: "[sim:latency=2.5] cancelled midway"));
        await _client.WaitForStatusAsync(taskId, s => s.GetProperty("stage").GetString() == "generating", "generating");

        // act
        using var response = await _client.PostAsync(Api.CancelPath(taskId), content: null);
        var outcome = await response.ReadJsonAsync();

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("revoked_while_running", outcome.GetProperty("outcome").GetString());
        Assert.Contains("billed", outcome.GetProperty("message").GetString());

        // once Veo has finished the generation anyway, the task is still revoked and nothing was saved
        await Eventually.True(() => service.Simulator.GetStats().Active == 0, TimeSpan.FromSeconds(30), () => "Veo to finish the abandoned generation");
        var next = await _client.SubmitAsync(Api.SeedRequest(adId, prompt: "after the cancelled one"));
        await _client.WaitForSuccessAsync(next);
        var status = await _client.StatusAsync(taskId);
        Assert.Equal("REVOKED", status.State());
        Assert.False(status.TryGetProperty("result", out _));
        var saved = await _client.GetFromJsonElementAsync($"/api/v1/ads/{adId}/generations");
        Assert.Equal([next], saved.GetProperty("generations").EnumerateArray().Select(g => g.GetProperty("task_id").GetString()));
    }

    [Fact]
    public async Task Should_change_nothing_when_the_task_has_already_ended()
    {
        // arrange
        var taskId = await _client.SubmitAsync(Api.SeedRequest(adId: 23));
        await _client.WaitForSuccessAsync(taskId);

        // act
        using var response = await _client.PostAsync(Api.CancelPath(taskId), content: null);
        var outcome = await response.ReadJsonAsync();

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("already_ended", outcome.GetProperty("outcome").GetString());
        Assert.Equal("SUCCESS", outcome.GetProperty("state").GetString());
        Assert.Equal("SUCCESS", (await _client.StatusAsync(taskId)).State());
    }
}
