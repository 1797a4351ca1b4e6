using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Veo.Sdk.Testing.Tests;

/// <summary>
/// A simulator on loopback driven by a fake clock, with a raw <see cref="HttpClient"/> that does not follow redirects:
/// tests see exactly what goes over the wire, and move time instead of waiting for it.
/// </summary>
public sealed class TestSimulator : IAsyncDisposable
{
    public const string Model = "veo-3.1-generate-preview";
    public const string VertexModel = "veo-3.1-generate-001";
    public const string VertexResource = "v1/projects/test-project/locations/us-central1/publishers/google/models/" + VertexModel;

    private TestSimulator(VeoSimulator simulator, FakeTimeProvider time)
    {
        Simulator = simulator;
        Time = time;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = simulator.BaseUrl };
    }

    public VeoSimulator Simulator { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Http { get; }

    public static async Task<TestSimulator> StartAsync(Action<VeoSimulatorOptions>? configure = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero));
        var options = new VeoSimulatorOptions { Latency = TimeSpan.FromSeconds(10), TimeProvider = time };
        configure?.Invoke(options);
        return new TestSimulator(await VeoSimulator.StartAsync(options), time);
    }

    public static string StartBody(string prompt = "A cat playing piano", object? parameters = null, object? image = null)
    {
        var instance = new JsonObject { ["prompt"] = prompt };
        if (image is not null)
        {
            instance["image"] = JsonSerializer.SerializeToNode(image);
        }

        var body = new JsonObject { ["instances"] = new JsonArray(instance) };
        if (parameters is not null)
        {
            body["parameters"] = JsonSerializer.SerializeToNode(parameters);
        }

        return body.ToJsonString();
    }

    public Task<HttpResponseMessage> PostGeminiAsync(string body, string model = Model, string? apiKey = "simulator-key")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"v1beta/models/{model}:predictLongRunning")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Add("x-goog-api-key", apiKey);
        }

        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetWithKeyAsync(string relativeUrl, string? apiKey = "simulator-key")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, relativeUrl);
        if (apiKey is not null)
        {
            request.Headers.Add("x-goog-api-key", apiKey);
        }

        return Http.SendAsync(request);
    }

    /// <summary>Starts a Gemini generation that must be accepted, and returns its operation name.</summary>
    public async Task<string> StartGeminiAsync(string prompt = "A cat playing piano", object? parameters = null)
    {
        using var response = await PostGeminiAsync(StartBody(prompt, parameters));
        var json = await ReadJsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, $"start answered {(int)response.StatusCode}: {json}");
        return json.GetProperty("name").GetString()!;
    }

    public async Task<JsonElement> PollGeminiAsync(string operationName)
    {
        using var response = await GetWithKeyAsync("v1beta/" + operationName);
        var json = await ReadJsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, $"poll answered {(int)response.StatusCode}: {json}");
        return json;
    }

    public Task<HttpResponseMessage> PostVertexAsync(string method, string body, string? token = "simulator-token", string resource = VertexResource)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{resource}:{method}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return Http.SendAsync(request);
    }

    /// <summary>Starts a Vertex AI generation that must be accepted, and returns its operation name.</summary>
    public async Task<string> StartVertexAsync(object? parameters = null, string prompt = "A cat playing piano")
    {
        using var response = await PostVertexAsync("predictLongRunning", StartBody(prompt, parameters));
        var json = await ReadJsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json.GetProperty("name").GetString()!;
    }

    public async Task<JsonElement> FetchVertexAsync(string operationName)
    {
        using var response = await PostVertexAsync("fetchPredictOperation", JsonSerializer.Serialize(new { operationName }));
        var json = await ReadJsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, $"fetchPredictOperation answered {(int)response.StatusCode}: {json}");
        return json;
    }

    public async Task<VeoSimulatorStats> GetStatsOverHttpAsync()
        => (await Http.GetFromJsonAsync<VeoSimulatorStats>("_simulator/stats"))!;

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length > 0, $"empty body with status {(int)response.StatusCode}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The names of the properties of a JSON object, sorted, to compare shapes field by field.</summary>
    public static string[] PropertyNames(JsonElement element) => element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Simulator.DisposeAsync();
    }
}
