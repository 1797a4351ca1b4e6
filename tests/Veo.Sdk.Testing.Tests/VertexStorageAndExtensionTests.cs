using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Veo.Sdk.Testing.Tests;

/// <summary>
/// Vertex AI with a <c>storageUri</c>: the videos land in a simulated bucket served on the Cloud Storage JSON API's
/// paths with the same bearer check; partly filtered answers; and the shapes of a video to extend on each surface.
/// </summary>
public sealed class VertexStorageAndExtensionTests
{
    private const string Png = "iVBORw0KGgo=";

    [Fact]
    public async Task Should_serve_the_videos_written_under_the_storage_uri_on_the_cloud_storage_json_api_once_the_operation_is_done()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartVertexAsync(new { storageUri = "gs://veo-out/campaign-7", sampleCount = 2 });
        var operationId = name[(name.LastIndexOf('/') + 1)..];
        var objectPath = $"storage/v1/b/veo-out/o/{Uri.EscapeDataString($"campaign-7/{operationId}/sample_1.mp4")}";

        // act: before the operation is done, the object does not exist yet
        using var early = await GetWithTokenAsync(sim, objectPath + "?alt=media");
        sim.Time.Advance(TimeSpan.FromSeconds(10));
        var done = await sim.FetchVertexAsync(name);
        using var metadata = await GetWithTokenAsync(sim, objectPath);
        using var media = await GetWithTokenAsync(sim, objectPath + "?alt=media");
        using var anonymous = await GetWithTokenAsync(sim, objectPath + "?alt=media", token: null);
        using var wrongToken = await GetWithTokenAsync(sim, objectPath + "?alt=media", token: "not-a-token");
        using var missing = await GetWithTokenAsync(sim, $"storage/v1/b/veo-out/o/{Uri.EscapeDataString("campaign-7/nope.mp4")}?alt=media");

        // assert
        Assert.Equal(HttpStatusCode.NotFound, early.StatusCode);
        var uris = done.GetProperty("response").GetProperty("videos").EnumerateArray().Select(v => v.GetProperty("gcsUri").GetString()!).ToArray();
        Assert.Equal<string>([$"gs://veo-out/campaign-7/{operationId}/sample_0.mp4", $"gs://veo-out/campaign-7/{operationId}/sample_1.mp4"], uris);
        var json = await TestSimulator.ReadJsonAsync(metadata);
        Assert.Equal($"campaign-7/{operationId}/sample_1.mp4", json.GetProperty("name").GetString());
        Assert.Equal("veo-out", json.GetProperty("bucket").GetString());
        Assert.Equal("video/mp4", json.GetProperty("contentType").GetString());
        Assert.Equal(HttpStatusCode.OK, media.StatusCode);
        Assert.Equal("video/mp4", media.Content.Headers.ContentType?.MediaType);
        var bytes = await media.Content.ReadAsByteArrayAsync();
        Assert.Equal(long.Parse(json.GetProperty("size").GetString()!, System.Globalization.CultureInfo.InvariantCulture), bytes.Length);
        Assert.Equal("ftyp"u8.ToArray(), bytes[4..8]);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Should_deliver_the_videos_that_passed_and_name_the_ones_withheld_when_a_generation_is_partly_filtered()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartVertexAsync(new { sampleCount = 3 }, prompt: "Three takes of a parade [sim:filtered=1]");
        sim.Time.Advance(TimeSpan.FromSeconds(10));

        // act
        var response = (await sim.FetchVertexAsync(name)).GetProperty("response");

