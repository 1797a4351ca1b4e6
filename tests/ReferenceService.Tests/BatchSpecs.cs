using System.Net;

namespace ReferenceService.Tests;

/// <summary>Batches: one call, one task per request, one status that aggregates them.</summary>
public sealed class BatchSpecs(DefaultServiceFixture service) : IClassFixture<DefaultServiceFixture>
{
    private readonly HttpClient _client = service.Client;

    [Fact]
    public async Task Should_count_the_tasks_per_state_until_all_settle_when_a_batch_is_submitted()
    {
        // arrange
        var body = new
        {
            requests = new object[]
            {
                Api.SeedRequest(adId: 31, prompt: "portrait take"),
                Api.SeedRequest(adId: 31, prompt: "[sim:filtered] a take the safety filter stops"),
                new { prompt = "landscape take", aspect_ratio = "VIDEO_ASPECT_RATIO_LANDSCAPE", video_model_key = "veo_3_1_t2v_fast", ad_id = 31, priority = "high" },
            },
        };

        // act
        using var response = await _client.PostAsync(Api.BatchPath, Api.Json(body));
        var accepted = await response.ReadJsonAsync();

        // assert: a batch id and one task per request, in order
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(accepted.GetProperty("success").GetBoolean());
        var batchId = accepted.GetProperty("batch_id").GetString()!;
        var taskIds = accepted.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("task_id").GetString()!).ToArray();
        Assert.Equal(3, taskIds.Distinct().Count());
        Assert.Equal(service.Host.Url(Api.BatchStatusPath(batchId)), response.Headers.Location);

        var first = await _client.GetFromJsonElementAsync(Api.BatchStatusPath(batchId));
        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal(taskIds, first.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("task_id").GetString()));

        var settled = first;
        await Eventually.Async(
            async () =>
            {
                settled = await _client.GetFromJsonElementAsync(Api.BatchStatusPath(batchId));
                return settled.GetProperty("all_settled").GetBoolean();
            },
            TimeSpan.FromSeconds(60),
            () => $"batch {batchId} to settle (last {settled})");
        var counts = settled.GetProperty("counts");
        Assert.Equal(2, counts.GetProperty("success").GetInt32());
        Assert.Equal(1, counts.GetProperty("failure").GetInt32());
        Assert.Equal(0, counts.GetProperty("pending").GetInt32() + counts.GetProperty("progress").GetInt32() + counts.GetProperty("revoked").GetInt32());
        var tasks = settled.GetProperty("tasks").EnumerateArray().ToArray();
        Assert.Equal(["SUCCESS", "FAILURE", "SUCCESS"], tasks.Select(t => t.State()));
        Assert.Equal("SAFETY_FILTERED", tasks[1].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("high", tasks[2].GetProperty("priority").GetString());
        Assert.Equal("16:9", tasks[2].GetProperty("result").GetProperty("aspect_ratio").GetString());
    }

    [Fact]
    public async Task Should_name_the_same_batch_and_tasks_when_a_batch_is_retried_with_the_same_idempotency_key()
    {
        // arrange
        var key = Guid.NewGuid().ToString();
        var body = new { requests = new[] { Api.SeedRequest(adId: 32, prompt: "one"), Api.SeedRequest(adId: 32, prompt: "two") } };
        var startedBefore = service.Simulator.GetStats().OperationsStarted;

        // act
        using var first = await _client.PostAsync(Api.BatchPath, Api.Json(body), key);
        using var retry = await _client.PostAsync(Api.BatchPath, Api.Json(body), key);
        var firstJson = await first.ReadJsonAsync();
        var retryJson = await retry.ReadJsonAsync();

        // assert
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(firstJson.GetProperty("batch_id").GetString(), retryJson.GetProperty("batch_id").GetString());
        static string?[] TaskIds(System.Text.Json.JsonElement batch) => batch.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("task_id").GetString()).ToArray();
        Assert.Equal(TaskIds(firstJson), TaskIds(retryJson));
        foreach (var task in firstJson.GetProperty("tasks").EnumerateArray())
        {
            await _client.WaitForSuccessAsync(task.GetProperty("task_id").GetString()!);
        }

        Assert.Equal(startedBefore + 2, service.Simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_answer_422_and_queue_nothing_when_a_batch_key_is_reused_for_other_requests()
    {
        // arrange
        var key = Guid.NewGuid().ToString();
        var original = new { requests = new[] { Api.SeedRequest(adId: 33, prompt: "first [sim:latency=0.2]") } };
        var startedBefore = service.Simulator.GetStats().StartRequests;
        using var first = await _client.PostAsync(Api.BatchPath, Api.Json(original), key);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        // act: the same first request plus one more, then a different first request
        var longer = new { requests = new[] { Api.SeedRequest(adId: 33, prompt: "first [sim:latency=0.2]"), Api.SeedRequest(adId: 33, prompt: "extra") } };
        using var grown = await _client.PostAsync(Api.BatchPath, Api.Json(longer), key);
        var changed = new { requests = new[] { Api.SeedRequest(adId: 33, prompt: "changed") } };
        using var edited = await _client.PostAsync(Api.BatchPath, Api.Json(changed), key);

        // assert
        var problem = await grown.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(key, problem.GetProperty("idempotency_key").GetString());
        await edited.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        var firstTask = (await first.ReadJsonAsync()).GetProperty("tasks")[0].GetProperty("task_id").GetString()!;
        await _client.WaitForSuccessAsync(firstTask);
        Assert.Equal(startedBefore + 1, service.Simulator.GetStats().StartRequests);   // only the original task reached Veo
        Assert.Equal("first [sim:latency=0.2]", (await _client.StatusAsync(firstTask)).GetProperty("result").GetProperty("prompt").GetString());
    }

    [Fact]
    public async Task Should_answer_404_when_a_batch_is_unknown()
    {
        // act
        using var response = await _client.GetAsync(new Uri(Api.BatchStatusPath("0123456789abcdef0123456789abcdef"), UriKind.Relative));

        // assert
        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }
}
