using System.Net;
using System.Text.Json;

namespace Veo.Sdk.Testing.Tests;

/// <summary>Keys and tokens are checked as Google checks them, with Google's error envelope.</summary>
public sealed class AuthenticationTests
{
    [Fact]
    public async Task Should_answer_401_UNAUTHENTICATED_and_start_nothing_when_the_api_key_is_missing()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act
        using var response = await sim.PostGeminiAsync(TestSimulator.StartBody(), apiKey: null);
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        AssertEnvelope(json, 401, "UNAUTHENTICATED");
        Assert.Equal("CREDENTIALS_MISSING", Detail(json, "type.googleapis.com/google.rpc.ErrorInfo").GetProperty("reason").GetString());
        Assert.Equal(new VeoSimulatorStats(0, 0, 0, 0, 0, 1, 1), sim.Simulator.GetStats());
    }

    [Fact]
    public async Task Should_answer_403_PERMISSION_DENIED_with_API_KEY_INVALID_when_the_api_key_is_wrong()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act
        using var response = await sim.PostGeminiAsync(TestSimulator.StartBody(), apiKey: "not-the-key");
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        AssertEnvelope(json, 403, "PERMISSION_DENIED");
        Assert.Equal("API key not valid. Please pass a valid API key.", json.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("API_KEY_INVALID", Detail(json, "type.googleapis.com/google.rpc.ErrorInfo").GetProperty("reason").GetString());
        Assert.Equal(0, sim.Simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_answer_401_when_an_operation_is_polled_without_the_key()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartGeminiAsync();

        // act
        using var response = await sim.GetWithKeyAsync("v1beta/" + name, apiKey: null);

        // assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Should_answer_401_and_count_no_download_when_a_file_is_downloaded_without_the_key()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartGeminiAsync();
        sim.Time.Advance(TimeSpan.FromSeconds(10));
        var done = await sim.PollGeminiAsync(name);
        var uri = done.GetProperty("response").GetProperty("generateVideoResponse").GetProperty("generatedSamples")[0].GetProperty("video").GetProperty("uri").GetString();

        // act
        using var response = await sim.GetWithKeyAsync(uri!, apiKey: null);

        // assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, sim.Simulator.GetStats().Downloads);
    }

    [Fact]
    public async Task Should_answer_403_when_the_media_url_signature_is_forged()
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();
        var name = await sim.StartGeminiAsync();
        sim.Time.Advance(TimeSpan.FromSeconds(10));
        var done = await sim.PollGeminiAsync(name);
        var uri = done.GetProperty("response").GetProperty("generateVideoResponse").GetProperty("generatedSamples")[0].GetProperty("video").GetProperty("uri").GetString()!;
        using var redirect = await sim.GetWithKeyAsync(uri);
        var forged = redirect.Headers.Location!.ToString().Split("?sig=")[0] + "?sig=AAAAAAAAAAAAAAAAAAAAAAAA";

        // act
        using var response = await sim.Http.GetAsync(forged);

        // assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.NotEqual("video/mp4", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task Should_answer_401_UNAUTHENTICATED_when_the_vertex_bearer_token_is_missing_or_wrong(string? token)
    {
        // arrange
        await using var sim = await TestSimulator.StartAsync();

        // act
        using var response = await sim.PostVertexAsync("predictLongRunning", TestSimulator.StartBody(), token);
        var json = await TestSimulator.ReadJsonAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        AssertEnvelope(json, 401, "UNAUTHENTICATED");
        Assert.Equal(0, sim.Simulator.GetStats().OperationsStarted);
    }

    private static void AssertEnvelope(JsonElement json, int code, string status)
    {
        Assert.Equal(["error"], TestSimulator.PropertyNames(json));
        var error = json.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.Equal(status, error.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
    }

    private static JsonElement Detail(JsonElement json, string type)
        => json.GetProperty("error").GetProperty("details").EnumerateArray().Single(d => d.GetProperty("@type").GetString() == type);
}
