namespace Veo.Sdk;

/// <summary>
/// How a finished generation ended: one of <see cref="Succeeded"/>, <see cref="Filtered"/> or <see cref="Failed"/>.
/// The three are kept apart on purpose: Veo reports a safety-filtered generation as "done" with no error and no video,
/// and treating that as an (empty) success is a well-known bug in Veo clients.
/// </summary>
public abstract record GenerateVideoResult
{
    private protected GenerateVideoResult() { }

    /// <summary>Veo generated one or more videos (and may have withheld others: see <see cref="FilteredCount"/>).</summary>
    /// <param name="Videos">The generated videos, never empty.</param>
    public sealed record Succeeded(IReadOnlyList<GeneratedVideo> Videos) : GenerateVideoResult
    {
        /// <summary>How many of the requested videos Veo withheld for safety reasons (<c>raiMediaFilteredCount</c>); 0 when none were.</summary>
        public int FilteredCount { get; init; }

        /// <summary>Google's reasons for the withheld videos (<c>raiMediaFilteredReasons</c>); empty when none were withheld.</summary>
        public IReadOnlyList<string> FilteredReasons { get; init; } = [];
    }

    /// <summary>Veo finished but withheld every video for safety reasons (Responsible AI filtering). Google does not charge for these.</summary>
    /// <param name="FilteredCount">How many videos were filtered (<c>raiMediaFilteredCount</c>).</param>
    /// <param name="Reasons">Google's human-readable reasons or support codes (<c>raiMediaFilteredReasons</c>).</param>
    public sealed record Filtered(int FilteredCount, IReadOnlyList<string> Reasons) : GenerateVideoResult;

    /// <summary>The operation ended with an error.</summary>
    /// <param name="Error">The <c>google.rpc.Status</c> Veo returned.</param>
    public sealed record Failed(VeoOperationError Error) : GenerateVideoResult;

    /// <summary>Returns the videos, or throws if the generation was filtered or failed.</summary>
    /// <returns>The generated videos.</returns>
    /// <exception cref="VeoGenerationFilteredException">The generation was safety-filtered.</exception>
    /// <exception cref="VeoGenerationFailedException">The operation failed.</exception>
    public IReadOnlyList<GeneratedVideo> GetVideosOrThrow() => this switch
    {
        Succeeded s => s.Videos,
        Filtered f => throw new VeoGenerationFilteredException(f.FilteredCount, f.Reasons),
        Failed e => throw new VeoGenerationFailedException(e.Error),
        _ => throw new InvalidOperationException($"Unknown result type {GetType().Name}."),
    };
}

/// <summary>The error of a failed operation: a <c>google.rpc.Status</c>.</summary>
/// <param name="Code">The <c>google.rpc.Code</c> (for example 3 = INVALID_ARGUMENT, 13 = INTERNAL).</param>
/// <param name="Message">Google's message.</param>
public sealed record VeoOperationError(int Code, string Message);

/// <summary>One generated video: a URI to download it from, or its bytes inline (Vertex AI without a storage URI).</summary>
/// <remarks>
/// Inline videos read by <see cref="VeoClient"/> are decoded, as the answer arrives, into a private temporary file rather
/// than memory (an answer can hold four 1080p videos): <see cref="IsInline"/> is then true and <see cref="InlineBytes"/>
/// <see langword="null"/>. <see cref="IVeoClient.DownloadVideoAsync"/> copies every kind to a stream or a file alike. The
/// temporary file goes when the video is collected; nothing is left on disk.
/// </remarks>
/// <param name="Uri">Where the video can be downloaded (Gemini API file URI) or where Vertex AI stored it (<c>gs://</c>); <see langword="null"/> when the bytes are inline.</param>
/// <param name="MimeType">The media type, usually <c>video/mp4</c>, when Veo names it.</param>
/// <param name="InlineBytes">The video's bytes, when held in memory (a video made in code, or read by a client of your own).</param>
public sealed record GeneratedVideo(Uri? Uri, string? MimeType = null, ReadOnlyMemory<byte>? InlineBytes = null)
{
    /// <summary>The inline bytes decoded into a temporary file by the client.</summary>
    internal Internal.SpooledVideo? Spooled { get; init; }

    /// <summary>Whether Veo returned the video's bytes in its answer, rather than a location to fetch them from.</summary>
    public bool IsInline => InlineBytes is not null || Spooled is not null;

    /// <summary>The size in bytes of an inline video; <see langword="null"/> for one behind a URI.</summary>
    public long? InlineLength => InlineBytes?.Length ?? Spooled?.Length;
}
