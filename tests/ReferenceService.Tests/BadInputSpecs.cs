using System.Net;
using System.Text;
using System.Text.Json;

namespace ReferenceService.Tests;

/// <summary>Bad input gets a clear RFC 9457 answer naming the field, and never creates a task or reaches Veo.</summary>
public sealed class BadInputSpecs(DefaultServiceFixture service) : IClassFixture<DefaultServiceFixture>
{
    private const string Key = "veo_3_1_t2v_portrait";

    private readonly HttpClient _client = service.Client;

    /// <summary>Each case: a name, the body, and the field the 400 must name.</summary>
    public static TheoryData<string, string, string> InvalidBodies => new()
    {
        { "empty prompt", $$"""{"prompt":"","video_model_key":"{{Key}}"}""", "prompt" },
        { "blank prompt", $$"""{"prompt":"  \t\n ","video_model_key":"{{Key}}"}""", "prompt" },
        { "missing prompt", $$"""{"video_model_key":"{{Key}}"}""", "prompt" },
        { "prompt too long", JsonSerializer.Serialize(new { prompt = new string('x', 8193), video_model_key = Key }), "prompt" },
        { "prompt of the wrong type", $$"""{"prompt":123,"video_model_key":"{{Key}}"}""", "prompt" },
        { "missing video_model_key", """{"prompt":"a cat"}""", "video_model_key" },
        { "unknown video_model_key", """{"prompt":"a cat","video_model_key":"veo_9_9_t2v"}""", "video_model_key" },
        { "misspelt video_model_key", """{"prompt":"a cat","video_model_key":"veo_3_1_t2v_portriat"}""", "video_model_key" },
        { "image-to-video key without images", """{"prompt":"a cat","video_model_key":"veo_3_1_i2v_s_fast"}""", "video_model_key" },
        { "video_model_key of the wrong type", """{"prompt":"a cat","video_model_key":["veo_3_1_t2v"]}""", "video_model_key" },
        { "unsupported aspect_ratio", $$"""{"prompt":"a cat","video_model_key":"{{Key}}","aspect_ratio":"VIDEO_ASPECT_RATIO_SQUARE"}""", "aspect_ratio" },
        { "aspect_ratio contradicting the key", $$"""{"prompt":"a cat","video_model_key":"{{Key}}","aspect_ratio":"VIDEO_ASPECT_RATIO_LANDSCAPE"}""", "aspect_ratio" },
        { "negative seed", $$"""{"prompt":"a cat","video_model_key":"{{Key}}","seed":-1}""", "seed" },
        { "seed above uint32", $$"""{"prompt":"a cat","video_model_key":"{{Key}}","seed":4294967296}""", "seed" },
        { "seed beyond any integer", $$"""{"prompt":"a cat","video_model_key":"{{Key}}","seed":123456789012345678901234567890}""", "seed" },
        { "fractional seed", $$"""{"prompt":"a cat","video_model_key":"{{Key}}","seed":1.5}""", "seed" },
        { "seed of the wrong type", $$"""{"prompt":"a cat","video_model_key":"{{Key}}","seed":"nine"}""", "seed" },
        { "ad_id of the wrong type", $$"""{"prompt":"a cat","video_model_key":"{{Key}}","ad_id":true}""", "ad_id" },
        { "unknown priority", $$"""{"prompt":"a cat","video_model_key":"{{Key}}","priority":"urgent"}""", "priority" },
        { "unsupported duration", $$"""{"prompt":"a cat","video_model_key":"{{Key}}","duration_seconds":5}""", "duration_seconds" },
        { "duration contradicting the key", """{"prompt":"a cat","video_model_key":"veo_3_1_t2v_portrait_4s","duration_seconds":8}""", "duration_seconds" },
        { "malformed JSON", """{"prompt":"a cat","video_model_key":""", "body" },
        { "JSON null", "null", "body" },
        { "a JSON array", "[]", "body" },
        { "an empty body", "", "body" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Should_answer_400_naming_the_field_when_the_request_is_invalid(string name, string body, string field)
    {
        // act
        using var response = await _client.PostAsync(Api.SubmitPath, Api.Json(body));

        // assert
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"{name}: the problem does not name '{field}': {problem}");
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        Assert.DoesNotContain("System.", messages[0].GetString());
    }

    [Fact]
    public async Task Should_answer_415_when_the_body_is_not_json()
    {
        // act
        using var plain = await _client.PostAsync(Api.SubmitPath, new StringContent($$"""{"prompt":"a cat","video_model_key":"{{Key}}"}""", Encoding.UTF8, "text/plain"));
        using var form = await _client.PostAsync(Api.SubmitPath, new FormUrlEncodedContent([new("prompt", "a cat"), new("video_model_key", Key)]));

        // assert
        Assert.Contains("application/json", (await plain.ReadProblemAsync(HttpStatusCode.UnsupportedMediaType)).GetProperty("detail").GetString());
        await form.ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Should_answer_413_when_the_body_is_larger_than_the_limit()
    {
        // arrange: a valid shape, far over the 64 KiB default
        var body = JsonSerializer.Serialize(new { prompt = "a cat", video_model_key = Key, negative_prompt = new string('n', 200_000) });

        // act
        using var response = await _client.PostAsync(Api.SubmitPath, Api.Json(body));

        // assert
        Assert.Contains("65536", (await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge)).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a-key-of-three-hundred-characters-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    public async Task Should_answer_400_naming_the_header_when_the_idempotency_key_is_invalid(string idempotencyKey)
    {
        // act
        using var response = await _client.PostAsync(Api.SubmitPath, Api.Json(Api.SeedRequest(adId: 7)), idempotencyKey);

        // assert
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), problem.ToString());
    }

    [Fact]
    public async Task Should_answer_400_naming_the_item_when_a_batch_request_is_invalid()
    {
        // arrange
        var body = $$"""{"requests":[{"prompt":"a cat","video_model_key":"{{Key}}"},{"prompt":" ","video_model_key":"{{Key}}"},{"prompt":"a dog","video_model_key":"nope"}]}""";

        // act
        using var invalidItems = await _client.PostAsync(Api.BatchPath, Api.Json(body));
        using var empty = await _client.PostAsync(Api.BatchPath, Api.Json("""{"requests":[]}"""));
        using var wrongType = await _client.PostAsync(Api.BatchPath, Api.Json("""{"requests":[{"prompt":"a cat","seed":"x"}]}"""));

        // assert
        var errors = (await invalidItems.ReadProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal(["requests[1].prompt", "requests[2].video_model_key"], errors.PropertyNames().Order());
        Assert.True((await empty.ReadProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("requests", out _));
        Assert.True((await wrongType.ReadProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("requests[0].seed", out _));
    }

    [Fact]
    public async Task Should_neither_create_a_task_nor_call_veo_when_requests_are_rejected()
    {
        // arrange
        var before = service.Simulator.GetStats();

        // act: every kind of rejected request, on every submitting endpoint
        foreach (var row in InvalidBodies)
        {
            var body = (string)row[1];
            using var single = await _client.PostAsync(Api.SubmitPath, Api.Json(body));
            using var sync = await _client.PostAsync(Api.SyncPath, Api.Json(body));
            using var batch = await _client.PostAsync(Api.BatchPath, Api.Json($$"""{"requests":[{"prompt":"fine","video_model_key":"{{Key}}"},{{(body.Length == 0 ? "null" : body)}}]}"""));
            Assert.Equal(HttpStatusCode.BadRequest, single.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, sync.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, batch.StatusCode);
        }

        using var unsupported = await _client.PostAsync(Api.SubmitPath, new StringContent("prompt=a cat", Encoding.UTF8, "text/plain"));
        using var tooLarge = await _client.PostAsync(Api.SubmitPath, Api.Json(JsonSerializer.Serialize(new { prompt = new string('x', 100_000), video_model_key = Key })));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);

        // then one valid task: the engine starts tasks in order, so once it is done, any task created above would have started too
        var sentinel = await _client.SubmitAsync(Api.SeedRequest(adId: 8));
        await _client.WaitForSuccessAsync(sentinel);

        // assert
        var after = service.Simulator.GetStats();
        Assert.Equal(before.StartRequests + 1, after.StartRequests);
        Assert.Equal(before.OperationsStarted + 1, after.OperationsStarted);
    }
}
