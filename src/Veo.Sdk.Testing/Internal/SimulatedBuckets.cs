using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Veo.Sdk.Testing.Internal;

/// <summary>
/// One Cloud Storage object: bytes, metadata and the generation number that tells one version of a name from the next.
/// An object Vertex AI writes for an operation exists only once that operation is done.
/// </summary>
internal sealed class SimulatedObject
{
    public SimulatedObject(string bucket, string name, byte[] bytes, string contentType, long generation, DateTimeOffset created, SimulatedOperation? writtenBy = null)
    {
        Bucket = bucket;
        Name = name;
        Bytes = bytes;
        ContentType = contentType;
        Generation = generation;
        Created = created;
        WrittenBy = writtenBy;
        Crc32cBase64 = Crc32c.Base64(bytes);
        Md5Base64 = ObjectMd5.Base64(bytes);
        ETag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(ObjectMd5.Hash(bytes).AsSpan(0, 8))}-{generation}\"");
    }

    public string Bucket { get; }

    public string Name { get; }

    public byte[] Bytes { get; }

    public string ContentType { get; }

    public long Generation { get; }

    public DateTimeOffset Created { get; }

    /// <summary>The generation whose result this is; <see langword="null"/> for an object a client uploaded or copied.</summary>
    public SimulatedOperation? WrittenBy { get; }

    public string Crc32cBase64 { get; }

    public string Md5Base64 { get; }

    public EntityTagHeaderValue ETag { get; }
}

/// <summary>A resumable upload begun and not finished: the bytes received so far, in order.</summary>
internal sealed class UploadSession(string id, string bucket, string name, string contentType, long? declaredLength)
{
    public string Id { get; } = id;

    public string Bucket { get; } = bucket;

    public string Name { get; } = name;

    public string ContentType { get; } = contentType;

    /// <summary>The size announced when the session began (<c>X-Upload-Content-Length</c>), if any.</summary>
    public long? DeclaredLength { get; } = declaredLength;

    public MemoryStream Received { get; } = new();

    /// <summary>The object the session created once it was complete; later requests to the session answer it again.</summary>
    public SimulatedObject? Result { get; set; }

    public Lock Gate { get; } = new();
}

/// <summary>
/// The simulated buckets: every bucket name exists and is empty until written to, objects live in memory, and each write
/// of a name gets a new generation number (microseconds since the epoch, as Google's are, kept increasing).
/// </summary>
internal sealed class SimulatedBuckets(TimeProvider time)
{
    /// <summary>The largest object the simulator keeps (it holds every object in memory); videos are a few megabytes.</summary>
    public const long MaxObjectBytes = 256L * 1024 * 1024;

    /// <summary>Chunks of a resumable upload other than the last must be a multiple of this, as Google requires.</summary>
    public const int ChunkGranularity = 256 * 1024;

    private readonly ConcurrentDictionary<(string Bucket, string Name), SimulatedObject> _objects = new();
    private readonly ConcurrentDictionary<string, UploadSession> _sessions = new(StringComparer.Ordinal);
    private long _lastGeneration;
    private long _uploads;
    private long _copies;

    public long Uploads => Interlocked.Read(ref _uploads);

    public long Copies => Interlocked.Read(ref _copies);

    public void ResetStats()
    {
        Interlocked.Exchange(ref _uploads, 0);
        Interlocked.Exchange(ref _copies, 0);
    }

    public long NextGeneration()
    {
        var now = (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
        while (true)
        {
            var last = Interlocked.Read(ref _lastGeneration);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref _lastGeneration, next, last) == last)
            {
                return next;
            }
        }
    }

    /// <summary>Stores an object Vertex AI will have written when <paramref name="operation"/> is done.</summary>
    public void AddGenerated(string bucket, string name, SampleVideo video, SimulatedOperation operation)
        => _objects[(bucket, name)] = new SimulatedObject(bucket, name, video.Bytes, "video/mp4", NextGeneration(), operation.CompletesAtUtc, operation);

    /// <summary>The current version of an object; one written by a generation still running does not exist yet.</summary>
    public bool TryGet(string bucket, string name, long now, out SimulatedObject stored)
        => _objects.TryGetValue((bucket, name), out stored!) && (stored.WrittenBy is null || stored.WrittenBy.IsDone(now));

    /// <summary>Writes a new version of a name, replacing the current one, as an upload does.</summary>
    public SimulatedObject Put(string bucket, string name, byte[] bytes, string contentType)
    {
        var stored = new SimulatedObject(bucket, name, bytes, contentType, NextGeneration(), time.GetUtcNow());
        _objects[(bucket, name)] = stored;
        Interlocked.Increment(ref _uploads);
        return stored;
    }

    /// <summary>Copies an object inside the simulator, as a rewrite does: no bytes travel through the client.</summary>
    public SimulatedObject Copy(SimulatedObject source, string bucket, string name, string? contentType)
    {
        var stored = new SimulatedObject(bucket, name, source.Bytes, contentType ?? source.ContentType, NextGeneration(), time.GetUtcNow());
        _objects[(bucket, name)] = stored;
        Interlocked.Increment(ref _copies);
        return stored;
    }

    public bool Remove(SimulatedObject stored) => _objects.TryRemove(new KeyValuePair<(string, string), SimulatedObject>((stored.Bucket, stored.Name), stored));

    public IReadOnlyList<string> ListNames(string bucket, long now)
        => [.. _objects.Values.Where(o => o.Bucket == bucket && (o.WrittenBy is null || o.WrittenBy.IsDone(now))).Select(o => o.Name).Order(StringComparer.Ordinal)];

    public UploadSession BeginUpload(string bucket, string name, string contentType, long? declaredLength)
    {
        var session = new UploadSession(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), bucket, name, contentType, declaredLength);
        _sessions[session.Id] = session;
        return session;
    }

    public bool TryGetSession(string id, out UploadSession session) => _sessions.TryGetValue(id, out session!);
}