        // assert
        Assert.Equal(["@type", "raiMediaFilteredCount", "raiMediaFilteredReasons", "videos"], TestSimulator.PropertyNames(response));
        Assert.Equal(2, response.GetProperty("videos").GetArrayLength());
        Assert.Equal(1, response.GetProperty("raiMediaFilteredCount").GetInt32());
        Assert.Contains("Responsible AI", response.GetProperty("raiMediaFilteredReasons")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"gcsUri":"gs://veo-in/clip.mp4","mimeType":"video/mp4"}""", null)]
    [InlineData("""{"bytesBase64Encoded":"AAAAGGZ0eXA=","mimeType":"video/mp4"}""", null)]
    [InlineData("""{"uri":"https://example.com/clip.mp4"}""", "Unknown name \"uri\" at 'instances[0].video'")]
    [InlineData("""{"gcsUri":"gs://veo-in/clip.mp4","bytesBase64Encoded":"AAAAGGZ0eXA="}""", "exactly one of gcsUri and bytesBase64Encoded")]
    [InlineData("""{"gcsUri":"https://veo-in/clip.mp4"}""", "must name a Cloud Storage object")]
    public async Task Should_take_a_video_to_extend_from_cloud_storage_or_bytes_on_vertex(string video, string? expectedError)
    {
        await using var sim = await TestSimulator.StartAsync();
        var body = "{\"instances\":[{\"prompt\":\"and then it rains\",\"video\":" + video + "}],\"parameters\":{\"durationSeconds\":8}}";

        using var response = await sim.PostVertexAsync("predictLongRunning", body);
        await AssertAcceptedOrRefusedAsync(response, expectedError);
    }

    [Theory]
    [InlineData("""{"uri":"https://generativelanguage.googleapis.com/v1beta/files/abc:download?alt=media"}""", null)]
    [InlineData("""{"gcsUri":"gs://veo-in/clip.mp4"}""", "Unknown name \"gcsUri\" at 'instances[0].video'")]
    [InlineData("""{"bytesBase64Encoded":"AAAAGGZ0eXA="}""", "Unknown name \"bytesBase64Encoded\" at 'instances[0].video'")]
    public async Task Should_take_a_video_to_extend_by_uri_on_the_gemini_api(string video, string? expectedError)
    {
        await using var sim = await TestSimulator.StartAsync();
        var body = "{\"instances\":[{\"prompt\":\"and then it rains\",\"video\":" + video + "}]}";

        using var response = await sim.PostGeminiAsync(body);
        await AssertAcceptedOrRefusedAsync(response, expectedError);
    }

    [Theory]
    [InlineData("""{"instances":[{"prompt":"p","video":{"gcsUri":"gs://b/c.mp4"}}],"parameters":{"resolution":"1080p"}}""", "parameters.resolution")]
    [InlineData("""{"instances":[{"prompt":"p","video":{"gcsUri":"gs://b/c.mp4"},"referenceImages":[{"image":{"bytesBase64Encoded":"iVBORw0KGgo=","mimeType":"image/png"},"referenceType":"ASSET"}]}],"parameters":{"durationSeconds":8}}""", "instances[0].referenceImages")]
    [InlineData("""{"instances":[{"prompt":"p","image":{"bytesBase64Encoded":"UklGRg==","mimeType":"image/webp"}}]}""", "instances[0].image.mimeType")]
    [InlineData("""{"instances":[{}]}""", "instances[0].prompt")]
    public async Task Should_apply_the_vertex_rules_for_inputs(string body, string field)
    {
        await using var sim = await TestSimulator.StartAsync();

        using var response = await sim.PostVertexAsync("predictLongRunning", body);
        var json = await TestSimulator.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, json.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, sim.Simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_start_without_a_prompt_when_an_image_is_given_and_take_webp_on_the_gemini_api()
    {
        await using var sim = await TestSimulator.StartAsync();

        using var vertex = await sim.PostVertexAsync("predictLongRunning", "{\"instances\":[{\"image\":{\"bytesBase64Encoded\":\"" + Png + "\",\"mimeType\":\"image/png\"}}]}");
        using var gemini = await sim.PostGeminiAsync("""{"instances":[{"prompt":"p","image":{"bytesBase64Encoded":"UklGRg==","mimeType":"image/webp"}}]}""");

        Assert.Equal(HttpStatusCode.OK, vertex.StatusCode);
        Assert.Equal(HttpStatusCode.OK, gemini.StatusCode);
    }

    /// <summary>A start that is accepted when no error is expected, else a 400 whose message holds it.</summary>
    private static async Task AssertAcceptedOrRefusedAsync(HttpResponseMessage response, string? expectedError)
    {
        var json = await TestSimulator.ReadJsonAsync(response);
        if (expectedError is null)
        {
            Assert.True(response.IsSuccessStatusCode, json.ToString());
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(expectedError, json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    private static Task<HttpResponseMessage> GetWithTokenAsync(TestSimulator sim, string path, string? token = "simulator-token")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return sim.Http.SendAsync(request);
    }
}
