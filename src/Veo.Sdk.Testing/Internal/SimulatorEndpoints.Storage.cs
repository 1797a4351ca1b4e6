using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Veo.Sdk.Testing.Internal;

/// <summary>
/// The Cloud Storage JSON API (storage.googleapis.com) as far as Google's client libraries use it for objects: metadata and
/// media reads, uploads (resumable with its session PUTs, multipart and media), deletes and server-side rewrites.
/// </summary>
internal sealed partial class SimulatorEndpoints
{
    private const string ObjectsMarker = "/o/";

    // GET /storage/v1/b/{bucket}/o/{object}   (metadata, or the bytes with alt=media; ranges too)
    public async Task StorageObjectAsync(HttpContext context)
    {
        if (CheckAccessToken(context) is { } authError)
        {
            await RefuseAsync(context, authError);
            return;
        }

        var bucket = GetRouteValue(context, "bucket");
        var objectName = ObjectNameAfter(context, $"/b/{bucket}/o/");
        if (FindObject(context, bucket, objectName, "generation") is not { } stored)
        {
            await RefuseAsync(context, GoogleApiError.NoSuchObject(bucket, objectName));
            return;
        }

        if (!string.Equals(context.Request.Query["alt"], "media", StringComparison.Ordinal))
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, writer => WriteObjectResource(writer, context, stored));
            return;
        }

        state.CountDownload();

        // Google sends the whole object's hashes with every read, ranged or not; clients check them when they read it all.
        var headers = context.Response.Headers;
        headers["x-goog-generation"] = stored.Generation.ToString(CultureInfo.InvariantCulture);
        headers["x-goog-metageneration"] = "1";
        headers["x-goog-stored-content-length"] = stored.Bytes.Length.ToString(CultureInfo.InvariantCulture);
        headers["x-goog-hash"] = $"crc32c={stored.Crc32cBase64},md5={stored.Md5Base64}";
        await Results.Bytes(stored.Bytes, stored.ContentType, fileDownloadName: null, enableRangeProcessing: true, lastModified: stored.Created, entityTag: stored.ETag)
            .ExecuteAsync(context);
    }

    // DELETE /storage/v1/b/{bucket}/o/{object}
    public async Task DeleteStorageObjectAsync(HttpContext context)
    {
        if (CheckAccessToken(context) is { } authError)
        {
            await RefuseAsync(context, authError);
            return;
        }

        var bucket = GetRouteValue(context, "bucket");
        var objectName = ObjectNameAfter(context, $"/b/{bucket}/o/");
        if (FindObject(context, bucket, objectName, "generation") is not { } stored || !state.Buckets.Remove(stored))
        {
            await RefuseAsync(context, GoogleApiError.NoSuchObject(bucket, objectName));
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
        context.Response.ContentLength = 0;
    }

    // POST /storage/v1/b/{bucket}/o/{source}/rewriteTo/b/{destinationBucket}/o/{destination}
    public async Task RewriteStorageObjectAsync(HttpContext context)
    {
        if (CheckAccessToken(context) is { } authError)
        {
            await RefuseAsync(context, authError);
            return;
        }

        var bucket = GetRouteValue(context, "bucket");
        var rest = RawPath(context);
        var at = rest.IndexOf($"/b/{bucket}/o/", StringComparison.Ordinal);
        rest = at < 0 ? string.Empty : rest[(at + bucket.Length + 6)..];
        const string rewriteTo = "/rewriteTo/b/";
        var split = rest.IndexOf(rewriteTo, StringComparison.Ordinal);
        var destinationPart = split < 0 ? string.Empty : rest[(split + rewriteTo.Length)..];
        var objectsAt = destinationPart.IndexOf(ObjectsMarker, StringComparison.Ordinal);
        if (split <= 0 || objectsAt <= 0 || objectsAt + ObjectsMarker.Length >= destinationPart.Length)
        {
            await RefuseAsync(context, GoogleApiError.NotFound("Not Found"));
            return;
        }

        var sourceName = Uri.UnescapeDataString(rest[..split]);
        var destinationBucket = destinationPart[..objectsAt];
        var destinationName = Uri.UnescapeDataString(destinationPart[(objectsAt + ObjectsMarker.Length)..]);
        if (CheckObjectAddress(destinationBucket, destinationName) is { } invalid)
        {
            await RefuseAsync(context, invalid);
            return;
        }

        using var body = await ReadOptionalJsonAsync(context);
        if (body.Error is { } jsonError)
        {
            await RefuseAsync(context, jsonError);
            return;
        }

        if (FindObject(context, bucket, sourceName, "sourceGeneration") is not { } source)
        {
            await RefuseAsync(context, GoogleApiError.NoSuchObject(bucket, sourceName));
            return;
        }

        var copy = state.Buckets.Copy(source, destinationBucket, destinationName, StringProperty(body.Document, "contentType"));
        await WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            var size = copy.Bytes.Length.ToString(CultureInfo.InvariantCulture);
            writer.WriteStartObject();
            writer.WriteString("kind", "storage#rewriteResponse");
            writer.WriteString("totalBytesRewritten", size);
            writer.WriteString("objectSize", size);
            writer.WriteBoolean("done", true);
            writer.WritePropertyName("resource");
            WriteObjectResource(writer, context, copy);
            writer.WriteEndObject();
        });
    }

    // POST /upload/storage/v1/b/{bucket}/o?uploadType=resumable|multipart|media
    public async Task UploadStorageObjectAsync(HttpContext context)
    {
        if (CheckAccessToken(context) is { } authError)
        {
            await RefuseAsync(context, authError);
            return;
        }

        var bucket = GetRouteValue(context, "bucket");
        var query = context.Request.Query;
        switch (query["uploadType"].ToString())
        {
            case "resumable":
                await BeginResumableUploadAsync(context, bucket);
                return;
            case "multipart":
                await MultipartUploadAsync(context, bucket);
                return;
            case "media":
                var name = query["name"].ToString();
                if (CheckObjectAddress(bucket, name) is { } invalid)
                {
                    await RefuseAsync(context, invalid);
                    return;
                }

                if (await ReadBoundedBodyAsync(context) is not { } bytes)
                {
                    await RefuseAsync(context, TooLarge());
                    return;
                }

                await FinishUploadAsync(context, bucket, name, context.Request.ContentType ?? "application/octet-stream", bytes);
                return;
            default:
                await RefuseAsync(context, GoogleApiError.StorageInvalid("Upload requests must name uploadType=resumable, multipart or media."));
                return;
        }
    }

    // PUT /upload/storage/v1/b/{bucket}/o?uploadType=resumable&upload_id=…   (a resumable session: chunks, or a status query)
    public async Task ResumableUploadChunkAsync(HttpContext context)
    {
        // As at Google, the session URI is the authorization: whoever began the session may hand it on.
        var id = context.Request.Query["upload_id"].ToString();
        if (id.Length == 0 || !state.Buckets.TryGetSession(id, out var session) || session.Bucket != GetRouteValue(context, "bucket"))
        {
            await RefuseAsync(context, GoogleApiError.NoSuchUpload());
            return;
        }

        if (!TryParseContentRange(context.Request.Headers[HeaderNames.ContentRange].ToString(), out var range))
        {
            await RefuseAsync(context, GoogleApiError.StorageInvalid($"Invalid Content-Range \"{context.Request.Headers[HeaderNames.ContentRange]}\": expected bytes FIRST-LAST/TOTAL, bytes FIRST-LAST/* or bytes */TOTAL."));
            return;
        }

        if (await ReadBoundedBodyAsync(context) is not { } chunk)
        {
            await RefuseAsync(context, TooLarge());
            return;
        }

        if (range.WholeBody)
        {
            range = chunk.Length == 0 ? new ContentRange(null, null, 0) : new ContentRange(0, chunk.Length - 1, chunk.Length);
        }

        GoogleApiError? error;
        SimulatedObject? created = null;
        long received;
        lock (session.Gate)
        {
            error = session.Result is null ? Accept(session, range, chunk, context.Request.Headers, out created) : null;
            created ??= session.Result;
            received = session.Received.Length;
        }

        if (error is not null)
        {
            await RefuseAsync(context, error);
            return;
        }

        if (created is not null)
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, writer => WriteObjectResource(writer, context, created));
            return;
        }

        // 308 Resume Incomplete: how much of the object the session holds (no Range header while it holds nothing)
        context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
        if (received > 0)
        {
            context.Response.Headers.Range = string.Create(CultureInfo.InvariantCulture, $"bytes=0-{received - 1}");
        }

        context.Response.ContentLength = 0;
    }

    /// <summary>Takes a chunk (or a status query) into a session; a session that then holds the whole object creates it.</summary>
    private GoogleApiError? Accept(UploadSession session, ContentRange range, byte[] chunk, IHeaderDictionary headers, out SimulatedObject? created)
    {
        created = null;
        var received = session.Received.Length;
        var total = range.Total ?? session.DeclaredLength;
        if (range.Total is { } announced && session.DeclaredLength is { } declared && announced != declared)
        {
            return GoogleApiError.StorageInvalid($"The upload was begun for {declared} byte(s), but the Content-Range names a total of {announced}.");
        }

        var newBytes = ReadOnlyMemory<byte>.Empty;
        if (range.First is { } first)
        {
            var length = range.Last!.Value - first + 1;
            if (length != chunk.Length)
            {
                return GoogleApiError.StorageInvalid($"The Content-Range names {length} byte(s) but the request carried {chunk.Length}.");
            }

            if (first > received)
            {
                return GoogleApiError.StorageInvalid($"Invalid request. According to the Content-Range header, the upload offset is {first} byte(s), which exceeds already uploaded size of {received} byte(s).");
            }

            var end = first + length;
            if (total is { } t && end > t)
            {
                return GoogleApiError.StorageInvalid($"The Content-Range ends at byte {end - 1}, past the object's size of {t} byte(s).");
            }

            if (total != end && length % SimulatedBuckets.ChunkGranularity != 0)
            {
                return GoogleApiError.StorageInvalid($"Invalid request. The number of bytes uploaded is required to be equal or greater than {SimulatedBuckets.ChunkGranularity}, except for the final request (it's recommended to be the exact multiple of {SimulatedBuckets.ChunkGranularity}). The received request contained {length} bytes, which does not meet this requirement.");
            }

            if (end > SimulatedBuckets.MaxObjectBytes)
            {
                return TooLarge();
            }

            // a chunk sent again after a lost answer overlaps what the session holds: only its new bytes count
            if (end > received)
            {
                newBytes = chunk.AsMemory((int)(received - first), (int)(end - received));
            }
        }
        else if (chunk.Length > 0)
        {
            return GoogleApiError.StorageInvalid("A Content-Range of bytes */TOTAL asks for the upload's status and carries no bytes.");
        }

        if (total is not { } size || received + newBytes.Length < size)
        {
            session.Received.Write(newBytes.Span);
            return null;
        }

        // the last bytes: the object is checked whole before it exists, and a refused ending leaves the session as it was
        var bytes = new byte[size];
        session.Received.GetBuffer().AsSpan(0, (int)received).CopyTo(bytes);
        newBytes.Span.CopyTo(bytes.AsSpan((int)received));
        if (CheckHashes(headers, bytes) is { } mismatch)
        {
            return mismatch;
        }

        created = state.Buckets.Put(session.Bucket, session.Name, bytes, session.ContentType);
        session.Result = created;
        session.Received.SetLength(0);
        session.Received.Capacity = 0;
        return null;
    }

    private async Task BeginResumableUploadAsync(HttpContext context, string bucket)
    {
        using var body = await ReadOptionalJsonAsync(context);
        if (body.Error is { } jsonError)
        {
            await RefuseAsync(context, jsonError);
            return;
        }

        var request = context.Request;
        var name = StringProperty(body.Document, "name") ?? (request.Query["name"] is { Count: > 0 } n ? n.ToString() : null);
        if (name is null)
        {
            await RefuseAsync(context, GoogleApiError.StorageRequired("the object's name (\"name\" in the body or the query)"));
            return;
        }

        if (CheckObjectAddress(bucket, name) is { } invalid)
        {
            await RefuseAsync(context, invalid);
            return;
        }

        long? declared = null;
        if (request.Headers["X-Upload-Content-Length"] is { Count: > 0 } lengthHeader)
        {
            if (!long.TryParse(lengthHeader.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                await RefuseAsync(context, GoogleApiError.StorageInvalid($"Invalid X-Upload-Content-Length \"{lengthHeader}\"."));
                return;
            }

            if (length > SimulatedBuckets.MaxObjectBytes)
            {
                await RefuseAsync(context, TooLarge());
                return;
            }

            declared = length;
        }

        var contentType = request.Headers["X-Upload-Content-Type"] is { Count: > 0 } type ? type.ToString()
            : StringProperty(body.Document, "contentType") ?? "application/octet-stream";
        var session = state.Buckets.BeginUpload(bucket, name, contentType, declared);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.Location = $"{BaseUrlOf(context)}upload/storage/v1/b/{bucket}/o?uploadType=resumable&name={Uri.EscapeDataString(name)}&upload_id={session.Id}";
        context.Response.Headers["X-GUploader-UploadID"] = session.Id;
        context.Response.ContentLength = 0;
    }

    private async Task MultipartUploadAsync(HttpContext context, string bucket)
    {
        var boundary = MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type)
            && type.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(type.Boundary).Value
            : null;
        if (string.IsNullOrEmpty(boundary))
        {
            await RefuseAsync(context, GoogleApiError.StorageInvalid("A multipart upload is sent as multipart/related with a boundary: the object's JSON metadata, then its bytes."));
            return;
        }

        context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize = SimulatedBuckets.MaxObjectBytes + 64 * 1024;
        await using var requestBody = RequestBody(context);
        var reader = new MultipartReader(boundary, requestBody) { BodyLengthLimit = SimulatedBuckets.MaxObjectBytes };
        JsonDocument? metadata = null;
        try
        {
            // sections are read in order: the metadata's body before the next section begins
            var first = await reader.ReadNextSectionAsync(context.RequestAborted);
            if (first is not null)
            {
                try
                {
                    metadata = await JsonDocument.ParseAsync(first.Body, default, context.RequestAborted);
                }
                catch (JsonException ex)
                {
                    await RefuseAsync(context, GoogleApiError.InvalidJson(ex.Message));
                    return;
                }
            }

            var second = first is null ? null : await reader.ReadNextSectionAsync(context.RequestAborted);
            if (first is null || second is null)
            {
                await RefuseAsync(context, GoogleApiError.StorageInvalid("A multipart upload has two parts: the object's JSON metadata, then its bytes."));
                return;
            }

            var name = StringProperty(metadata, "name");
            if (name is null)
            {
                await RefuseAsync(context, GoogleApiError.StorageRequired("the object's name (\"name\" in the metadata part)"));
                return;
            }

            if (CheckObjectAddress(bucket, name) is { } invalid)
            {
                await RefuseAsync(context, invalid);
                return;
            }

            using var media = new MemoryStream();
            await second.Body.CopyToAsync(media, context.RequestAborted);
            var contentType = StringProperty(metadata, "contentType") ?? second.ContentType ?? "application/octet-stream";
            await FinishUploadAsync(context, bucket, name, contentType, media.ToArray());
        }
        catch (InvalidDataException ex)
        {
            await RefuseAsync(context, GoogleApiError.StorageInvalid($"The multipart body is malformed: {ex.Message}"));
        }
        finally
        {
            metadata?.Dispose();
        }
    }

    private async Task FinishUploadAsync(HttpContext context, string bucket, string name, string contentType, byte[] bytes)
    {
        if (CheckHashes(context.Request.Headers, bytes) is { } mismatch)
        {
            await RefuseAsync(context, mismatch);
            return;
        }

        var stored = state.Buckets.Put(bucket, name, bytes, contentType);
        await WriteJsonAsync(context, StatusCodes.Status200OK, writer => WriteObjectResource(writer, context, stored));
    }

    /// <summary>The current version of an object, or the one named by a generation parameter when the request gives one.</summary>
    private SimulatedObject? FindObject(HttpContext context, string bucket, string name, string generationParameter)
    {
        if (!state.Buckets.TryGet(bucket, name, state.TimeProvider.GetTimestamp(), out var stored))
        {
            return null;
        }

        var wanted = context.Request.Query[generationParameter].ToString();
        return wanted.Length == 0 || wanted == stored.Generation.ToString(CultureInfo.InvariantCulture) ? stored : null;
    }

    private static GoogleApiError? CheckObjectAddress(string bucket, string name)
    {
        if (!IsBucketName(bucket))
        {
            return GoogleApiError.StorageInvalid($"Invalid bucket name: '{bucket}'");
        }

        return name.Length == 0 || Encoding.UTF8.GetByteCount(name) > 1024 || name.AsSpan().ContainsAny('\r', '\n')
            || name is "." or ".." || name.StartsWith(".well-known/acme-challenge/", StringComparison.Ordinal)
            ? GoogleApiError.StorageInvalid($"Invalid object name: '{name}'")
            : null;
    }

    // 3 to 63 characters (222 with dots) of lowercase letters, digits, '-', '_' and '.', beginning and ending with a letter or digit
    private static bool IsBucketName(string name)
        => name.Length is >= 3 and <= 222 && (name.Length <= 63 || name.Contains('.', StringComparison.Ordinal))
            && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.')
            && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);

    /// <summary>The <c>x-goog-hash</c> checksums a client sent with the last bytes of an upload, checked as Google checks them.</summary>
    private static GoogleApiError? CheckHashes(IHeaderDictionary headers, byte[] bytes)
    {
        foreach (var part in headers["x-goog-hash"].SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var (kind, value) = equals < 0 ? (part, string.Empty) : (part[..equals], part[(equals + 1)..]);
            if (kind.Equals("crc32c", StringComparison.OrdinalIgnoreCase) && Crc32c.Base64(bytes) is var crc && crc != value)
            {
                return GoogleApiError.StorageInvalid($"Provided CRC32C \"{value}\" doesn't match calculated CRC32C \"{crc}\".");
            }

            if (kind.Equals("md5", StringComparison.OrdinalIgnoreCase) && ObjectMd5.Base64(bytes) is var md5 && md5 != value)
            {
                return GoogleApiError.StorageInvalid($"Provided MD5 hash \"{value}\" doesn't match calculated MD5 hash \"{md5}\".");
            }
        }

        return null;
    }

    private static void WriteObjectResource(Utf8JsonWriter writer, HttpContext context, SimulatedObject stored)
    {
        var escaped = Uri.EscapeDataString(stored.Name);
        var generation = stored.Generation.ToString(CultureInfo.InvariantCulture);
        var baseUrl = BaseUrlOf(context);
        writer.WriteStartObject();
        writer.WriteString("kind", "storage#object");
        writer.WriteString("id", $"{stored.Bucket}/{stored.Name}/{generation}");
        writer.WriteString("selfLink", $"{baseUrl}storage/v1/b/{stored.Bucket}/o/{escaped}");
        writer.WriteString("mediaLink", $"{baseUrl}storage/v1/b/{stored.Bucket}/o/{escaped}?generation={generation}&alt=media");
        writer.WriteString("name", stored.Name);
        writer.WriteString("bucket", stored.Bucket);
        writer.WriteString("generation", generation);
        writer.WriteString("metageneration", "1");
        writer.WriteString("contentType", stored.ContentType);
        writer.WriteString("storageClass", "STANDARD");
        writer.WriteString("size", stored.Bytes.Length.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("md5Hash", stored.Md5Base64);
        writer.WriteString("crc32c", stored.Crc32cBase64);
        writer.WriteString("etag", stored.ETag.Tag.ToString().Trim('"'));
        writer.WriteString("timeCreated", stored.Created.UtcDateTime);
        writer.WriteString("updated", stored.Created.UtcDateTime);
        writer.WriteString("timeStorageClassUpdated", stored.Created.UtcDateTime);
        writer.WriteEndObject();
    }

    /// <summary>The object name after <paramref name="marker"/> in the request's raw path, unescaped once (names escape their slashes).</summary>
    private static string ObjectNameAfter(HttpContext context, string marker)
    {
        var path = RawPath(context);
        var at = path.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? string.Empty : Uri.UnescapeDataString(path[(at + marker.Length)..]);
    }

    /// <summary>The path as the client sent it, before any decoding, without the query.</summary>
    private static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? string.Empty;
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }

    private static string? StringProperty(JsonDocument? document, string name)
        => document?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>A JSON body that may be absent (Google's clients send none, or <c>{}</c>, when they have no metadata to give).</summary>
    private static async Task<JsonBody> ReadOptionalJsonAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await using (var body = RequestBody(context))
        {
            await body.CopyToAsync(buffer, context.RequestAborted);
        }

        if (buffer.Length == 0)
        {
            return new JsonBody(null, null);
        }

        try
        {
            return new JsonBody(JsonDocument.Parse(buffer.ToArray()), null);
        }
        catch (JsonException ex)
        {
            return new JsonBody(null, GoogleApiError.InvalidJson(ex.Message));
        }
    }

    /// <summary>
    /// The request body as sent before compression: Google's client libraries gzip the JSON they send
    /// (<c>Content-Encoding: gzip</c>), and Google takes such bodies.
    /// </summary>
    private static Stream RequestBody(HttpContext context)
        => context.Request.Headers.ContentEncoding.ToString().Equals("gzip", StringComparison.OrdinalIgnoreCase)
            ? new System.IO.Compression.GZipStream(context.Request.Body, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true)
            : new NonClosingStream(context.Request.Body);

    /// <summary>The request body, or <see langword="null"/> when it is larger than the simulator keeps.</summary>
    private static async Task<byte[]?> ReadBoundedBodyAsync(HttpContext context)
    {
        context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize = SimulatedBuckets.MaxObjectBytes + 1;
        if (context.Request.ContentLength > SimulatedBuckets.MaxObjectBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        await using var body = RequestBody(context);
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > SimulatedBuckets.MaxObjectBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static GoogleApiError TooLarge()
        => GoogleApiError.StorageInvalid($"The simulator keeps objects in memory and takes at most {SimulatedBuckets.MaxObjectBytes} bytes per object.");

    /// <summary><c>bytes FIRST-LAST/TOTAL</c>, <c>bytes FIRST-LAST/*</c>, <c>bytes */TOTAL</c> or <c>bytes */*</c>; none means the whole object in one request.</summary>
    private static bool TryParseContentRange(string header, out ContentRange range)
    {
        range = new ContentRange(null, null, null);
        if (header.Length == 0)
        {
            range = new ContentRange(null, null, null) { WholeBody = true };
            return true;
        }

        if (!header.StartsWith("bytes ", StringComparison.Ordinal))
        {
            return false;
        }

        var spec = header.AsSpan(6).Trim();
        var slash = spec.IndexOf('/');
        if (slash < 0)
        {
            return false;
        }

        long? total = null;
        var totalPart = spec[(slash + 1)..];
        if (totalPart is not "*")
        {
            if (!long.TryParse(totalPart, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                return false;
            }

            total = t;
        }

        var bytesPart = spec[..slash];
        if (bytesPart is "*")
        {
            range = new ContentRange(null, null, total);
            return true;
        }

        var dash = bytesPart.IndexOf('-');
        if (dash <= 0
            || !long.TryParse(bytesPart[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !long.TryParse(bytesPart[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            || last < first)
        {
            return false;
        }

        range = new ContentRange(first, last, total);
        return true;
    }

    private readonly record struct ContentRange(long? First, long? Last, long? Total)
    {
        /// <summary>No Content-Range at all: the body is the whole object.</summary>
        public bool WholeBody { get; init; }
    }

    /// <summary>Lets the request body be handed out in a <c>using</c> like a decompressing wrapper, without closing it.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
