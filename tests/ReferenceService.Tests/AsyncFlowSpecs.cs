using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReferenceService.Tests;

/// <summary>The original flow the frontend relies on: submit, poll the status, play the video.</summary>
public sealed class AsyncFlowSpecs(DefaultServiceFixture service) : IClassFixture<DefaultServiceFixture>
{
    private readonly HttpClient _client = service.Client;

    [Fact]
    public async Task Should_answer_the_seed_contract_field_by_field_when_a_video_is_generated()
    {
        // arrange
        var startedBefore = service.Simulator.GetStats().OperationsStarted;
        var request = new
        {
            prompt = "A red fox runs through fresh snow, slow motion",
            aspect_ratio = "VIDEO_ASPECT_RATIO_PORTRAIT",
            video_model_key = "veo_3_1_t2v_portrait",
            seed = 9831,
            ad_id = 123,
        };

        // act
        using var submitted = await _client.PostAsync(Api.SubmitPath, Api.Json(request));
        var accepted = await submitted.ReadJsonAsync();

        // assert: {success, task_id, message, estimated_time_seconds} at once
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal(["success", "task_id", "message", "estimated_time_seconds"], accepted.PropertyNames());
        Assert.True(accepted.GetProperty("success").GetBoolean());
        var taskId = accepted.GetProperty("task_id").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", taskId);
        Assert.StartsWith("Video generation started", accepted.GetProperty("message").GetString());
        Assert.True(accepted.GetProperty("estimated_time_seconds").GetInt32() > 0);
        Assert.Equal(service.Host.Url(Api.StatusPath(taskId)), submitted.Headers.Location);

        // assert: the status while running: {task_id, state, status, progress} and no result yet
        var running = await _client.StatusAsync(taskId);
        Assert.Equal(taskId, running.GetProperty("task_id").GetString());
        Assert.Contains(running.State(), new[] { "PENDING", "PROGRESS", "SUCCESS" });
        Assert.False(string.IsNullOrWhiteSpace(running.GetProperty("status").GetString()));
        Assert.InRange(running.GetProperty("progress").GetInt32(), 0, 100);
        if (running.State() != "SUCCESS")
        {
            Assert.False(running.TryGetProperty("result", out _));
            Assert.True(running.TryGetProperty("queue_position", out _));
            Assert.Equal(JsonValueKind.Number, running.GetProperty("eta_seconds").ValueKind);
        }

        // assert: the finished status carries the saved generation
        var done = await _client.WaitForSuccessAsync(taskId);
        Assert.Equal(100, done.GetProperty("progress").GetInt32());
        Assert.False(done.TryGetProperty("error", out _));
        Assert.Equal(JsonValueKind.Null, done.GetProperty("eta_seconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, done.GetProperty("queue_position").ValueKind);
        Assert.True(done.GetProperty("completed_at").GetDateTimeOffset() >= done.GetProperty("created_at").GetDateTimeOffset());
        var result = done.GetProperty("result");
        var generationId = result.GetProperty("generation_id").GetInt64();
        Assert.Equal(service.Host.Url($"/api/v1/videos/{generationId}").ToString(), result.GetProperty("video_url").GetString());
        Assert.True(result.GetProperty("generation_time").GetDouble() > 0);
        Assert.Equal(request.prompt, result.GetProperty("prompt").GetString());
        Assert.Equal("veo_3_1_t2v_portrait", result.GetProperty("video_model_key").GetString());
        Assert.Equal("veo-3.1-generate-001", result.GetProperty("model").GetString());   // the embedded simulator is spoken to as Vertex AI
        Assert.Equal("9:16", result.GetProperty("aspect_ratio").GetString());
        Assert.Equal(9831, result.GetProperty("seed").GetInt64());
        Assert.Equal(123, result.GetProperty("ad_id").GetInt64());

        // assert: the video plays without any Google key, and exactly one generation ran at Veo
        using var video = await _client.GetAsync(new Uri(result.GetProperty("video_url").GetString()!));
        Assert.Equal(HttpStatusCode.OK, video.StatusCode);
        Assert.Equal("video/mp4", video.ContentType()?.MediaType);
        var bytes = await video.Content.ReadAsByteArrayAsync();
        Assert.Equal(result.GetProperty("size_bytes").GetInt64(), bytes.Length);
        Assert.Equal("ftyp"u8.ToArray(), bytes[4..8]);
        Assert.Equal(startedBefore + 1, service.Simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_accept_numbers_sent_as_strings_when_a_client_sends_them_as_the_original_backend_allowed()
    {
        // act
        var taskId = await _client.SubmitAsync(new { prompt = "A kite over a beach", video_model_key = "veo_3_1_t2v_fast_landscape", seed = "77", ad_id = "502" });
        var done = await _client.WaitForSuccessAsync(taskId);

        // assert
        Assert.Equal(77, done.GetProperty("result").GetProperty("seed").GetInt64());
        Assert.Equal(502, done.GetProperty("result").GetProperty("ad_id").GetInt64());
    }

    [Fact]
    public async Task Should_stream_the_requested_bytes_when_a_range_of_the_video_is_requested()
    {
        // arrange
        var taskId = await _client.SubmitAsync(Api.SeedRequest(adId: 501));
        var videoUrl = new Uri((await _client.WaitForSuccessAsync(taskId)).GetProperty("result").GetProperty("video_url").GetString()!);
        var whole = await _client.GetByteArrayAsync(videoUrl);

        // act
        using var request = new HttpRequestMessage(HttpMethod.Get, videoUrl);
        request.Headers.Range = new RangeHeaderValue(100, 1123);
        using var partial = await _client.SendAsync(request);

        // assert
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("bytes", partial.Headers.AcceptRanges.Single());
        Assert.Equal(new ContentRangeHeaderValue(100, 1123, whole.Length), partial.Content.Headers.ContentRange);
        Assert.Equal(whole[100..1124], await partial.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Should_answer_404_when_a_video_does_not_exist()
    {
        // act
        using var response = await _client.GetAsync(new Uri("/api/v1/videos/987654321", UriKind.Relative));

        // assert
        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Should_return_the_same_task_when_a_submit_is_retried_with_the_same_idempotency_key()
    {
        // arrange
        var key = Guid.NewGuid().ToString();
        var startedBefore = service.Simulator.GetStats().OperationsStarted;

        // act
        var first = await _client.SubmitAsync(Api.SeedRequest(adId: 601), key);
        using var retry = await _client.PostAsync(Api.SubmitPath, Api.Json(Api.SeedRequest(adId: 601)), key);
        var retried = await retry.ReadJsonAsync();
        var other = await _client.SubmitAsync(Api.SeedRequest(adId: 601), Guid.NewGuid().ToString());

        // assert
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(first, retried.GetProperty("task_id").GetString());
        Assert.Contains("Idempotency-Key was used before", retried.GetProperty("message").GetString());
        Assert.NotEqual(first, other);
        await _client.WaitForSuccessAsync(first);
        await _client.WaitForSuccessAsync(other);
        Assert.Equal(startedBefore + 2, service.Simulator.GetStats().OperationsStarted);

        // a retry after the task ended still names it, and starts nothing
        Assert.Equal(first, await _client.SubmitAsync(Api.SeedRequest(adId: 601), key));
        Assert.Equal("SUCCESS", (await _client.StatusAsync(first)).State());
        Assert.Equal(startedBefore + 2, service.Simulator.GetStats().OperationsStarted);

        // the same key with another request is refused (IETF idempotency-key draft: 422) and changes nothing
        using var reused = await _client.PostAsync(Api.SubmitPath, Api.Json(Api.SeedRequest(adId: 602)), key);
        var problem = await reused.ReadProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("different request", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        var status = await _client.StatusAsync(first);
        Assert.Equal("SUCCESS", status.State());
        Assert.Equal(601, status.GetProperty("result").GetProperty("ad_id").GetInt64());
        Assert.Equal(startedBefore + 2, service.Simulator.GetStats().OperationsStarted);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("not a task id!")]
    [InlineData("..%2F..%2Fetc")]
    public async Task Should_answer_404_problem_details_when_a_task_id_is_unknown_or_malformed(string taskId)
    {
        // act
        using var status = await _client.GetAsync(new Uri(Api.StatusPath(taskId), UriKind.Relative));
        using var cancel = await _client.PostAsync(Api.CancelPath(taskId), content: null);
        using var events = await _client.GetAsync(new Uri(Api.EventsPath(taskId), UriKind.Relative));

        // assert
        await status.ReadProblemAsync(HttpStatusCode.NotFound);
        await cancel.ReadProblemAsync(HttpStatusCode.NotFound);
        await events.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Should_answer_404_when_a_task_id_is_too_long()
    {
        // act
        using var response = await _client.GetAsync(new Uri(Api.StatusPath(new string('a', 101)), UriKind.Relative));

        // assert
        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Should_list_an_ads_generations_newest_first_when_several_were_saved()
    {
        // arrange
        var adId = Random.Shared.NextInt64(1_000_000, 9_000_000);
        var older = await _client.SubmitAsync(Api.SeedRequest(adId, "first take"));
        await _client.WaitForSuccessAsync(older);
        var newer = await _client.SubmitAsync(Api.SeedRequest(adId, "second take"));
        await _client.WaitForSuccessAsync(newer);

        // act
        var listed = await _client.GetFromJsonElementAsync($"/api/v1/ads/{adId}/generations");

        // assert
        Assert.Equal(adId, listed.GetProperty("ad_id").GetInt64());
        var generations = listed.GetProperty("generations").EnumerateArray().ToArray();
        Assert.Equal([newer, older], generations.Select(g => g.GetProperty("task_id").GetString()));
        Assert.Equal(["second take", "first take"], generations.Select(g => g.GetProperty("prompt").GetString()));
        foreach (var generation in generations)
        {
            using var video = await _client.GetAsync(new Uri(generation.GetProperty("video_url").GetString()!), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, video.StatusCode);
        }

        var none = await _client.GetFromJsonElementAsync("/api/v1/ads/1/generations?limit=5");
        Assert.Empty(none.GetProperty("generations").EnumerateArray());
    }

    [Fact]
    public async Task Should_allow_the_configured_frontend_when_a_browser_preflights_a_submit()
    {
        // act
        using var allowed = await PreflightAsync("http://localhost:3000");
        using var other = await PreflightAsync("http://evil.example");

        // assert
        Assert.Equal("http://localhost:3000", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Should_report_live_and_ready_when_the_cluster_is_up_and_the_journal_answers()
    {
        // act
        var live = await _client.GetFromJsonElementAsync("/health/live");
        var ready = await _client.GetFromJsonElementAsync("/health/ready");

        // assert
        Assert.Equal("Healthy", live.GetProperty("status").GetString());
        Assert.Equal("Healthy", live.GetProperty("checks").GetProperty("akka.actorsystem").GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        var checks = ready.GetProperty("checks");
        Assert.Equal(["akka.cluster.join", "engine-warm-up", "journal", "journal-database", "veo-credentials"], checks.EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(checks.EnumerateObject(), c => Assert.Equal("Healthy", c.Value.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Should_serve_the_openapi_document_and_a_self_hosted_api_page()
    {
        // act
        var document = await _client.GetFromJsonElementAsync("/openapi/v1.json");
        using var page = await _client.GetAsync(new Uri("/scalar/v1", UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();

        // assert
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { Api.SubmitPath, Api.SyncPath, Api.BatchPath, Api.Root + "/tasks/{task_id}/status", Api.Root + "/tasks/{task_id}/events", "/api/v1/videos/{generation_id}" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"the OpenAPI document lacks {path}");
        }

        var submitSchema = document.GetProperty("components").GetProperty("schemas").GetProperty("GenerateVideoBody").GetProperty("properties");
        Assert.Equal(["prompt", "aspect_ratio", "video_model_key", "seed", "ad_id", "priority", "duration_seconds", "negative_prompt", "webhook_url"], submitSchema.PropertyNames());
        var webhook = document.GetProperty("webhooks").GetProperty("videoTaskFinished").GetProperty("post");
        Assert.Equal(["webhook-id", "webhook-timestamp", "webhook-signature"], webhook.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!));
        var payload = document.GetProperty("components").GetProperty("schemas").GetProperty("WebhookPayload").GetProperty("properties");
        Assert.Equal(["type", "timestamp", "data"], payload.PropertyNames());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cdn.", html, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The wire contract is checked in (samples/ReferenceService/ReferenceService.json) so that API changes show in diffs.
    /// After an intended change, run the tests once with UPDATE_OPENAPI_SNAPSHOT=1 and commit the file.
    /// </summary>
    [Fact]
    public async Task Should_match_the_checked_in_openapi_document()
    {
        // arrange
        var snapshot = Path.Combine(RepositoryRoot(), "samples", "ReferenceService", "ReferenceService.json");

        // act
        var document = JsonNode.Parse((await _client.GetFromJsonElementAsync("/openapi/v1.json")).GetRawText())!.AsObject();
        document.Remove("servers");   // the test server's random port
        var current = document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).ReplaceLineEndings("\n") + "\n";
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI_SNAPSHOT") == "1")
        {
            await File.WriteAllTextAsync(snapshot, current);
        }

        // assert
        Assert.True(File.Exists(snapshot), $"{snapshot} is missing; run the tests with UPDATE_OPENAPI_SNAPSHOT=1 to write it.");
        Assert.True(
            current == (await File.ReadAllTextAsync(snapshot)).ReplaceLineEndings("\n"),
            $"The OpenAPI document differs from {snapshot}. If the change is intended, run the tests with UPDATE_OPENAPI_SNAPSHOT=1 and commit the file.");
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (Directory.Exists(Path.Combine(folder.FullName, "samples", "ReferenceService")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No samples/ReferenceService above {AppContext.BaseDirectory}.");
    }

    private async Task<HttpResponseMessage> PreflightAsync(string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, Api.SubmitPath);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,idempotency-key");
        return await _client.SendAsync(request);
    }
}

public static class JsonGetExtensions
{
    public static async Task<JsonElement> GetFromJsonElementAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var json = await response.ReadJsonAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {json}");
        return json;
    }
}
