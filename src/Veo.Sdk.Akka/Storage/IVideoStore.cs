namespace Veo.Sdk.Akka.Storage;

/// <summary>
/// Where finished videos are kept: the engine saves each task's video through it, the generation row records the location
/// it answers (<see cref="GenerationRecord.VideoLocation"/>), and apps read the video back by that location. Configured by
/// <c>Storage:Provider</c>: a folder (the default, <c>Storage:VideosPath</c>) or a Google Cloud Storage bucket, which every
/// node of a cluster can serve from. Register an implementation of your own before <c>AddVeoGenerationServices</c> to
/// keep videos elsewhere.
/// </summary>
/// <remarks>
/// The engine calls <see cref="SaveAsync"/> again after a failure (with back-off, up to its attempt limit) and after a
/// crash or restart, so a save must be idempotent per task id: a second save of the same task replaces or finds what the
/// first stored, under the same location, and a save that fails part way leaves no partial video at that location.
/// </remarks>
public interface IVideoStore
{
    /// <summary>Saves a task's finished video, fetching it from Veo (or from where Veo wrote it) as the store sees fit.</summary>
    /// <param name="taskId">The task the video belongs to; the store names the video after it.</param>
    /// <param name="video">The video Veo generated: inline bytes, a Gemini file URI or a <c>gs://</c> object.</param>
    /// <param name="client">The Veo client, for stores that download the video (<see cref="IVeoClient.DownloadVideoToFileAsync"/>).</param>
    /// <param name="cancellationToken">Stops saving; nothing is left at the location.</param>
    /// <returns>Where the video is now and its size.</returns>
    /// <exception cref="VeoRequestFailedException">The video could not be fetched from Veo.</exception>
    /// <exception cref="IOException">The store could not write the video.</exception>
    Task<StoredVideo> SaveAsync(string taskId, GeneratedVideo video, IVeoClient client, CancellationToken cancellationToken = default);

    /// <summary>Opens a stored video for reading.</summary>
    /// <param name="location">The location <see cref="SaveAsync"/> answered.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>
    /// A readable stream that can seek and knows its <see cref="Stream.Length"/>, so range requests can be served from it
    /// (a remote store reads lazily: each seek costs one ranged request, sequential reads stream); or
    /// <see langword="null"/> when the video is not there.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="location"/> is not a location of this store.</exception>
    Task<Stream?> OpenReadAsync(string location, CancellationToken cancellationToken = default);

    /// <summary>Deletes a stored video (a task's result discarded after it was cancelled); nothing happens when it is not there.</summary>
    /// <param name="location">The location <see cref="SaveAsync"/> answered.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the video is gone.</returns>
    /// <exception cref="ArgumentException"><paramref name="location"/> is not a location of this store.</exception>
    Task DeleteAsync(string location, CancellationToken cancellationToken = default);
}

/// <summary>A video as a store saved it.</summary>
/// <param name="Location">Where the store keeps it: what the generation row records (<c>video_location</c>) and <see cref="IVideoStore.OpenReadAsync"/> takes.</param>
/// <param name="SizeBytes">Its size in bytes.</param>
public sealed record StoredVideo(string Location, long SizeBytes);
