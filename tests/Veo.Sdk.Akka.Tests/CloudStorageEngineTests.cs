using Veo.Sdk.Akka.Tests.Support;
using Veo.Sdk.Testing;
using static Veo.Sdk.Akka.Tests.Support.EngineTestExtensions;

namespace Veo.Sdk.Akka.Tests;

/// <summary>The engine with its videos in a Cloud Storage bucket: a task ends with the video there, not on the node's disk.</summary>
public sealed class CloudStorageEngineTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_task_on_vertex_ends_with_the_object_google_wrote_as_its_video_and_no_byte_through_the_node()
    {
        // arrange
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(300) });
        var settings = BucketSettings(simulator, folder.Path);
        await using var engine = await TestEngine.StartAsync(settings, output);

        // act
        var submitted = await engine.Service.SubmitAsync(Request("a kite over dunes"));
        var final = await engine.Service.FinalStatusAsync(submitted.TaskId, TimeSpan.FromSeconds(30));

        // assert
        Assert.Equal(VideoTaskState.Success, final.State);
        var result = Assert.IsType<VideoTaskResult>(final.Result);
        Assert.StartsWith($"videos/{submitted.TaskId}/", result.VideoLocation, StringComparison.Ordinal);
        Assert.Equal([result.VideoLocation], simulator.GetStorageObjectNames("engine-tests"));
        var stats = simulator.GetStats();
        Assert.Equal(0, stats.StorageUploads);
        Assert.Equal(0, stats.StorageCopies);
        Assert.Equal(0, stats.Downloads);
        Assert.True(stats.TokenRequests >= 1);
        Assert.False(Directory.Exists(engine.VideosPath) && Directory.EnumerateFiles(engine.VideosPath).Any());
        await using var video = await engine.Videos.OpenReadAsync(result.VideoLocation);
        Assert.NotNull(video);
        Assert.Equal(result.SizeBytes, video.Length);
    }

    [Fact]
    public async Task A_task_with_an_inline_video_ends_with_it_uploaded_under_the_task_name()
    {
        // arrange
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(300) });
        var settings = BucketSettings(simulator, folder.Path);
        settings.Remove("Storage:VertexOutputUri");
        await using var engine = await TestEngine.StartAsync(settings, output);

        // act
        var submitted = await engine.Service.SubmitAsync(Request("a kite over dunes"));
        var final = await engine.Service.FinalStatusAsync(submitted.TaskId, TimeSpan.FromSeconds(30));

        // assert
        Assert.Equal(VideoTaskState.Success, final.State);
        var result = Assert.IsType<VideoTaskResult>(final.Result);
        Assert.Equal($"videos/{submitted.TaskId}.mp4", result.VideoLocation);
        Assert.Equal(1, simulator.GetStats().StorageUploads);
        var row = await engine.Generations.GetByTaskIdAsync(submitted.TaskId);
        Assert.Equal(result.VideoLocation, row?.VideoLocation);
        await using var video = await engine.Videos.OpenReadAsync(result.VideoLocation);
        Assert.Equal(result.SizeBytes, video?.Length);
    }

    /// <summary>The engine's test settings with the bucket store, on a service-account key the simulator issued.</summary>
    private static Dictionary<string, string?> BucketSettings(VeoSimulator simulator, string dataFolder)
    {
        var settings = TestEngine.Settings(simulator.BaseUrl, dataFolder);
        settings.Remove("Veo:AccessToken");
        settings["Veo:CredentialsJson"] = simulator.CreateServiceAccountKey("engine-tests@engine-tests.iam.gserviceaccount.com", "engine-tests");
        settings["Storage:Provider"] = "GoogleCloudStorage";
        settings["Storage:Bucket"] = "engine-tests";
        return settings;
    }
}
