namespace Veo.Sdk.Testing.Internal;

/// <summary>How a simulated generation ends.</summary>
internal enum OperationResultKind
{
    Succeeded,
    Filtered,
    Failed,
}

/// <summary>
/// A generation in flight or done. It holds no timer: whether it is done is computed from <see cref="CompletesAt"/>
/// on each look, so thousands of operations cost a dictionary entry each.
/// </summary>
internal sealed class SimulatedOperation
{
    private int _failNextPoll;
    private readonly int _brokenDownloads;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _downloadsByFile = new(StringComparer.Ordinal);

    public SimulatedOperation(bool failFirstPoll, int brokenDownloads = 0)
    {
        _failNextPoll = failFirstPoll ? 1 : 0;
        _brokenDownloads = brokenDownloads;
    }

    public required string Name { get; init; }

    public required string Model { get; init; }

    public required ApiSurface Surface { get; init; }

    public required StartRequest Request { get; init; }

    /// <summary>When the operation is done, as a <see cref="TimeProvider"/> timestamp.</summary>
    public required long CompletesAt { get; init; }

    /// <summary>When the operation is done, as a wall-clock time (for file metadata and expiry).</summary>
    public required DateTimeOffset CompletesAtUtc { get; init; }

    /// <summary>How long the generation takes from its start.</summary>
    public required TimeSpan Latency { get; init; }

    public required OperationResultKind Result { get; init; }

    public string? FilterReason { get; init; }

    /// <summary>How many of the requested videos were withheld by the safety filter (all of them when <see cref="Result"/> is Filtered).</summary>
    public int FilteredSamples { get; init; }

    /// <summary>How many videos the answer carries.</summary>
    public int DeliveredSamples => Result == OperationResultKind.Succeeded ? Request.SampleCount - FilteredSamples : 0;

    /// <summary>The Cloud Storage objects the videos were written to, when the request named a <c>storageUri</c>.</summary>
    public IReadOnlyList<string> StorageObjects { get; init; } = [];

    /// <summary>The bucket of <see cref="StorageObjects"/>.</summary>
    public string StorageBucket { get; init; } = string.Empty;

    public int ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    /// <summary>The Gemini file ids of the generated videos, one per sample; empty unless the result is a success on the Gemini API.</summary>
    public IReadOnlyList<string> FileIds { get; init; } = [];

    /// <summary>The last segment of <see cref="Name"/>.</summary>
    public string Id => Name[(Name.LastIndexOf('/') + 1)..];

    public bool IsDone(long now) => now >= CompletesAt;

    /// <summary>Whether this download of a video breaks off halfway: the first n of each file with <c>[sim:brokendownload=n]</c>.</summary>
    public bool NextDownloadBreaks(string fileId)
        => _brokenDownloads > 0 && _downloadsByFile.AddOrUpdate(fileId, 1, (_, count) => count + 1) <= _brokenDownloads;

    /// <summary>True once, for the first poll of an operation started with <c>[sim:poll503]</c>.</summary>
    public bool TryConsumePollFailure() => Volatile.Read(ref _failNextPoll) == 1 && Interlocked.Exchange(ref _failNextPoll, 0) == 1;
}

/// <summary>A generated video as a Gemini file.</summary>
internal sealed record SimulatedFile(string Id, SampleVideo Video, SimulatedOperation Operation);
