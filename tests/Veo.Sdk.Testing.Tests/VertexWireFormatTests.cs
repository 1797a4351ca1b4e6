using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Veo.Sdk.Testing.Tests;

/// <summary>The Vertex AI surface: bearer token, predictLongRunning, fetchPredictOperation and <c>response.videos[]</c> (veo-api.md section 2).</summary>
public sealed class VertexWireFormatTests
{
    private const string VertexResponseType = "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse";

    [Fact]
    public async Task Should_answer_an_operation_name_under_the_publisher_model_when_a_vertex_generation_starts()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act
        using var response = await sim.PostVertexAsync("predictLongRunning", TestSimulator.StartBody());
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["name"], TestSimulator.PropertyNames(json));
        Assert.Matches(
            new Regex("^projects/test-project/locations/us-central1/publishers/google/models/veo-3\\.1-generate-001/operations/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
            json.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Should_answer_the_name_without_done_when_the_operation_is_fetched_before_its_latency()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartVertexAsync();

        // act
        var json = await sim.FetchVertexAsync(name);

        // assert
        Assert.Equal(["name"], TestSimulator.PropertyNames(json));
    }

    [Fact]
    public async Task Should_answer_inline_mp4_bytes_when_the_operation_is_done_without_a_storage_uri()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartVertexAsync(new { aspectRatio = "9:16", sampleCount = 2 });
        sim.Time.Advance(TimeSpan.FromSeconds(10));

        // act
        var json = await sim.FetchVertexAsync(name);

        // assert
        Assert.Equal(["done", "name", "response"], TestSimulator.PropertyNames(json));
        Assert.True(json.GetProperty("done").GetBoolean());
        var response = json.GetProperty("response");
        Assert.Equal(["@type", "videos"], TestSimulator.PropertyNames(response));
        Assert.Equal(VertexResponseType, response.GetProperty("@type").GetString());
        var videos = response.GetProperty("videos").EnumerateArray().ToArray();
        Assert.Equal(2, videos.Length);
        foreach (var video in videos)
        {
            Assert.Equal(["bytesBase64Encoded", "mimeType"], TestSimulator.PropertyNames(video));
            Assert.Equal("video/mp4", video.GetProperty("mimeType").GetString());
            var bytes = video.GetProperty("bytesBase64Encoded").GetBytesFromBase64();
            Mp4.AssertStartsWithFtyp(bytes);
            Assert.Equal((360, 640), Mp4.VideoSize(bytes));
        }
    }

    [Fact]
    public async Task Should_answer_gcs_uris_when_the_request_names_a_storage_uri()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartVertexAsync(new { storageUri = "gs://my-bucket/videos/" });
        sim.Time.Advance(TimeSpan.FromSeconds(10));

        // act
        var json = await sim.FetchVertexAsync(name);

        // assert
        var video = Assert.Single(json.GetProperty("response").GetProperty("videos").EnumerateArray());
        Assert.Equal(["gcsUri", "mimeType"], TestSimulator.PropertyNames(video));
        Assert.Equal($"gs://my-bucket/videos/{name[(name.LastIndexOf('/') + 1)..]}/sample_0.mp4", video.GetProperty("gcsUri").GetString());
    }

    [Fact]
    public async Task Should_put_the_rai_fields_directly_under_response_when_a_vertex_generation_is_filtered()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        sim.Simulator.Enqueue(new SimulatedOutcome.Filtered("58061214"));
        var name = await sim.StartVertexAsync();
        sim.Time.Advance(TimeSpan.FromSeconds(10));

        // act
        var json = await sim.FetchVertexAsync(name);

        // assert
        var response = json.GetProperty("response");
        Assert.Equal(["@type", "raiMediaFilteredCount", "raiMediaFilteredReasons"], TestSimulator.PropertyNames(response));
        Assert.Equal(1, response.GetProperty("raiMediaFilteredCount").GetInt32());
        Assert.Equal("58061214", response.GetProperty("raiMediaFilteredReasons")[0].GetString());
    }

    [Fact]
    public async Task Should_answer_an_operation_error_when_a_vertex_generation_fails()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartVertexAsync(prompt: "A cat [sim:error]");
        sim.Time.Advance(TimeSpan.FromSeconds(10));

        // act
        var json = await sim.FetchVertexAsync(name);

        // assert
        Assert.Equal(["done", "error", "name"], TestSimulator.PropertyNames(json));
        Assert.Equal(13, json.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Should_accept_the_v1beta1_path_and_gcs_images_when_called_like_googles_sdks()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var body = TestSimulator.StartBody(image: new { gcsUri = "gs://b/first.png", mimeType = "image/png" }, parameters: new { sampleCount = 4, generateAudio = true });

        // act
        using var response = await sim.PostVertexAsync("predictLongRunning", body, resource: TestSimulator.VertexResource.Replace("v1/", "v1beta1/", StringComparison.Ordinal));

        // assert
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Should_answer_400_when_the_operation_is_read_with_a_plain_get()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartVertexAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/" + name);
        request.Headers.Authorization = new("Bearer", "simulator-token");

        // act
        using var response = await sim.Http.SendAsync(request);
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("The Operation ID must be a Long.", json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_answer_404_when_an_unknown_operation_or_model_is_used()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var unknownOperation = $"projects/test-project/locations/us-central1/publishers/google/models/{TestSimulator.VertexModel}/operations/{Guid.NewGuid()}";

        // act
        using var fetch = await sim.PostVertexAsync("fetchPredictOperation", JsonSerializer.Serialize(new { operationName = unknownOperation }));
        using var start = await sim.PostVertexAsync("predictLongRunning", TestSimulator.StartBody(), resource: "v1/projects/p/locations/l/publishers/google/models/imagen-1");
        var startJson = await TestSimulator.ReadJsonAsync(start);

        // assert
        Assert.Equal(HttpStatusCode.NotFound, fetch.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, start.StatusCode);
        Assert.Equal("Publisher Model `projects/p/locations/l/publishers/google/models/imagen-1` not found.", startJson.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Should_answer_400_when_the_operation_name_belongs_to_another_model()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartVertexAsync();
        var otherModel = TestSimulator.VertexResource.Replace("veo-3.1-generate-001", "veo-3.1-fast-generate-001", StringComparison.Ordinal);

        // act
        using var response = await sim.PostVertexAsync("fetchPredictOperation", JsonSerializer.Serialize(new { operationName = name }), resource: otherModel);

        // assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}

/// <summary>The simulator is as strict as Google on field names and as lenient as Google's SDKs on enum spelling.</summary>
public sealed class StrictVertexRequestTests
{
    [Theory]
    [InlineData("{\"instances\":[{\"prompt\":\"p\"}],\"parameters\":{\"durationSecs\":8}}", "Unknown name \"durationSecs\" at 'parameters'")]
    [InlineData("{\"instances\":[{\"prompt\":\"p\",\"imagee\":{}}]}", "Unknown name \"imagee\" at 'instances[0]'")]
    [InlineData("{\"instances\":[{\"prompt\":\"p\"}],\"config\":{}}", "Unknown name \"config\"")]
    public async Task Should_refuse_an_unknown_field_as_google_does(string body, string expected)
    {
        await using var sim = await TestSimulator.StartAsync();

        using var response = await sim.PostVertexAsync("predictLongRunning", body);
        var json = await TestSimulator.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_ARGUMENT", json.GetProperty("error").GetProperty("status").GetString());
        var message = json.GetProperty("error").GetProperty("message").GetString()!;
        Assert.StartsWith("Invalid JSON payload received.", message, StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ASSET")]
    [InlineData("STYLE")]
    public async Task Should_accept_the_reference_type_spelling_of_googles_sdks(string referenceType)
    {
        await using var sim = await TestSimulator.StartAsync();
        const string png = "iVBORw0K";
        var body = JsonSerializer.Serialize(new
        {
            instances = new[] { new { prompt = "p", referenceImages = new[] { new { image = new { bytesBase64Encoded = png, mimeType = "image/png" }, referenceType } } } },
            parameters = new { durationSeconds = 8, aspectRatio = "16:9" },
        });

        using var response = await sim.PostVertexAsync("predictLongRunning", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>The simulator applies Google's rules to compressionQuality, resizeMode and labels.</summary>
public sealed class VertexOutputSettingsWireTests
{
    private const string Png = "iVBORw0KGgo=";

    [Theory]
    [InlineData("""{"compressionQuality":"LOSSLESS","resizeMode":"CROP"}""", """{"team":"ads"}""", 200)]
    [InlineData("""{"compressionQuality":"BEST"}""", null, 400)]
    [InlineData("""{"resizeMode":"STRETCH"}""", null, 400)]
    [InlineData(null, """{"Team":"ads"}""", 400)]
    [InlineData(null, """{"team":7}""", 400)]
    public async Task Should_accept_googles_values_on_vertex_and_refuse_others(string? parameters, string? labels, int expected)
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var body = Body(parameters, labels);

        // act
        using var response = await sim.PostVertexAsync("predictLongRunning", body);

        // assert
        Assert.True((int)response.StatusCode == expected, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        if (expected == 400)
        {
            var json = await TestSimulator.ReadJsonAsync(response);
            Assert.Equal("INVALID_ARGUMENT", json.GetProperty("error").GetProperty("status").GetString());
        }
    }

    [Theory]
    [InlineData("""{"compressionQuality":"OPTIMIZED"}""", null)]
    [InlineData(null, """{"team":"ads"}""")]
    public async Task Should_refuse_vertex_only_settings_on_the_gemini_api(string? parameters, string? labels)
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act
        using var response = await sim.PostGeminiAsync(Body(parameters, labels, image: false));

        // assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static string Body(string? parameters, string? labels, bool image = true)
    {
        var imagePart = image ? $$""","image":{"bytesBase64Encoded":"{{Png}}","mimeType":"image/png"}""" : "";
        var parametersPart = parameters is null ? "" : $",\"parameters\":{parameters}";
        var labelsPart = labels is null ? "" : $",\"labels\":{labels}";
        return $$"""{"instances":[{"prompt":"A cat playing piano"{{imagePart}}}]{{parametersPart}}{{labelsPart}}}""";
    }
}
