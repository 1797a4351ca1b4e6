using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Veo.Sdk.Benchmarks.Micro;

/// <summary>
/// Reading a done Vertex AI operation that carries four 8 MB videos inline (a 43 MB answer of base64) and writing the
/// videos to files. The baseline deserializes the whole answer and decodes each string, as a client that hands the body
/// to a JSON deserializer does (and as this SDK did before it streamed); the other is <see cref="VeoClient"/>. The answer
/// is served over loopback HTTP from one prebuilt buffer; <see cref="Answer_read_and_discarded"/> measures what the
/// transport alone allocates (Kestrel and the HTTP client), the floor under both.
/// </summary>
public class InlineVideoReadBenchmarks : IDisposable
{
    private const int VideoCount = 4;
    private const int VideoBytes = 8 * 1024 * 1024;
    private const string OperationName = "projects/bench/locations/us-central1/publishers/google/models/veo-3.1-generate-001/operations/00000000-0000-0000-0000-000000000001";

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private WebApplication _server = null!;
    private byte[] _answer = null!;
    private VeoClient _client = null!;
    private HttpClient _http = null!;
    private string _directory = null!;
    private Uri _fetchUri = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _answer = BuildAnswer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapPost("/v1/projects/{project}/locations/{location}/publishers/google/models/{modelAndMethod}", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/json; charset=UTF-8";
            context.Response.ContentLength = _answer.Length;

            // In pieces, as a server streams: one 43 MB write would be copied whole into Kestrel's buffers ahead of the
            // client, and those allocations would be counted against whichever reader was slower.
            for (var offset = 0; offset < _answer.Length; offset += 64 * 1024)
            {
                await context.Response.Body.WriteAsync(_answer.AsMemory(offset, Math.Min(64 * 1024, _answer.Length - offset)), context.RequestAborted);
            }
        });
        await _server.StartAsync();
        var address = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");

        _client = new VeoClient(new VeoClientOptions
        {
            Backend = VeoBackend.VertexAi,
            ProjectId = "bench",
            Location = "us-central1",
            BaseUrl = address,
            AccessToken = "bench-token",
        });
        _http = new HttpClient { BaseAddress = address };
        _fetchUri = new Uri(address, "v1/projects/bench/locations/us-central1/publishers/google/models/veo-3.1-generate-001:fetchPredictOperation");
        _directory = Directory.CreateTempSubdirectory("veo-inline-bench-").FullName;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _http?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public async Task<long> Whole_answer_deserialized_then_decoded()
    {
        using var response = await _http.PostAsync(_fetchUri, new StringContent($"{{\"operationName\":\"{OperationName}\"}}", Encoding.UTF8, "application/json"));
        await using var body = await response.Content.ReadAsStreamAsync();
        var answer = await JsonSerializer.DeserializeAsync<Answer>(body, WebJson);
        long total = 0;
        var i = 0;
        foreach (var video in answer!.Response.Videos)
        {
            var bytes = Convert.FromBase64String(video.BytesBase64Encoded);
            await File.WriteAllBytesAsync(Path.Combine(_directory, $"baseline-{i++}.mp4"), bytes);
            total += bytes.Length;
        }

        return total;
    }

    /// <summary>The floor: the same answer read over the same loopback HTTP into a 64 KB buffer and thrown away.</summary>
    [Benchmark]
    public async Task<long> Answer_read_and_discarded()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _fetchUri) { Content = new StringContent($"{{\"operationName\":\"{OperationName}\"}}", Encoding.UTF8, "application/json") };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark]
    public async Task<long> Streamed_to_files_by_the_client()
    {
        var status = await _client.GetOperationStatusAsync(OperationName);
        long total = 0;
        var i = 0;
        foreach (var video in status.Result!.GetVideosOrThrow())
        {
            total += await _client.DownloadVideoToFileAsync(video, Path.Combine(_directory, $"client-{i++}.mp4"));
        }

        return total;
    }

    private static byte[] BuildAnswer()
    {
        var video = new byte[VideoBytes];
        new Random(20261203).NextBytes(video);
        var base64 = Convert.ToBase64String(video);
        var json = new StringBuilder(VideoCount * (base64.Length + 64) + 256);
        json.Append("{\"name\":\"").Append(OperationName).Append("\",\"done\":true,\"response\":{\"@type\":\"type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse\",\"videos\":[");
        for (var i = 0; i < VideoCount; i++)
        {
            json.Append(i == 0 ? "" : ",").Append("{\"bytesBase64Encoded\":\"").Append(base64).Append("\",\"mimeType\":\"video/mp4\"}");
        }

        json.Append("]}}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    private sealed record Answer(string Name, bool Done, AnswerResponse Response);

    private sealed record AnswerResponse(IReadOnlyList<AnswerVideo> Videos);

    private sealed record AnswerVideo(string BytesBase64Encoded, string MimeType);
}
