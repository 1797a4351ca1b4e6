using System.Text.Json;
using Veo.Sdk.Testing;

namespace ReferenceService.Tests;

/// <summary>
/// A restart on the same data finishes what was in flight: tasks already at Veo are polled again (not started twice), and
/// tasks still waiting start. The simulator runs outside the service here, as Google does, through the Gemini API backend
/// settings (<c>Veo:Backend=GeminiApi</c>, <c>Veo:BaseUrl</c>, <c>Veo:ApiKey</c>), so it outlives the service.
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
    public async Task Should_finish_generations_without_starting_them_twice_when_the_service_restarts_while_veo_works()
    {
        // arrange: three tasks of a batch at Veo when the service goes down
        var settings = Settings(maxConcurrency: 3);
        string batchId;
        string[] taskIds;
        await using (var before = await ServiceHost.StartAsync(_data.Path, settings))
        {
            (batchId, taskIds) = await SubmitBatchAsync(before, adId: 91, count: 3);
            await WaitUntilGeneratingAsync(before, batchId, expected: 3);
        }

        // act: a new service on the same data
        await using var after = await ServiceHost.StartAsync(_data.Path, settings);

        // assert
        await AssertAllSucceedAsync(after, taskIds);
        var settled = await after.Client.GetFromJsonElementAsync(Api.BatchStatusPath(batchId));
        Assert.True(settled.GetProperty("all_settled").GetBoolean());
        Assert.Equal(3, settled.GetProperty("counts").GetProperty("success").GetInt32());
        Assert.Equal(3, _veo.GetStats().OperationsStarted);

        var saved = await after.Client.GetFromJsonElementAsync("/api/v1/ads/91/generations");
        Assert.Equal(taskIds.Order(), saved.GetProperty("generations").EnumerateArray().Select(g => g.GetProperty("task_id").GetString()!).Order());
        var video = await after.Client.GetByteArrayAsync(new Uri(saved.GetProperty("generations")[0].GetProperty("video_url").GetString()!));
        Assert.Equal("ftyp"u8.ToArray(), video[4..8]);
    }

    // A graceful stop must not grant the freed slot to the waiting task (it would journal a start intent it cannot carry
    // out and come back as INDETERMINATE_START); the dispatcher grants nothing once coordinated shutdown has begun.
    [Fact]
    public async Task Should_start_waiting_tasks_when_the_service_restarts_while_they_wait_for_a_slot()
    {
        // arrange: one task at Veo and one waiting for the only slot when the service goes down
        var settings = Settings(maxConcurrency: 1);
        string batchId;
        string[] taskIds;
        await using (var before = await ServiceHost.StartAsync(_data.Path, settings))
        {
            (batchId, taskIds) = await SubmitBatchAsync(before, adId: 92, count: 2);
            var batch = await WaitUntilGeneratingAsync(before, batchId, expected: 1);
            Assert.Equal(1, batch.GetProperty("counts").GetProperty("pending").GetInt32());
        }

        // act
        await using var after = await ServiceHost.StartAsync(_data.Path, settings);

        // assert
        await AssertAllSucceedAsync(after, taskIds);
        Assert.Equal(2, _veo.GetStats().OperationsStarted);
    }

    private Dictionary<string, string?> Settings(int maxConcurrency) => new()
    {
        ["Veo:Backend"] = "GeminiApi",
        ["Veo:BaseUrl"] = _veo.BaseUrl.ToString(),
        ["Veo:ApiKey"] = _veo.Options.ApiKey,
        ["Generation:MaxConcurrency"] = maxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Generation:ExpectedGenerationSeconds"] = "3",
    };

    private static async Task<(string BatchId, string[] TaskIds)> SubmitBatchAsync(ServiceHost service, long adId, int count)
    {
        var body = new { requests = Enumerable.Range(1, count).Select(i => Api.SeedRequest(adId, prompt: $"in flight {i}")).ToArray() };
        using var response = await service.Client.PostAsync(Api.BatchPath, Api.Json(body));
        var accepted = await response.ReadJsonAsync();
        return (accepted.GetProperty("batch_id").GetString()!, accepted.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("task_id").GetString()!).ToArray());
    }

    /// <summary>
    /// Waits until <paramref name="expected"/> tasks are generating: Veo's operation name is then in the journal, so the stop
    /// that follows interrupts no start call (whose outcome no restart could know; the engine fails such a task as
    /// INDETERMINATE_START rather than risk paying twice).
    /// </summary>
    private async Task<JsonElement> WaitUntilGeneratingAsync(ServiceHost service, string batchId, int expected)
    {
        var batch = default(JsonElement);
        await Eventually.Async(
            async () =>
            {
                batch = await service.Client.GetFromJsonElementAsync(Api.BatchStatusPath(batchId));
                return batch.GetProperty("tasks").EnumerateArray().Count(t => t.GetProperty("stage").GetString() == "generating") == expected;
            },
            TimeSpan.FromSeconds(30),
            () => $"{expected} tasks to be generating at Veo (last {batch})");
        Assert.Equal(expected, _veo.GetStats().OperationsStarted);
        return batch;
    }

    private async Task AssertAllSucceedAsync(ServiceHost service, IEnumerable<string> taskIds)
    {
        foreach (var taskId in taskIds)
        {
            var final = await service.Client.WaitForFinalAsync(taskId);
            Assert.True(final.State() == "SUCCESS", $"task {taskId} ended {final}; Veo saw {_veo.GetStats()}");
        }
    }
}
