using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Veo.Sdk.Testing.Tests;

/// <summary>The Gemini API surface, field by field against Google's documented shapes (veo-api.md section 1).</summary>
public sealed class GeminiWireFormatTests
{
    [Fact]
    public async Task Should_answer_only_an_operation_name_of_Googles_shape_when_a_generation_starts()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act
        using var response = await sim.PostGeminiAsync(TestSimulator.StartBody());
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["name"], TestSimulator.PropertyNames(json));
        Assert.Matches(new Regex("^models/veo-3\\.1-generate-preview/operations/[a-z0-9]{12}$"), json.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Should_answer_the_name_without_done_when_the_operation_is_polled_before_its_latency()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartGeminiAsync();
        sim.Time.Advance(TimeSpan.FromSeconds(9.9));

        // act
        var json = await sim.PollGeminiAsync(name);

        // assert: proto3 JSON leaves out a false "done"
        Assert.Equal(["name"], TestSimulator.PropertyNames(json));
        Assert.Equal(name, json.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Should_answer_done_with_a_download_uri_when_the_latency_has_passed()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartGeminiAsync();
        sim.Time.Advance(TimeSpan.FromSeconds(10));

        // act
        var json = await sim.PollGeminiAsync(name);

        // assert
        Assert.Equal(["done", "name", "response"], TestSimulator.PropertyNames(json));
        Assert.Equal(name, json.GetProperty("name").GetString());
        Assert.True(json.GetProperty("done").GetBoolean());
        var response = json.GetProperty("response");
        Assert.Equal(["@type", "generateVideoResponse"], TestSimulator.PropertyNames(response));
        Assert.Equal("type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse", response.GetProperty("@type").GetString());
        var samples = response.GetProperty("generateVideoResponse");
        Assert.Equal(["generatedSamples"], TestSimulator.PropertyNames(samples));
        var sample = Assert.Single(samples.GetProperty("generatedSamples").EnumerateArray());
        Assert.Equal(["video"], TestSimulator.PropertyNames(sample));
        Assert.Equal(["uri"], TestSimulator.PropertyNames(sample.GetProperty("video")));
        Assert.Matches(
            new Regex("^" + Regex.Escape(sim.Simulator.BaseUrl.ToString()) + "v1beta/files/[a-z0-9]{12}:download\\?alt=media$"),
            sample.GetProperty("video").GetProperty("uri").GetString());
    }

    [Fact]
    public async Task Should_redirect_to_a_playable_mp4_when_the_video_is_downloaded_with_the_key()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var uri = await GenerateAsync(sim);

        // act
        using var redirect = await sim.GetWithKeyAsync(uri);
        var location = redirect.Headers.Location!;
        using var media = await sim.Http.GetAsync(location);
        var bytes = await media.Content.ReadAsByteArrayAsync();

        // assert
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.True(location.IsAbsoluteUri);
        Assert.DoesNotContain("simulator-key", location.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, media.StatusCode);
        Assert.Equal("video/mp4", media.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes.Length, media.Content.Headers.ContentLength);
        Assert.Equal("bytes", Assert.Single(media.Headers.AcceptRanges));
        Assert.InRange(bytes.Length, 10_000, 200_000);
        Mp4.AssertStartsWithFtyp(bytes);
        Assert.Equal((640, 360), Mp4.VideoSize(bytes));
        Assert.Equal(1, sim.Simulator.GetStats().Downloads);
    }

    [Fact]
    public async Task Should_serve_the_portrait_video_when_9_16_was_requested()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var uri = await GenerateAsync(sim, new { aspectRatio = "9:16" });

        // act
        using var redirect = await sim.GetWithKeyAsync(uri);
        var bytes = await sim.Http.GetByteArrayAsync(redirect.Headers.Location);

        // assert
        Mp4.AssertStartsWithFtyp(bytes);
        Assert.Equal((360, 640), Mp4.VideoSize(bytes));
    }

    [Fact]
    public async Task Should_answer_206_with_the_bytes_asked_for_when_the_download_requests_a_range()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var uri = await GenerateAsync(sim);
        using var redirect = await sim.GetWithKeyAsync(uri);
        var whole = await sim.Http.GetByteArrayAsync(redirect.Headers.Location);
        using var request = new HttpRequestMessage(HttpMethod.Get, redirect.Headers.Location);
        request.Headers.Range = new RangeHeaderValue(100, 1099);

        // act
        using var partial = await sim.Http.SendAsync(request);
        var bytes = await partial.Content.ReadAsByteArrayAsync();

        // assert
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(1000, bytes.Length);
        Assert.Equal(new ContentRangeHeaderValue(100, 1099, whole.Length), partial.Content.Headers.ContentRange);
        Assert.Equal(whole.AsSpan(100, 1000).ToArray(), bytes);
    }

    [Fact]
    public async Task Should_follow_the_redirect_to_the_video_when_the_client_follows_redirects_and_sends_the_key_as_query()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var uri = await GenerateAsync(sim);
        using var following = new HttpClient { BaseAddress = sim.Simulator.BaseUrl };

        // act
        var bytes = await following.GetByteArrayAsync(uri + "&key=simulator-key");

        // assert
        Mp4.AssertStartsWithFtyp(bytes);
    }

    [Fact]
    public async Task Should_answer_file_metadata_when_the_file_is_read_without_download()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var uri = await GenerateAsync(sim);
        var fileId = Regex.Match(uri, "files/([a-z0-9]+):download").Groups[1].Value;

        // act
        using var response = await sim.GetWithKeyAsync($"v1beta/files/{fileId}");
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"files/{fileId}", json.GetProperty("name").GetString());
        Assert.Equal("video/mp4", json.GetProperty("mimeType").GetString());
        Assert.Equal("ACTIVE", json.GetProperty("state").GetString());
        Assert.True(long.Parse(json.GetProperty("sizeBytes").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 10_000);
        Assert.EndsWith($"v1beta/files/{fileId}:download?alt=media", json.GetProperty("downloadUri").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_answer_404_when_the_file_is_downloaded_after_the_two_day_retention()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var uri = await GenerateAsync(sim);
        sim.Time.Advance(TimeSpan.FromDays(2));

        // act
        using var response = await sim.GetWithKeyAsync(uri);
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NOT_FOUND", json.GetProperty("error").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Should_accept_the_key_as_a_query_parameter_when_no_header_is_sent()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartGeminiAsync();

        // act
        using var response = await sim.Http.GetAsync($"v1beta/{name}?key=simulator-key");

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, sim.Simulator.GetStats().Polls);
    }

    [Theory]
    [InlineData("bytesBase64Encoded")]
    [InlineData("inlineData")]
    public async Task Should_start_image_to_video_when_the_image_comes_in_either_documented_encoding(string encoding)
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var png = Convert.ToBase64String([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]);
        object image = encoding == "inlineData"
            ? new { inlineData = new { mimeType = "image/png", data = png } }
            : new { bytesBase64Encoded = png, mimeType = "image/png" };

        // act
        using var response = await sim.PostGeminiAsync(TestSimulator.StartBody("The cat starts to dance", image: image));

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, sim.Simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_answer_one_sample_per_video_when_veo_2_generates_two()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        using var start = await sim.PostGeminiAsync(TestSimulator.StartBody(parameters: new { sampleCount = 2 }), model: "veo-2.0-generate-001");
        var name = (await TestSimulator.ReadJsonAsync(start)).GetProperty("name").GetString()!;
        sim.Time.Advance(TimeSpan.FromSeconds(10));

        // act
        var json = await sim.PollGeminiAsync(name);

        // assert
        var uris = json.GetProperty("response").GetProperty("generateVideoResponse").GetProperty("generatedSamples")
            .EnumerateArray().Select(s => s.GetProperty("video").GetProperty("uri").GetString()).ToArray();
        Assert.Equal(2, uris.Length);
        Assert.Equal(2, uris.Distinct().Count());
    }

    [Fact]
    public async Task Should_answer_404_NOT_FOUND_when_an_unknown_operation_is_polled()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act
        using var response = await sim.GetWithKeyAsync($"v1beta/models/{TestSimulator.Model}/operations/abcdefabcdef");
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(404, json.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("NOT_FOUND", json.GetProperty("error").GetProperty("status").GetString());
    }

    /// <summary>Starts a generation, lets it finish and returns the video's download URI.</summary>
    private static async Task<string> GenerateAsync(TestSimulator sim, object? parameters = null)
    {
        var name = await sim.StartGeminiAsync(parameters: parameters);
        sim.Time.Advance(TimeSpan.FromSeconds(10));
        var json = await sim.PollGeminiAsync(name);
        return json.GetProperty("response").GetProperty("generateVideoResponse").GetProperty("generatedSamples")[0]
            .GetProperty("video").GetProperty("uri").GetString()!;
    }
}
