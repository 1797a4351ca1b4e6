using System.Text;
using Veo.Sdk.Internal;
using Veo.Sdk.Testing;

namespace Veo.Sdk.Tests;

/// <summary>
/// The Vertex AI inputs and outputs over loopback HTTP: Cloud Storage results read with the client's own credentials,
/// inline videos decoded to temporary files as the answer streams in, partly filtered answers, video extension, reference
/// types and an optional prompt — each refused before any call where Google's rules say so.
/// </summary>
public sealed class VertexInputsAndOutputsTests : IAsyncLifetime
{
    private static readonly VeoImage Png = new(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "image/png");
    private VeoSimulator _simulator = null!;

    public async Task InitializeAsync()
        => _simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(200), VertexAccessToken = Guid.NewGuid().ToString("N") });

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Should_download_the_videos_vertex_wrote_to_cloud_storage_with_the_service_accounts_token()
    {
        // arrange: a service-account key the simulator issued; its fixed token is a secret nobody knows
        var client = new VeoClient(TestClients.VertexOptions(_simulator, o =>
        {
            o.AccessTokenProvider = null;
            o.CredentialsJson = _simulator.CreateServiceAccountKey("storage-reader@simulated-project.iam.gserviceaccount.com");
        }));
        var directory = Directory.CreateTempSubdirectory("veo-gcs-");
        try
        {
            // act
            var operation = await client.StartGenerateVideoAsync(TestClients.Request(model: VeoModels.Veo31Vertex) with { StorageUri = "gs://veo-results/ads/", SampleCount = 2 });
            var videos = (await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30))).GetVideosOrThrow();
            var downloadsBefore = _simulator.GetStats().Downloads;
            var sizes = new List<long>();
            foreach (var (video, i) in videos.Select((v, i) => (v, i)))
            {
                sizes.Add(await client.DownloadVideoToFileAsync(video, Path.Combine(directory.FullName, $"{i}.mp4")));
            }

            // assert
            Assert.Equal(2, videos.Count);
            Assert.All(videos, v => Assert.StartsWith("gs://veo-results/ads/", v.Uri!.OriginalString, StringComparison.Ordinal));
            Assert.All(videos, v => Assert.False(v.IsInline));
            Assert.Equal(downloadsBefore + 2, _simulator.GetStats().Downloads);
            Assert.All(sizes, s => Assert.True(s > 1000));
            Assert.True(Mp4.StartsWithFtypBox(await File.ReadAllBytesAsync(Path.Combine(directory.FullName, "1.mp4"))));
            Assert.True(_simulator.GetStats().TokenRequests >= 1);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Should_name_the_missing_object_when_a_cloud_storage_video_does_not_exist()
    {
        var client = new VeoClient(TestClients.VertexOptions(_simulator, o => o.AccessTokenProvider = _ => ValueTask.FromResult(_simulator.Options.VertexAccessToken)));

        var thrown = await Assert.ThrowsAsync<VeoRequestFailedException>(() => client.DownloadVideoAsync(new GeneratedVideo(new Uri("gs://veo-results/none.mp4")), Stream.Null));

        Assert.Equal(404, thrown.Status);
        Assert.Contains("gs://", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_a_cloud_storage_download_on_the_gemini_api()
    {
        var client = TestClients.Gemini(_simulator);

        await Assert.ThrowsAsync<NotSupportedException>(() => client.DownloadVideoAsync(new GeneratedVideo(new Uri("gs://veo-results/a.mp4")), Stream.Null));
    }

    [Fact]
    public async Task Should_decode_four_inline_videos_to_temporary_files_that_nothing_else_can_see()
    {
        // arrange
        var client = VertexClient();
        var leftoversBefore = InlineSpoolFiles();

        // act
        var operation = await client.StartGenerateVideoAsync(TestClients.Request(model: VeoModels.Veo31Vertex) with { SampleCount = 4, AspectRatio = VeoAspectRatios.Portrait });
        var videos = (await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30))).GetVideosOrThrow();
        var copies = new List<byte[]>();
        foreach (var video in videos)
        {
            using var memory = new MemoryStream();
            await client.DownloadVideoAsync(video, memory);
            copies.Add(memory.ToArray());
        }

        // assert: the same bytes the simulator serves, never held as one base64 string; no file left in the temp folder
        Assert.Equal(4, videos.Count);
        Assert.All(videos, v => Assert.True(v.IsInline && v.InlineBytes is null && v.Uri is null));
        Assert.All(copies, c => Assert.True(Mp4.StartsWithFtypBox(c)));
        Assert.All(copies, c => Assert.Equal(copies[0], c));
        Assert.Equal(copies[0].Length, videos[0].InlineLength);
        Assert.Equal(leftoversBefore, InlineSpoolFiles());
    }

    [Fact]
    public async Task Should_return_the_videos_and_the_filter_reasons_of_a_partly_filtered_answer()
    {
        var client = VertexClient();

        var operation = await client.StartGenerateVideoAsync(TestClients.Request("A parade, three takes [sim:filtered=1]", VeoModels.Veo31Vertex) with { SampleCount = 3 });
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var succeeded = Assert.IsType<GenerateVideoResult.Succeeded>(result);
        Assert.Equal(2, succeeded.Videos.Count);
        Assert.Equal(1, succeeded.FilteredCount);
        Assert.Contains("Responsible AI", Assert.Single(succeeded.FilteredReasons), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_extend_a_video_from_cloud_storage_or_bytes_on_vertex_and_by_uri_on_the_gemini_api()
    {
        // arrange: a first generation written to the bucket, then extended by its gs:// URI
        var vertex = VertexClient();
        var first = await vertex.StartGenerateVideoAsync(TestClients.Request(model: VeoModels.Veo31Vertex) with { StorageUri = "gs://veo-results/takes/" });
        var written = (await first.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30))).GetVideosOrThrow()[0];
        var gemini = TestClients.Gemini(_simulator);
        var geminiFirst = await gemini.StartGenerateVideoAsync(TestClients.Request(model: VeoModels.Veo31));
        var geminiVideo = (await geminiFirst.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30))).GetVideosOrThrow()[0];
        var started = _simulator.GetStats().OperationsStarted;

        // act
        await vertex.StartGenerateVideoAsync(new GenerateVideoRequest { Model = VeoModels.Veo31Vertex, Prompt = "and then it rains", Video = VeoVideo.FromGeneratedVideo(written) });
        await vertex.StartGenerateVideoAsync(new GenerateVideoRequest { Model = VeoModels.Veo31Vertex, Video = VeoVideo.FromBytes(new byte[] { 0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70 }) });
        await gemini.StartGenerateVideoAsync(new GenerateVideoRequest { Model = VeoModels.Veo31, Prompt = "and then it rains", Video = VeoVideo.FromGeneratedVideo(geminiVideo) });

        // assert
        Assert.Equal(started + 3, _simulator.GetStats().OperationsStarted);
    }

    public static TheoryData<VeoBackend, string, GenerateVideoRequest> RefusedBeforeAnyCall => new()
    {
        { VeoBackend.GeminiApi, nameof(GenerateVideoRequest.Video), new() { Model = VeoModels.Veo31, Prompt = "p", Video = VeoVideo.FromBytes(new byte[] { 1 }) } },
        { VeoBackend.GeminiApi, nameof(GenerateVideoRequest.Video), new() { Model = VeoModels.Veo31, Prompt = "p", Video = VeoVideo.FromUri(new Uri("gs://veo-in/c.mp4")) } },
        { VeoBackend.VertexAi, nameof(GenerateVideoRequest.Video), new() { Model = VeoModels.Veo31Vertex, Prompt = "p", Video = VeoVideo.FromUri(new Uri("https://example.com/c.mp4")) } },
        { VeoBackend.VertexAi, nameof(GenerateVideoRequest.Resolution), new() { Model = VeoModels.Veo31Vertex, Prompt = "p", Resolution = VeoResolutions.FullHd1080, Video = VeoVideo.FromUri(new Uri("gs://veo-in/c.mp4")) } },
        { VeoBackend.VertexAi, nameof(GenerateVideoRequest.DurationSeconds), new() { Model = VeoModels.Veo31Vertex, Prompt = "p", DurationSeconds = 6, Video = VeoVideo.FromUri(new Uri("gs://veo-in/c.mp4")) } },
        { VeoBackend.VertexAi, nameof(GenerateVideoRequest.ReferenceImages), new() { Model = VeoModels.Veo31Vertex, Prompt = "p", ReferenceImages = [new(Png)], Video = VeoVideo.FromUri(new Uri("gs://veo-in/c.mp4")) } },
        { VeoBackend.VertexAi, nameof(GenerateVideoRequest.Prompt), new() { Model = VeoModels.Veo31Vertex } },
        { VeoBackend.VertexAi, nameof(GenerateVideoRequest.Image), new() { Model = VeoModels.Veo31Vertex, Prompt = "p", Image = new VeoImage(new byte[] { 1 }, "image/webp") } },
        { VeoBackend.VertexAi, nameof(GenerateVideoRequest.ReferenceImages), new() { Model = VeoModels.Veo31Vertex, Prompt = "p", ReferenceImages = [new(Png, "CHARACTER")] } },
        { VeoBackend.GeminiApi, nameof(GenerateVideoRequest.ReferenceImages), new() { Model = VeoModels.Veo31, Prompt = "p", ReferenceImages = [new(Png, VeoReferenceTypes.Style)] } },
        { VeoBackend.VertexAi, nameof(GenerateVideoRequest.StorageUri), new() { Model = VeoModels.Veo31Vertex, Prompt = "p", StorageUri = "gs://Not_A_Bucket/x/" } },
        { VeoBackend.VertexAi, nameof(GenerateVideoRequest.StorageUri), new() { Model = VeoModels.Veo31Vertex, Prompt = "p", StorageUri = "s3://bucket/x/" } },
        { VeoBackend.GeminiApi, nameof(GenerateVideoRequest.SampleCount), new() { Model = VeoModels.Veo31, Prompt = "p", SampleCount = 2 } },
    };

    [Theory]
    [MemberData(nameof(RefusedBeforeAnyCall))]
    public async Task Should_refuse_a_request_that_breaks_a_rule_of_its_backend_naming_the_property_before_any_call(VeoBackend backend, string property, GenerateVideoRequest request)
    {
        var client = backend == VeoBackend.VertexAi ? VertexClient() : TestClients.Gemini(_simulator);
        var before = _simulator.GetStats().StartRequests;

        var thrown = await Assert.ThrowsAsync<VeoValidationException>(() => client.StartGenerateVideoAsync(request));

        Assert.Equal(property, thrown.ParamName);
        Assert.False(string.IsNullOrWhiteSpace(thrown.Rule));
        Assert.Equal(before, _simulator.GetStats().StartRequests);
    }

    [Fact]
    public async Task Should_start_from_an_image_alone_and_send_both_reference_types_as_googles_sdks_spell_them()
    {
        var client = VertexClient();
        var started = _simulator.GetStats().OperationsStarted;

        await client.StartGenerateVideoAsync(new GenerateVideoRequest { Model = VeoModels.Veo31Vertex, Image = Png });
        await client.StartGenerateVideoAsync(new GenerateVideoRequest
        {
            Model = VeoModels.Veo31Vertex,
            Prompt = "the same mascot, in watercolour",
            DurationSeconds = 8,
            ReferenceImages = [new(Png), new(Png with { MimeType = "image/jpeg" }, VeoReferenceTypes.Style)],
        });
        await TestClients.Gemini(_simulator).StartGenerateVideoAsync(new GenerateVideoRequest { Model = VeoModels.Veo31, Prompt = "p", Image = new VeoImage(new byte[] { 1 }, "image/webp") });

        Assert.Equal(started + 3, _simulator.GetStats().OperationsStarted);
    }

    private VeoClient VertexClient() => new(TestClients.VertexOptions(_simulator, o => o.AccessTokenProvider = _ => ValueTask.FromResult(_simulator.Options.VertexAccessToken)));

    private static int InlineSpoolFiles() => Directory.EnumerateFiles(Path.GetTempPath(), "veo-inline-*").Count();
}

