using Veo.Sdk.Testing;

namespace ReferenceService.Tests;

/// <summary>
/// A restart on the same data finishes what was in flight: tasks already at Veo are polled again (not started twice), and
/// tasks still waiting start. The simulator runs outside the service here, as Google does, through the Gemini API backend
/// settings (<c>Veo:Backend=GeminiApi</c>, <c>Veo:BaseUrl</c>, <c>Veo:ApiKey</c>).
/// </summary>
public sealed class RestartSpecs : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private VeoSimulator _veo = null!;

    public async Task InitializeAsync()
        => _veo = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromSeconds(3) });

    public async Task DisposeAsync()
    {
        await _veo.DisposeAsync();
        _data.Delete();
    }

    [Fact]
    public async Task Should_finish_in_flight_tasks_without_starting_them_twice_when_the_service_restarts()
    {
        // arrange: two tasks at Veo, one waiting for a slot, grouped in a batch, when the service goes down
        var settings = new Dictionary<string, string?>
        {
            ["Veo:Backend"] = "GeminiApi",
            ["Veo:BaseUrl"] = _veo.BaseUrl.ToString(),
            ["Veo:ApiKey"] = _veo.Options.ApiKey,
            ["Generation:MaxConcurrency"] = "2",
            ["Generation:ExpectedGenerationSeconds"] = "3",
        };
        string batchId;
        string[] taskIds;
        await using (var before = await ServiceHost.StartAsync(_data.Path, settings))
        {
            var body = new { requests = Enumerable.Range(1, 3).Select(i => Api.SeedRequest(adId: 90, prompt: $"in flight {i}")).ToArray() };
            using var response = await before.Client.PostAsync(Api.BatchPath, Api.Json(body));
            var accepted = await response.ReadJsonAsync();
            batchId = accepted.GetProperty("batch_id").GetString()!;
            taskIds = accepted.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("task_id").GetString()!).ToArray();
            await Eventually.True(() => _veo.GetStats().OperationsStarted == 2, TimeSpan.FromSeconds(30), () => "two generations to start at Veo");
            var batch = await before.Client.GetFromJsonElementAsync(Api.BatchStatusPath(batchId));
            Assert.Equal(2, batch.GetProperty("counts").GetProperty("progress").GetInt32());
            Assert.Equal(1, batch.GetProperty("counts").GetProperty("pending").GetInt32());
        }

        // act: a new service on the same data
        await using var after = await ServiceHost.StartAsync(_data.Path, settings);

        // assert
        foreach (var taskId in taskIds)
        {
            await after.Client.WaitForSuccessAsync(taskId);
        }

        var settled = await after.Client.GetFromJsonElementAsync(Api.BatchStatusPath(batchId));
        Assert.True(settled.GetProperty("all_settled").GetBoolean());
        Assert.Equal(3, settled.GetProperty("counts").GetProperty("success").GetInt32());
        Assert.Equal(3, _veo.GetStats().OperationsStarted);

        var saved = await after.Client.GetFromJsonElementAsync("/api/v1/ads/90/generations");
        Assert.Equal(taskIds.Order(), saved.GetProperty("generations").EnumerateArray().Select(g => g.GetProperty("task_id").GetString()!).Order());
        var video = await after.Client.GetByteArrayAsync(new Uri(saved.GetProperty("generations")[0].GetProperty("video_url").GetString()!));
        Assert.Equal("ftyp"u8.ToArray(), video[4..8]);
    }
}
