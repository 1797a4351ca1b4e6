namespace Veo.Sdk.Akka.Storage;

/// <summary>Keeps finished videos as files in one folder (<c>Storage:VideosPath</c>), each named by its task id.</summary>
internal sealed class FolderVideoStore : IVideoStore
{
    public FolderVideoStore(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
    }

    /// <summary>The full path of the folder.</summary>
    public string Folder { get; }

    /// <summary>The location of a task's video: a file name relative to <see cref="Folder"/>.</summary>
    public static string LocationFor(string taskId) => taskId + ".mp4";

    /// <summary>The file of a location, refusing anything that is not a plain file name in the folder.</summary>
    /// <exception cref="ArgumentException">The location names a path outside the folder.</exception>
    public string PathFor(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        if (location != Path.GetFileName(location) || location is "." or ".." || location.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Video location '{location}' is not a file name inside the video folder.", nameof(location));
        }

        return Path.Combine(Folder, location);
    }

    /// <summary>
    /// Downloads the video to <c>{taskId}.mp4</c>: the client writes a temporary file and moves it into place when complete,
    /// so the name never holds part of a video, and a second save of the task overwrites the first.
    /// </summary>
    public async Task<StoredVideo> SaveAsync(string taskId, GeneratedVideo video, IVeoClient client, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(client);
        var location = LocationFor(taskId);
        var size = await client.DownloadVideoToFileAsync(video, PathFor(location), cancellationToken).ConfigureAwait(false);
        return new StoredVideo(location, size);
    }

    public Task DeleteAsync(string location, CancellationToken cancellationToken = default)
    {
        var path = PathFor(location);
        cancellationToken.ThrowIfCancellationRequested();
        File.Delete(path);
        return Task.CompletedTask;
    }

    public Task<Stream?> OpenReadAsync(string location, CancellationToken cancellationToken = default)
    {
        var path = PathFor(location);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult<Stream?>(stream);
        }
        catch (FileNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }
}
