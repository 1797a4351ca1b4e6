using Veo.Sdk.Akka.Hosting;
using Veo.Sdk.Akka.Storage;
using Veo.Sdk.Testing;

namespace Veo.Sdk.Akka.Tests;

/// <summary>
/// The bucket video store on Google.Cloud.Storage.V1 against the simulator's Cloud Storage over loopback, with a
/// service-account key the simulator issued: its tokens come from the simulator's token endpoint, as from Google's.
/// </summary>
public sealed class CloudStorageVideoStoreTests : IAsyncLifetime
{
    private const string Bucket = "store-tests";

    private VeoSimulator _simulator = null!;
    private VeoClientOptions _veo = null!;

    public async Task InitializeAsync()
    {
        _simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(100) });
        _veo = new VeoClientOptions
        {
            Backend = VeoBackend.VertexAi,
            BaseUrl = _simulator.BaseUrl,
            ProjectId = "store-tests",
            CredentialsJson = _simulator.CreateServiceAccountKey("store-tests@store-tests.iam.gserviceaccount.com", "store-tests"),
        };
    }

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Should_upload_a_downloaded_video_under_the_task_name_and_serve_ranges_and_deletes_of_it()
    {
        // arrange
        var store = Store(_veo);
        var client = new VeoClient(_veo);
        var bytes = new byte[700 * 1024];
        new Random(7).NextBytes(bytes);
        var video = new GeneratedVideo(Uri: null, MimeType: "video/mp4", InlineBytes: bytes);

        // act
        var saved = await store.SaveAsync("task-1", video, client);
        var again = await store.SaveAsync("task-1", video, client);   // a retry after a lost answer replaces the first
        byte[] whole;
        byte[] middle;
        long length;
        await using (var stream = await store.OpenReadAsync(saved.Location))
        {
            Assert.NotNull(stream);
            Assert.True(stream.CanSeek);
            length = stream.Length;
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            whole = copy.ToArray();
            stream.Seek(300_000, SeekOrigin.Begin);
            middle = new byte[1000];
            await stream.ReadExactlyAsync(middle);
        }

        var stats = _simulator.GetStats();
        await store.DeleteAsync(saved.Location);
        var afterDelete = await store.OpenReadAsync(saved.Location);
        await store.DeleteAsync(saved.Location);   // already gone: nothing happens

        // assert
        Assert.Equal(new StoredVideo("videos/task-1.mp4", bytes.Length), saved);
        Assert.Equal(saved, again);
        Assert.Equal(bytes.Length, length);
        Assert.Equal(bytes, whole);
        Assert.Equal(bytes.AsSpan(300_000, 1000).ToArray(), middle);
        Assert.Equal(2, stats.StorageUploads);
        Assert.True(stats.TokenRequests >= 1, "the store asked the token endpoint for its access token");
        Assert.Null(afterDelete);
        Assert.Null(await store.OpenReadAsync("videos/never-saved.mp4"));
        Assert.Empty(_simulator.GetStorageObjectNames(Bucket));
    }

    [Fact]
    public async Task Should_fail_with_the_401_when_the_bucket_refuses_the_token()
    {
        // arrange
        var badToken = new VeoClientOptions { Backend = VeoBackend.VertexAi, BaseUrl = _simulator.BaseUrl, ProjectId = "store-tests", AccessToken = "not-a-token" };
        var store = Store(badToken);
        var video = new GeneratedVideo(Uri: null, MimeType: "video/mp4", InlineBytes: new byte[] { 1, 2, 3 });

        // act
        var upload = await Assert.ThrowsAsync<IOException>(() => store.SaveAsync("task-401", video, new VeoClient(badToken)));
        var read = await Assert.ThrowsAsync<IOException>(() => store.OpenReadAsync("videos/task-401.mp4"));

        // assert
        Assert.Contains("401", upload.Message, StringComparison.Ordinal);
        Assert.Contains("401", read.Message, StringComparison.Ordinal);
        Assert.Empty(_simulator.GetStorageObjectNames(Bucket));
    }

    [Fact]
    public async Task Should_keep_the_object_vertex_wrote_into_the_bucket_without_any_byte_passing_through_the_node()
    {
        // arrange
        var client = new VeoClient(_veo);
        var video = await GenerateIntoAsync(client, $"gs://{Bucket}/vertex/task-2/");
        var before = _simulator.GetStats();

        // act
        var saved = await Store(_veo).SaveAsync("task-2", video, client);

        // assert
        var after = _simulator.GetStats();
        Assert.Equal(video.Uri!.OriginalString, $"gs://{Bucket}/{saved.Location}");
        Assert.StartsWith("vertex/task-2/", saved.Location, StringComparison.Ordinal);
        Assert.True(saved.SizeBytes > 1000);
        Assert.Equal(before.StorageUploads, after.StorageUploads);
        Assert.Equal(before.StorageCopies, after.StorageCopies);
        Assert.Equal(before.Downloads, after.Downloads);
        Assert.Equal([saved.Location], _simulator.GetStorageObjectNames(Bucket));
    }

    [Fact]
    public async Task Should_copy_an_object_vertex_wrote_into_another_bucket_inside_cloud_storage()
    {
        // arrange
        var client = new VeoClient(_veo);
        var video = await GenerateIntoAsync(client, "gs://vertex-output/task-3/");
        var before = _simulator.GetStats();

        // act
        var saved = await Store(_veo).SaveAsync("task-3", video, client);

        // assert
        var after = _simulator.GetStats();
        Assert.Equal("videos/task-3.mp4", saved.Location);
        Assert.Equal(before.StorageCopies + 1, after.StorageCopies);
        Assert.Equal(before.StorageUploads, after.StorageUploads);
        Assert.Equal(before.Downloads, after.Downloads);
        Assert.Equal(["videos/task-3.mp4"], _simulator.GetStorageObjectNames(Bucket));
    }

    private static IVideoStore Store(VeoClientOptions veo)
        => VideoStores.Create(new VeoStorageOptions { Provider = VideoStoreProvider.GoogleCloudStorage, Bucket = Bucket }, veo);

    private static async Task<GeneratedVideo> GenerateIntoAsync(VeoClient client, string storageUri)
    {
        var operation = await client.StartGenerateVideoAsync(new GenerateVideoRequest { Model = VeoModels.Veo31FastVertex, Prompt = "a lighthouse at dusk", StorageUri = storageUri });
        var result = await operation.WaitForCompletionAsync(TimeSpan.FromMilliseconds(50));
        return Assert.IsType<GenerateVideoResult.Succeeded>(result).Videos[0];
    }
}