/// <summary>The streaming extraction of inline videos from an operation answer, chunk by chunk.</summary>
public sealed class InlineVideoExtractorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(65536)]
    public async Task Should_decode_every_inline_video_whatever_the_chunks_and_leave_the_rest_of_the_answer_intact(int chunkSize)
    {
        // arrange: escaped slashes, no padding, a key inside a string value and a URL-safe alphabet
        var first = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 31)).ToArray();
        var second = new byte[] { 0xFB, 0xFF, 0xBF };
        var firstBase64 = Convert.ToBase64String(first).Replace("/", "\\/", StringComparison.Ordinal);
        var secondBase64 = Convert.ToBase64String(second).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var json = $$$"""{"name":"op \"bytesBase64Encoded\": x","done":true,"response":{"videos":[{"bytesBase64Encoded" : "{{{firstBase64}}}","mimeType":"video/mp4"},{"bytesBase64Encoded":"{{{secondBase64}}}"}],"raiMediaFilteredCount":1}}""";
        var extractor = new InlineVideoExtractor();

        // act
        await extractor.ReadAsync(new TrickleStream(Encoding.UTF8.GetBytes(json), chunkSize), CancellationToken.None);
        var operation = System.Text.Json.JsonSerializer.Deserialize(extractor.Residual.Span, VeoJsonContext.Default.OperationResource)!;
        var status = OperationParser.ToStatus(operation, "op", null, extractor.Spools);

        // assert
        var succeeded = Assert.IsType<GenerateVideoResult.Succeeded>(status.Result);
        Assert.Equal("op \"bytesBase64Encoded\": x", operation.Name);
        Assert.Equal(1, succeeded.FilteredCount);
        Assert.Equal(first, await ReadAllAsync(succeeded.Videos[0]));
        Assert.Equal(second, await ReadAllAsync(succeeded.Videos[1]));
        Assert.True(extractor.Residual.Length < 300);
        extractor.DisposeSpools();
    }

    [Fact]
    public async Task Should_refuse_an_inline_video_that_is_not_base64()
    {
        var extractor = new InlineVideoExtractor();

        await Assert.ThrowsAsync<FormatException>(() => extractor.ReadAsync(new MemoryStream("{\"videos\":[{\"bytesBase64Encoded\":\"ab$d\"}]}"u8.ToArray()), CancellationToken.None));
        extractor.DisposeSpools();
    }

    private static async Task<byte[]> ReadAllAsync(GeneratedVideo video)
    {
        using var memory = new MemoryStream();
        await video.Spooled!.CopyToAsync(memory, 4096, CancellationToken.None);
        return memory.ToArray();
    }

    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
