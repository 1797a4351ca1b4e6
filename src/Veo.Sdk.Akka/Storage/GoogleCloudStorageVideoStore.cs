using System.Net;
using Google;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Cloud.Storage.V1;

namespace Veo.Sdk.Akka.Storage;

/// <summary>
/// Keeps finished videos as objects in one Cloud Storage bucket, <c>{prefix}{task id}.mp4</c>, so every node of a cluster
/// can serve every video. A video Vertex AI already wrote to Cloud Storage never passes through the node: in the same bucket
/// its object is kept as it is, in another one it is copied inside Cloud Storage (a rewrite).
/// </summary>
internal sealed class GoogleCloudStorageVideoStore : IVideoStore
{
    private readonly Lazy<Task<StorageClient>> _client;

    /// <param name="bucket">The bucket.</param>
    /// <param name="objectPrefix">The start of every object name written.</param>
    /// <param name="createClient">Builds the client on first use, so that a node starts without reaching Google.</param>
    public GoogleCloudStorageVideoStore(string bucket, string objectPrefix, Func<Task<StorageClient>> createClient)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        ArgumentNullException.ThrowIfNull(objectPrefix);
        ArgumentNullException.ThrowIfNull(createClient);
        Bucket = bucket;
        ObjectPrefix = objectPrefix;
        _client = new Lazy<Task<StorageClient>>(createClient, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Bucket { get; }

    public string ObjectPrefix { get; }

    /// <summary>The object a task's uploaded or copied video gets.</summary>
    public string ObjectNameFor(string taskId) => ObjectPrefix + taskId + ".mp4";

    public async Task<StoredVideo> SaveAsync(string taskId, GeneratedVideo video, IVeoClient client, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(client);
        var storage = await GetClientAsync().ConfigureAwait(false);
        if (CloudStorageNames.TryParseUri(video.Uri, out var sourceBucket, out var sourceName))
        {
            return sourceBucket == Bucket
                ? await KeepAsync(storage, sourceName, cancellationToken).ConfigureAwait(false)
                : await CopyAsync(storage, sourceBucket, sourceName, ObjectNameFor(taskId), cancellationToken).ConfigureAwait(false);
        }

        return await UploadAsync(storage, taskId, video, client, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Stream?> OpenReadAsync(string location, CancellationToken cancellationToken = default)
    {
        CloudStorageNames.CheckLocation(location);
        var storage = await GetClientAsync().ConfigureAwait(false);
        try
        {
            var stored = await storage.GetObjectAsync(Bucket, location, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new CloudStorageReadStream(storage, Bucket, location, stored.Generation, checked((long)(stored.Size ?? 0)));
        }
        catch (GoogleApiException ex) when (ex.HttpStatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Failure("read", location, ex);
        }
    }

    public async Task DeleteAsync(string location, CancellationToken cancellationToken = default)
    {
        CloudStorageNames.CheckLocation(location);
        var storage = await GetClientAsync().ConfigureAwait(false);
        try
        {
            await storage.DeleteObjectAsync(Bucket, location, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleApiException ex) when (ex.HttpStatusCode == HttpStatusCode.NotFound)
        {
            // already gone: a delete is done when the object is not there
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Failure("delete", location, ex);
        }
    }

    /// <summary>Google already wrote the video into this bucket: the object is the stored video, as it is.</summary>
    private async Task<StoredVideo> KeepAsync(StorageClient storage, string name, CancellationToken cancellationToken)
    {
        try
        {
            var stored = await storage.GetObjectAsync(Bucket, name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new StoredVideo(name, checked((long)(stored.Size ?? 0)));
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Failure("find", name, ex);
        }
    }

    /// <summary>A rewrite inside Cloud Storage to the task's own name: the bytes stay at Google, a retry overwrites the copy.</summary>
    private async Task<StoredVideo> CopyAsync(StorageClient storage, string sourceBucket, string sourceName, string target, CancellationToken cancellationToken)
    {
        try
        {
            var copy = await storage.CopyObjectAsync(sourceBucket, sourceName, Bucket, target, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new StoredVideo(target, checked((long)(copy.Size ?? 0)));
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            throw Failure($"copy gs://{sourceBucket}/{sourceName} to", target, ex);
        }
    }

    /// <summary>
    /// Inline bytes or a Gemini file: downloaded to a temporary file first, because the client fetches a download that broke
    /// off again from the start, and an upload from a file of known length is one request whose checksum Google verifies
    /// before the object exists. An upload either creates the whole object or nothing, and a second one replaces the first.
    /// </summary>
    private async Task<StoredVideo> UploadAsync(StorageClient storage, string taskId, GeneratedVideo video, IVeoClient client, CancellationToken cancellationToken)
    {
        var target = ObjectNameFor(taskId);
        var temporary = Path.Combine(Path.GetTempPath(), $"veo-upload-{Guid.NewGuid():N}.mp4");
        try
        {
            var size = await client.DownloadVideoToFileAsync(video, temporary, cancellationToken).ConfigureAwait(false);
            await using var file = new FileStream(temporary, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            try
            {
                var uploaded = await storage.UploadObjectAsync(Bucket, target, video.MimeType ?? "video/mp4", file, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new StoredVideo(target, uploaded.Size is { } stored ? checked((long)stored) : size);
            }
            catch (Exception ex) when (IsStorageFailure(ex))
            {
                throw Failure("upload", target, ex);
            }
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    private async Task<StorageClient> GetClientAsync()
    {
        try
        {
            return await _client.Value.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageFailure(ex) || ex is InvalidOperationException)
        {
            throw new IOException($"No Cloud Storage client could be made for gs://{Bucket}: {ex.Message}", ex);
        }
    }

    private static bool IsStorageFailure(Exception ex)
        => ex is GoogleApiException or TokenResponseException or HttpRequestException or IOException or InvalidOperationException;

    private IOException Failure(string what, string name, Exception ex)
    {
        var reason = ex switch
        {
            GoogleApiException google => $"Cloud Storage answered {(int)google.HttpStatusCode}: {google.Error?.Message ?? google.Message}",
            TokenResponseException token => $"no access token: the token endpoint answered {token.Error?.Error} {token.Error?.ErrorDescription}".TrimEnd(),
            _ => ex.Message,
        };
        return new IOException($"Could not {what} gs://{Bucket}/{name}: {reason}", ex);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // the temporary folder is the OS's to clean
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
