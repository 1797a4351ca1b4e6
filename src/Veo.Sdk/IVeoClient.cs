namespace Veo.Sdk;

/// <summary>
/// Generates videos with Google's Veo models. Implemented by <see cref="VeoClient"/>; an interface so that
/// applications can substitute their own implementation in their tests.
/// </summary>
/// <remarks>
/// Veo offers no way to cancel a generation once it has started. Every <see cref="CancellationToken"/> taken here
/// stops the caller's waiting only; a started generation runs on and is billed.
/// </remarks>
public interface IVeoClient
{
    /// <summary>Starts generating a video. Returns as soon as Veo has accepted the request.</summary>
    /// <param name="request">What to generate; validated before any I/O.</param>
    /// <param name="cancellationToken">Stops waiting for Veo's answer; if the request was already sent, the generation may still start.</param>
    /// <returns>The long-running operation that tracks the generation; its <see cref="GenerateVideoOperation.Name"/> re-attaches to it later.</returns>
    /// <exception cref="ArgumentException"><paramref name="request"/> is invalid (nothing was sent).</exception>
    /// <exception cref="VeoRequestFailedException">Veo rejected the request or could not be reached.</exception>
    Task<GenerateVideoOperation> StartGenerateVideoAsync(GenerateVideoRequest request, CancellationToken cancellationToken = default);

    /// <summary>Asks Veo once for the current state of an operation (one poll).</summary>
    /// <param name="operationName">The operation's name as Veo returned it, e.g. <c>projects/p/locations/us-central1/publishers/google/models/veo-3.1-generate-001/operations/…</c> on Vertex AI or <c>models/veo-3.1-generate-preview/operations/abc123def456</c> on the Gemini API.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>The operation's state at the time of the call.</returns>
    /// <exception cref="ArgumentException"><paramref name="operationName"/> is empty or malformed.</exception>
    /// <exception cref="VeoRequestFailedException">Veo answered with an error or could not be reached.</exception>
    Task<VeoOperationStatus> GetOperationStatusAsync(string operationName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-attaches to an operation started earlier, possibly by another process, without any I/O.
    /// Call <see cref="GenerateVideoOperation.UpdateStatusAsync"/> or <see cref="GenerateVideoOperation.WaitForCompletionAsync(CancellationToken)"/> next.
    /// </summary>
    /// <param name="operationName">The operation's name as Veo returned it.</param>
    /// <returns>An operation whose state is unknown until it is updated.</returns>
    /// <exception cref="ArgumentException"><paramref name="operationName"/> is empty or malformed.</exception>
    GenerateVideoOperation GetGenerateVideoOperation(string operationName);

    /// <summary>Downloads a generated video into <paramref name="destination"/>, streaming (never buffering the whole file).</summary>
    /// <remarks>
    /// The wait for the response is retried on transient faults; a body that breaks off midway is not, because part of it
    /// is already in <paramref name="destination"/>. <see cref="DownloadVideoToFileAsync"/> fetches such a file again.
    /// </remarks>
    /// <param name="video">A video from <see cref="GenerateVideoResult.Succeeded.Videos"/>.</param>
    /// <param name="destination">A writable stream; it is not closed.</param>
    /// <param name="cancellationToken">Stops the download.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="VeoRequestFailedException">The file could not be downloaded (expired, forbidden, unreachable).</exception>
    Task<long> DownloadVideoAsync(GeneratedVideo video, Stream destination, CancellationToken cancellationToken = default);

    /// <summary>Downloads a generated video to a file, streaming; the file is written to a temporary name and moved into place when complete.</summary>
    /// <remarks>
    /// A body that breaks off midway, or ends short of its announced length, is fetched again from the start, up to
    /// <see cref="VeoClientOptions.MaxRetries"/> times with the client's back-off.
    /// </remarks>
    /// <param name="video">A video from <see cref="GenerateVideoResult.Succeeded.Videos"/>.</param>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="cancellationToken">Stops the download; a partial file is removed.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="VeoRequestFailedException">The file could not be downloaded (expired, forbidden, unreachable).</exception>
    Task<long> DownloadVideoToFileAsync(GeneratedVideo video, string path, CancellationToken cancellationToken = default);
}
