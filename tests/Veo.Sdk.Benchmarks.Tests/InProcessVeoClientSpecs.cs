using Microsoft.Extensions.Time.Testing;
using Veo.Sdk.Benchmarks.Throughput;

namespace Veo.Sdk.Benchmarks.Tests;

public class InProcessVeoClientSpecs
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task Should_complete_only_after_the_latency_when_polled()
    {
        // arrange
        var veo = new InProcessVeoClient(TimeSpan.FromSeconds(2), _clock);
        var operation = await veo.StartGenerateVideoAsync(BenchmarkRequests.Veo("t", 1));

        // act
        var early = await veo.GetOperationStatusAsync(operation.Name);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var done = await veo.GetOperationStatusAsync(operation.Name);

        // assert
        Assert.False(early.HasCompleted);
        Assert.True(done.HasCompleted);
        Assert.IsType<GenerateVideoResult.Succeeded>(done.Result);
        Assert.Equal(2, veo.Polls);
        Assert.Equal(_clock.GetUtcNow(), veo.FinishedAt(operation.Name));
    }

    [Fact]
    public async Task Should_write_a_playable_mp4_when_downloading()
    {
        // arrange
        var veo = new InProcessVeoClient(TimeSpan.Zero, _clock);
        var operation = await veo.StartGenerateVideoAsync(BenchmarkRequests.Veo("t", 2));
        var video = (await veo.GetOperationStatusAsync(operation.Name)).Result!.GetVideosOrThrow()[0];
        var path = Path.Combine(Path.GetTempPath(), $"veo-bench-test-{Guid.NewGuid():N}.mp4");

        try
        {
            // act
            var written = await veo.DownloadVideoToFileAsync(video, path);

            // assert: an ISO BMFF file starts with its ftyp box, and holds the movie header and the media data
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.Equal(bytes.Length, written);
            Assert.Equal("ftyp"u8.ToArray(), bytes[4..8]);
            Assert.True(bytes.AsSpan().IndexOf("moov"u8) > 0);
            Assert.True(bytes.AsSpan().IndexOf("mdat"u8) > 0);
            Assert.False(File.Exists(path + ".part"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Should_count_a_second_start_of_one_task_when_it_happens()
    {
        var veo = new InProcessVeoClient(TimeSpan.FromSeconds(1), _clock);
        await veo.StartGenerateVideoAsync(BenchmarkRequests.Veo("t", 3));
        await veo.StartGenerateVideoAsync(BenchmarkRequests.Veo("t", 4));
        await veo.StartGenerateVideoAsync(BenchmarkRequests.Veo("t", 3));
        Assert.Equal(3, veo.Starts);
        Assert.Equal(1, veo.DuplicateStarts);
    }

    [Fact]
    public async Task Should_find_the_most_overlapping_generations_when_asked_for_max_active()
    {
        var veo = new InProcessVeoClient(TimeSpan.FromSeconds(1), _clock);
        await veo.StartGenerateVideoAsync(BenchmarkRequests.Veo("t", 1));
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        await veo.StartGenerateVideoAsync(BenchmarkRequests.Veo("t", 2));
        _clock.Advance(TimeSpan.FromMilliseconds(500)); // the first ends exactly as the third starts: no overlap
        await veo.StartGenerateVideoAsync(BenchmarkRequests.Veo("t", 3));
        Assert.Equal(2, veo.MaxActive());
    }

    [Fact]
    public async Task Should_reject_unknown_operations_and_foreign_videos_when_asked()
    {
        var veo = new InProcessVeoClient(TimeSpan.Zero, _clock);
        var e = await Assert.ThrowsAsync<VeoRequestFailedException>(() => veo.GetOperationStatusAsync("models/x/operations/nope"));
        Assert.Equal(404, e.Status);
        await Assert.ThrowsAsync<VeoRequestFailedException>(() => veo.DownloadVideoAsync(new GeneratedVideo(new Uri("https://example.invalid/v.mp4")), Stream.Null));
        await Assert.ThrowsAsync<VeoValidationException>(() => veo.StartGenerateVideoAsync(new GenerateVideoRequest { Model = "m", Prompt = " " }));
    }
}
