using System.Collections.Concurrent;
using System.Globalization;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>
/// A Veo that lives in this process: a real <see cref="IVeoClient"/> whose generations finish <see cref="Latency"/> after they
/// start, computed from timestamps (no timer per operation), and whose downloads write a small, valid, playable MP4.
/// It stands in for Google in <c>engine</c> mode so that the engine's own cost is measured without HTTP, the way the compared
/// job systems' jobs only sleep. It counts what it was asked: starts (and repeated starts of one task), polls and downloads.
/// </summary>
/// <remarks>The prompt identifies the task: a second start with the same prompt is counted as a duplicate start.</remarks>
public sealed class InProcessVeoClient : IVeoClient
{
    private static readonly byte[] Video = LoadVideo();
    private readonly ConcurrentDictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _startsByPrompt = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private long _sequence;
    private long _polls;
    private long _downloads;

    public InProcessVeoClient(TimeSpan latency, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        Latency = latency;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>How long every generation takes (changeable between passes, e.g. a zero-latency warm-up).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>How often the engine may poll between polls when it uses <see cref="GenerateVideoOperation.WaitForCompletionAsync(CancellationToken)"/>.</summary>
    public TimeSpan DefaultPollingInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The bytes every download writes (a 0.5 s, 90×160 H.264 MP4).</summary>
    public static ReadOnlyMemory<byte> VideoBytes => Video;

    public long Starts => _operations.Count;

    public long Polls => Interlocked.Read(ref _polls);

    public long Downloads => Interlocked.Read(ref _downloads);

    /// <summary>Starts beyond the first for the same prompt (task): generations that would have been paid twice.</summary>
    public long DuplicateStarts => _startsByPrompt.Values.Sum(count => (long)count - 1);

    /// <summary>When the generation named <paramref name="operationName"/> finished (or will), on the wall clock.</summary>
    public DateTimeOffset? FinishedAt(string operationName) => _operations.TryGetValue(operationName, out var op) ? op.DoneAt : null;

    /// <summary>When Veo finished the generation of the task whose prompt is <paramref name="prompt"/> (its first start).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> FinishTimesByPrompt() => _operations.Values
        .GroupBy(op => op.Prompt, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Min(op => op.DoneAt), StringComparer.Ordinal);

    /// <summary>The most generations that ran at the same moment (start to finish), to check a concurrency bound.</summary>
    public int MaxActive()
    {
        var edges = _operations.Values
            .SelectMany(op => new[] { (At: op.StartedAt, Delta: 1), (At: op.DoneAt, Delta: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Delta); // a finish and a start at the same instant do not overlap
        int active = 0, max = 0;
        foreach (var (_, delta) in edges)
        {
            active += delta;
            max = Math.Max(max, active);
        }

        return max;
    }

    public void Reset()
    {
        _operations.Clear();
        _startsByPrompt.Clear();
        Interlocked.Exchange(ref _polls, 0);
        Interlocked.Exchange(ref _downloads, 0);
    }

    public Task<GenerateVideoOperation> StartGenerateVideoAsync(GenerateVideoRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var now = _clock.GetUtcNow();
        var id = Interlocked.Increment(ref _sequence).ToString("x8", CultureInfo.InvariantCulture);
        var name = $"models/{request.Model}/operations/inproc{id}";
        _operations[name] = new Operation(name, request.Prompt ?? string.Empty, now, now + Latency, id);
        _startsByPrompt.AddOrUpdate(request.Prompt ?? string.Empty, 1, (_, count) => count + 1);
        return Task.FromResult(new GenerateVideoOperation(this, name, DefaultPollingInterval, new VeoOperationStatus(name, false, null)));
    }

    public Task<VeoOperationStatus> GetOperationStatusAsync(string operationName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationName);
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _polls);
        if (!_operations.TryGetValue(operationName, out var op))
        {
            throw new VeoRequestFailedException(404, "NOT_FOUND", $"Operation '{operationName}' does not exist.");
        }

        if (_clock.GetUtcNow() < op.DoneAt)
        {
            return Task.FromResult(new VeoOperationStatus(operationName, false, null));
        }

        var video = new GeneratedVideo(new Uri($"inproc://veo/files/{op.Id}.mp4"), "video/mp4");
        return Task.FromResult(new VeoOperationStatus(operationName, true, new GenerateVideoResult.Succeeded([video])));
    }

    public GenerateVideoOperation GetGenerateVideoOperation(string operationName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationName);
        return new GenerateVideoOperation(this, operationName, DefaultPollingInterval);
    }

    public async Task<long> DownloadVideoAsync(GeneratedVideo video, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(destination);
        if (video.Uri is not { Scheme: "inproc" })
        {
            throw new VeoRequestFailedException(404, "NOT_FOUND", $"Video '{video.Uri}' was not generated by this client.");
        }

        await destination.WriteAsync(Video, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _downloads);
        return Video.Length;
    }

    public async Task<long> DownloadVideoToFileAsync(GeneratedVideo video, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (video.Uri is not { Scheme: "inproc" })
        {
            throw new VeoRequestFailedException(404, "NOT_FOUND", $"Video '{video.Uri}' was not generated by this client.");
        }

        // Written under a temporary name and moved into place, as the real client does; one write, no buffering layers.
        var temporary = path + ".part";
        try
        {
            await File.WriteAllBytesAsync(temporary, Video, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        Interlocked.Increment(ref _downloads);
        return Video.Length;
    }

    private static byte[] LoadVideo()
    {
        using var stream = typeof(InProcessVeoClient).Assembly.GetManifestResourceStream("portrait-90x160.mp4")
            ?? throw new InvalidOperationException("The embedded MP4 is missing from the benchmark assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private sealed record Operation(string Name, string Prompt, DateTimeOffset StartedAt, DateTimeOffset DoneAt, string Id);
}
