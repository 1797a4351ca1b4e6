using System.Net;

namespace ReferenceService.Tests;

/// <summary>The deprecated synchronous endpoint: same engine, visibly deprecated, and a caller who leaves loses nothing.</summary>
public sealed class DeprecatedEndpointSpecs(DeprecatedEndpointSpecs.Fixture service) : IClassFixture<DeprecatedEndpointSpecs.Fixture>
{
    private readonly HttpClient _client = service.Client;

    public sealed class Fixture : ServiceFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Api:SunsetAt"] = "2027-06-30T00:00:00Z",
        };
    }

    [Fact]
    public async Task Should_answer_the_finished_generation_with_deprecation_headers_when_called_synchronously()
    {
        // arrange
        var request = Api.SeedRequest(adId: 41, prompt: "A paper boat on a rain puddle");

        // act
        using var response = await _client.PostAsync(Api.SyncPath, Api.Json(request));
        var answer = await response.ReadJsonAsync();

        // assert: the finished result
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(answer.GetProperty("success").GetBoolean());
        var generationId = answer.GetProperty("generation_id").GetInt64();
        Assert.Equal(service.Host.Url($"/api/v1/videos/{generationId}").ToString(), answer.GetProperty("video_url").GetString());
        Assert.True(answer.GetProperty("generation_time").GetDouble() > 0);
        Assert.Equal("A paper boat on a rain puddle", answer.GetProperty("prompt").GetString());

        // assert: the standard deprecation headers
        Assert.Equal("@1767225600", response.Headers.GetValues("Deprecation").Single());
        Assert.Equal("Wed, 30 Jun 2027 00:00:00 GMT", response.Headers.GetValues("Sunset").Single());
        Assert.Equal($"<{Api.SubmitPath}>; rel=\"successor-version\"", response.Headers.GetValues("Link").Single());

        // assert: it ran through the engine, so it shows up in status like any task
        var status = await _client.StatusAsync(answer.GetProperty("task_id").GetString()!);
        Assert.Equal("SUCCESS", status.State());
        Assert.Equal(generationId, status.GetProperty("result").GetProperty("generation_id").GetInt64());
    }

    [Fact]
    public async Task Should_keep_the_deprecation_headers_when_rejecting_bad_input()
    {
        // act
        using var response = await _client.PostAsync(Api.SyncPath, Api.Json("""{"prompt":" ","video_model_key":"veo_3_1_t2v"}"""));
        using var malformed = await _client.PostAsync(Api.SyncPath, Api.Json("{"));

        // assert
        Assert.True((await response.ReadProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("prompt", out _));
        Assert.True(response.Headers.Contains("Deprecation"));
        await malformed.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(malformed.Headers.Contains("Deprecation"));
        Assert.True(malformed.Headers.Contains("Link"));
    }

    [Fact]
    public async Task Should_answer_a_problem_naming_the_error_when_the_generation_fails()
    {
        // act
        using var response = await _client.PostAsync(Api.SyncPath, Api.Json(Api.SeedRequest(adId: 42, prompt: "[sim:filtered] stopped by the safety filter")));

        // assert
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadGateway);
        Assert.Equal("SAFETY_FILTERED", problem.GetProperty("error").GetProperty("code").GetString());
        var status = await _client.StatusAsync(problem.GetProperty("task_id").GetString()!);
        Assert.Equal("FAILURE", status.State());
    }

    [Fact]
    public async Task Should_flag_only_the_synchronous_endpoint_as_deprecated_in_openapi()
    {
        // act
        var document = await _client.GetFromJsonElementAsync("/openapi/v1.json");

        // assert
        var paths = document.GetProperty("paths");
        Assert.True(paths.GetProperty(Api.SyncPath).GetProperty("post").GetProperty("deprecated").GetBoolean());
        var asyncSubmit = paths.GetProperty(Api.SubmitPath).GetProperty("post");
        Assert.False(asyncSubmit.TryGetProperty("deprecated", out var flag) && flag.GetBoolean());
    }

    [Fact]
    public async Task Should_finish_the_task_when_the_caller_disconnects_while_waiting()
    {
        // arrange
        var adId = Random.Shared.NextInt64(1_000_000, 9_000_000);
        var startedBefore = service.Simulator.GetStats().OperationsStarted;
        using var leave = new CancellationTokenSource();
        var call = _client.PostAsync(Api.SyncPath, Api.Json(Api.SeedRequest(adId, prompt: "[sim:latency=3] the caller will not wait")), cancellationToken: leave.Token);
        await Eventually.True(() => service.Simulator.GetStats().OperationsStarted > startedBefore, TimeSpan.FromSeconds(30), () => "Veo to start the generation");

        // act
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        // assert: the generation is saved anyway, and its task reads SUCCESS
        var saved = default(System.Text.Json.JsonElement);
        await Eventually.Async(
            async () =>
            {
                saved = await _client.GetFromJsonElementAsync($"/api/v1/ads/{adId}/generations");
                return saved.GetProperty("generations").GetArrayLength() == 1;
            },
            TimeSpan.FromSeconds(60),
            () => $"the abandoned task to be saved (last {saved})");
        var taskId = saved.GetProperty("generations")[0].GetProperty("task_id").GetString()!;
        Assert.Equal("SUCCESS", (await _client.StatusAsync(taskId)).State());
    }
}
