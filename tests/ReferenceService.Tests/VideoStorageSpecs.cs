using System.Net;
using System.Net.Http.Headers;
using Veo.Sdk.Testing;

namespace ReferenceService.Tests;

/// <summary>
/// Videos in a Cloud Storage bucket (<c>Storage:Provider=GoogleCloudStorage</c>): a <c>video_url</c> is answered from the
/// bucket, with ranges, by any node that can read the generation row, whatever its own disk holds.
/// </summary>
public sealed class VideoStorageSpecs : IAsyncLifetime
{
    private const string Bucket = "service-videos";

    private readonly TempFolder _data = new();
    private VeoSimulator _veo = null!;

    public async Task InitializeAsync()
        => _veo = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromSeconds(0.5) });

    public async Task DisposeAsync()
    {
        await _veo.DisposeAsync();
        _data.Delete();
    }

    [Fact]
    public async Task Should_serve_a_video_url_from_the_bucket_on_a_node_whose_disk_never_held_the_video()
    {
        // arrange: the first node generates; its videos folder stays empty
        var keyFile = Path.Combine(_data.Path, "service-account.json");
        await File.WriteAllTextAsync(keyFile, _veo.CreateServiceAccountKey("veo-service@reference-tests.iam.gserviceaccount.com", "reference-tests"));
        var settings = new Dictionary<string, string?>
        {
            ["Veo:Backend"] = "VertexAi",
            ["Veo:BaseUrl"] = _veo.BaseUrl.ToString(),
            ["Veo:CredentialsFile"] = keyFile,
            ["Storage:Provider"] = "GoogleCloudStorage",
            ["Storage:Bucket"] = Bucket,
        };
        string videoPath;
        byte[] served;
        await using (var first = await ServiceHost.StartAsync(_data.Path, settings))
        {
            var taskId = await first.Client.SubmitAsync(Api.SeedRequest(adId: 501));
            var result = (await first.Client.WaitForSuccessAsync(taskId)).GetProperty("result");
            videoPath = new Uri(result.GetProperty("video_url").GetString()!).PathAndQuery;
            served = await first.Client.GetByteArrayAsync(new Uri(videoPath, UriKind.Relative));
        }

        // act: another node (its own, empty videos folder) reads the same generation row and serves the same URL
        var elsewhere = Path.Combine(_data.Path, "other-node-videos");
        await using var second = await ServiceHost.StartAsync(_data.Path, new Dictionary<string, string?>(settings) { ["Storage:VideosPath"] = elsewhere });
        using var whole = await second.Client.GetAsync(new Uri(videoPath, UriKind.Relative));
        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(videoPath, UriKind.Relative));
        rangeRequest.Headers.Range = new RangeHeaderValue(100, 199);
        using var range = await second.Client.SendAsync(rangeRequest);

        // assert
        Assert.Equal("ftyp"u8.ToArray(), served[4..8]);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(served, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal(served[100..200], await range.Content.ReadAsByteArrayAsync());
        Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());
        Assert.False(Directory.Exists(Path.Combine(_data.Path, "videos")) && Directory.EnumerateFiles(Path.Combine(_data.Path, "videos")).Any());
        Assert.False(Directory.Exists(elsewhere) && Directory.EnumerateFiles(elsewhere).Any());
        var objects = _veo.GetStorageObjectNames(Bucket);
        Assert.Single(objects);
        Assert.Equal(1, _veo.GetStats().StorageUploads);

        // and once the object is gone from the bucket, the URL is a 404, not a 500
        using var storage = new HttpClient { BaseAddress = _veo.BaseUrl };
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"storage/v1/b/{Bucket}/o/{Uri.EscapeDataString(objects[0])}");
        delete.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _veo.Options.VertexAccessToken);
        using var deleted = await storage.SendAsync(delete);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await second.Client.GetAsync(new Uri(videoPath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        // and a bucket that refuses the node's credential is a 503 to retry, not a 404 (the row says the video exists)
        _veo.RevokeServiceAccount("veo-service@reference-tests.iam.gserviceaccount.com");
        using var refused = await second.Client.GetAsync(new Uri(videoPath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task Should_keep_the_videos_in_the_embedded_simulators_bucket_when_only_the_provider_and_bucket_are_set()
    {
        // arrange
        await using var service = await ServiceHost.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "GoogleCloudStorage",
            ["Storage:Bucket"] = "demo-videos",
        });

        // act
        var taskId = await service.Client.SubmitAsync(Api.SeedRequest(adId: 502));
        var result = (await service.Client.WaitForSuccessAsync(taskId)).GetProperty("result");
        var video = await service.Client.GetByteArrayAsync(new Uri(result.GetProperty("video_url").GetString()!));

        // assert
        Assert.Equal("ftyp"u8.ToArray(), video[4..8]);
        Assert.Equal([$"videos/{taskId}.mp4"], service.EmbeddedSimulator.GetStorageObjectNames("demo-videos"));
        Assert.True(service.EmbeddedSimulator.GetStats().TokenRequests >= 1);
    }
}
