using Veo.Sdk.Internal;

namespace Veo.Sdk;

/// <summary>
/// What to generate. Only <see cref="Model"/> is always required; a <see cref="Prompt"/> is required unless an
/// <see cref="Image"/> or a <see cref="Video"/> is given. Veo's defaults apply to the rest.
/// </summary>
public sealed record GenerateVideoRequest
{
    /// <summary>The Veo model id, e.g. <c>veo-3.1-generate-001</c> (see <see cref="VeoModels"/>). A free string: Google retires and adds model ids often.</summary>
    public required string Model { get; init; }

    /// <summary>The text prompt (Google documents a limit of 1,024 tokens); optional when <see cref="Image"/> or <see cref="Video"/> is given.</summary>
    public string? Prompt { get; init; }

    /// <summary><c>16:9</c> or <c>9:16</c>; see <see cref="VeoAspectRatios"/>. Veo's default (16:9) when <see langword="null"/>.</summary>
    public string? AspectRatio { get; init; }

    /// <summary>4, 6 or 8 seconds (Veo 2: 5 to 8); Veo's default (8) when <see langword="null"/>.</summary>
    public int? DurationSeconds { get; init; }

    /// <summary><c>720p</c>, <c>1080p</c> or <c>4k</c>; see <see cref="VeoResolutions"/>. 1080p and 4k need 8 seconds.</summary>
    public string? Resolution { get; init; }

    /// <summary>What the video should not contain.</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>
    /// A seed in the unsigned 32-bit range; Vertex AI only (the Gemini API takes none, and is refused before any call).
    /// Veo treats it as best-effort: it does not make output deterministic.
    /// </summary>
    public long? Seed { get; init; }

    /// <summary>How many videos to generate (1–4 on Vertex AI; the Gemini API generates 1).</summary>
    public int? SampleCount { get; init; }

    /// <summary><c>allow_all</c>, <c>allow_adult</c> or <c>dont_allow</c>; see <see cref="VeoPersonGeneration"/>.</summary>
    public string? PersonGeneration { get; init; }

    /// <summary>Whether Veo may rewrite the prompt to improve it.</summary>
    public bool? EnhancePrompt { get; init; }

    /// <summary>Whether Veo 3.x generates an audio track (Vertex AI only; the Gemini API has no such parameter and is refused before any call).</summary>
    public bool? GenerateAudio { get; init; }

    /// <summary>A first frame for image-to-video generation (<c>image/png</c> or <c>image/jpeg</c> on Vertex AI).</summary>
    public VeoImage? Image { get; init; }

    /// <summary>A last frame, for interpolating between <see cref="Image"/> and it (Veo 3.1); requires <see cref="Image"/>.</summary>
    public VeoImage? LastFrame { get; init; }

    /// <summary>
    /// Up to 3 reference images the video should show (<see cref="VeoReferenceTypes.Asset"/>) or take its style from
    /// (<see cref="VeoReferenceTypes.Style"/>, Vertex AI only); requires 8 seconds and 16:9, and excludes
    /// <see cref="Image"/>, <see cref="LastFrame"/> and <see cref="Video"/>.
    /// </summary>
    public IReadOnlyList<VeoReferenceImage>? ReferenceImages { get; init; }

    /// <summary>
    /// A video to extend (Veo 3.1): on Vertex AI a <c>gs://</c> object or the video's bytes, on the Gemini API the URI of
    /// a video Veo generated there. Extension generates 720p only.
    /// </summary>
    public VeoVideo? Video { get; init; }

    /// <summary>How the output is compressed (<see cref="VeoCompressionQuality"/>); Vertex AI only.</summary>
    public string? CompressionQuality { get; init; }

    /// <summary>How an input image that does not match the aspect ratio is fitted (<see cref="VeoResizeModes"/>); Vertex AI, Veo 3 image-to-video only.</summary>
    public string? ResizeMode { get; init; }

    /// <summary>Cloud labels for billing and reporting (at most 64; lowercase keys and values of up to 63 characters); Vertex AI only.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>
    /// A Cloud Storage prefix (<c>gs://bucket/folder/</c>) Vertex AI writes the videos to, instead of returning their
    /// bytes in the poll answer; <see cref="IVeoClient.DownloadVideoAsync"/> reads them back with the client's credentials.
    /// Vertex AI only.
    /// </summary>
    public string? StorageUri { get; init; }

    /// <summary>The first setting only Vertex AI accepts, which the Gemini API refuses; <see langword="null"/> when there is none.</summary>
    internal string? VertexOnlySetting
        => GenerateAudio is not null ? nameof(GenerateAudio)
        : Seed is not null ? nameof(Seed)
        : CompressionQuality is not null ? nameof(CompressionQuality)
        : ResizeMode is not null ? nameof(ResizeMode)
        : Labels is { Count: > 0 } ? nameof(Labels)
        : StorageUri is not null ? nameof(StorageUri)
        : null;

    /// <summary>Checks the rules that hold on every backend, without asking Veo.</summary>
    /// <exception cref="VeoValidationException">A value breaks a rule; <see cref="ArgumentException.ParamName"/> names the property.</exception>
    public void Validate() => ValidateCore(backend: null);

    /// <summary>Checks the rules of <paramref name="backend"/> as well, as <see cref="IVeoClient.StartGenerateVideoAsync"/> does before any call.</summary>
    /// <param name="backend">The backend the request is for.</param>
    /// <exception cref="VeoValidationException">A value breaks a rule; <see cref="ArgumentException.ParamName"/> names the property.</exception>
    public void Validate(VeoBackend backend) => ValidateCore(backend);

    private void ValidateCore(VeoBackend? backend)
    {
        if (string.IsNullOrWhiteSpace(Model))
        {
            throw Invalid(nameof(Model), "A model id is required, e.g. 'veo-3.1-generate-001' (see VeoModels).");
        }

        if (Model.Any(c => char.IsWhiteSpace(c) || c == '/' || c == '?' || c == '#'))
        {
            throw Invalid(nameof(Model), $"Model id '{Model}' contains characters a model id cannot have (whitespace, '/', '?', '#').");
        }

        if (Prompt is null || string.IsNullOrWhiteSpace(Prompt))
        {
            if (Image is null && Video is null)
            {
                throw Invalid(nameof(Prompt), Prompt is null
                    ? "A prompt is required unless an Image or a Video is given."
                    : "The prompt must not be empty or blank (leave it unset to generate from an Image or a Video alone).");
            }
        }
        else if (Prompt.Length > VeoLimits.MaxPromptLength)
        {
            throw Invalid(nameof(Prompt), $"The prompt is {Prompt.Length} characters long; at most {VeoLimits.MaxPromptLength} are accepted.");
        }

        if (AspectRatio is not null && AspectRatio is not (VeoAspectRatios.Landscape or VeoAspectRatios.Portrait))
        {
            throw Invalid(nameof(AspectRatio), $"Aspect ratio '{AspectRatio}' is not supported; use '{VeoAspectRatios.Landscape}' or '{VeoAspectRatios.Portrait}'.");
        }

        // Google's model pages: Veo 2 takes 5 to 8 seconds and 720p only; Veo 3.x takes 4, 6 or 8 seconds.
        var isVeo2 = Model.StartsWith("veo-2.", StringComparison.Ordinal);
        if (DurationSeconds is { } duration && (isVeo2 ? duration is < 5 or > 8 : duration is not (4 or 6 or 8)))
        {
            throw Invalid(nameof(DurationSeconds), $"Duration {duration} s is not supported by {Model}; use {(isVeo2 ? "5 to 8" : "4, 6 or 8")} seconds.");
        }

        if (isVeo2 && Resolution is VeoResolutions.FullHd1080 or VeoResolutions.Uhd4K)
        {
            throw Invalid(nameof(Resolution), $"Resolution '{Resolution}' is not supported by {Model}, which generates 720p only.");
        }

        if (Resolution is not null && Resolution is not (VeoResolutions.Hd720 or VeoResolutions.FullHd1080 or VeoResolutions.Uhd4K))
        {
            throw Invalid(nameof(Resolution), $"Resolution '{Resolution}' is not supported; use '720p', '1080p' or '4k'.");
        }

        if (Resolution is VeoResolutions.FullHd1080 or VeoResolutions.Uhd4K && DurationSeconds is { } d && d != 8)
        {
            throw Invalid(nameof(DurationSeconds), $"Resolution '{Resolution}' requires a duration of 8 seconds, not {d}.");
        }

        if (Seed is { } seed && (seed < 0 || seed > uint.MaxValue))
        {
            throw Invalid(nameof(Seed), $"Seed {seed} is outside the unsigned 32-bit range 0..{uint.MaxValue}.");
        }

        if (SampleCount is { } count && (count is < 1 or > 4 || (backend == VeoBackend.GeminiApi && count > 1 && !isVeo2)))
        {
            throw Invalid(nameof(SampleCount), backend == VeoBackend.GeminiApi && count is >= 1 and <= 4
                ? $"Sample count {count} is not supported on the Gemini API, which generates 1 video per request with {Model}; Vertex AI generates up to 4."
                : $"Sample count {count} is outside 1..4.");
        }

        if (PersonGeneration is not null && PersonGeneration is not (VeoPersonGeneration.AllowAll or VeoPersonGeneration.AllowAdult or VeoPersonGeneration.DontAllow))
        {
            throw Invalid(nameof(PersonGeneration), $"Person generation '{PersonGeneration}' is not supported; use 'allow_all', 'allow_adult' or 'dont_allow'.");
        }

        if (CompressionQuality is not null && CompressionQuality is not (VeoCompressionQuality.Optimized or VeoCompressionQuality.Lossless))
        {
            throw Invalid(nameof(CompressionQuality), $"Compression quality '{CompressionQuality}' is not supported; use '{VeoCompressionQuality.Optimized}' or '{VeoCompressionQuality.Lossless}'.");
        }

        if (ResizeMode is not null)
        {
            if (ResizeMode is not (VeoResizeModes.Crop or VeoResizeModes.Pad))
            {
                throw Invalid(nameof(ResizeMode), $"Resize mode '{ResizeMode}' is not supported; use '{VeoResizeModes.Crop}' or '{VeoResizeModes.Pad}'.");
            }

            if (Image is null || isVeo2)
            {
                throw Invalid(nameof(ResizeMode), "A resize mode applies to image-to-video with Veo 3 models only: set Image, or leave ResizeMode unset.");
            }
        }

        if (Labels is { } labels)
        {
            if (labels.Count > VeoLimits.MaxLabels)
            {
                throw Invalid(nameof(Labels), $"{labels.Count} labels were given; at most {VeoLimits.MaxLabels} are accepted.");
            }

            foreach (var (key, value) in labels)
            {
                if (!IsLabelText(key, allowEmpty: false) || !char.IsAsciiLetterLower(key[0]) || value is null || !IsLabelText(value, allowEmpty: true))
                {
                    throw Invalid(nameof(Labels), $"Label '{key}' is invalid: keys start with a lowercase letter, and keys and values have at most 63 lowercase letters, digits, '_' or '-'.");
                }
            }
        }

        if (StorageUri is not null && !VeoStorageUri.TryParse(StorageUri, out _, out _))
        {
            throw Invalid(nameof(StorageUri), $"Storage URI '{StorageUri}' is not a Cloud Storage prefix such as 'gs://my-bucket/videos/' (a bucket of 3 to 63 lowercase letters, digits, '-', '_' or '.').");
        }

        Image?.Validate(nameof(Image), backend);
        if (LastFrame is not null)
        {
            if (Image is null)
            {
                throw Invalid(nameof(LastFrame), "A last frame needs a first frame: set Image as well.");
            }

            LastFrame.Validate(nameof(LastFrame), backend);
        }

        if (ReferenceImages is { } references)
        {
            if (references.Count > VeoLimits.MaxReferenceImages)
            {
                throw Invalid(nameof(ReferenceImages), $"{references.Count} reference images were given; at most {VeoLimits.MaxReferenceImages} are accepted.");
            }

            if (references.Count > 0)
            {
                if (DurationSeconds is { } referenceDuration && referenceDuration != 8)
                {
                    throw Invalid(nameof(DurationSeconds), $"Reference images require a duration of 8 seconds, not {referenceDuration}.");
                }

                if (AspectRatio is VeoAspectRatios.Portrait)
                {
                    throw Invalid(nameof(AspectRatio), $"Reference images require the aspect ratio {VeoAspectRatios.Landscape}, not {AspectRatio}.");
                }

                if (Image is not null || LastFrame is not null || Video is not null)
                {
                    throw Invalid(nameof(ReferenceImages), "Reference images cannot be combined with a first or last frame or a video to extend (Image, LastFrame, Video); Veo takes one or the other.");
                }
            }

            foreach (var reference in references)
            {
                if (reference is null)
                {
                    throw Invalid(nameof(ReferenceImages), "A reference image is null.");
                }

                reference.Validate(backend);
            }
        }

        if (Video is not null)
        {
            Video.Validate(backend);
            if (Resolution is not null && Resolution != VeoResolutions.Hd720)
            {
                throw Invalid(nameof(Resolution), $"Extending a video generates 720p only, not '{Resolution}'.");
            }

            if (DurationSeconds is { } extensionDuration && extensionDuration != 8)
            {
                throw Invalid(nameof(DurationSeconds), $"Extending a video requires a duration of 8 seconds, not {extensionDuration}.");
            }
        }

        // Last, so that a value that is wrong everywhere is named as such first.
        if (backend == VeoBackend.GeminiApi && VertexOnlySetting is { } vertexOnly)
        {
            throw Invalid(vertexOnly, $"{vertexOnly} is a Vertex AI parameter; the Gemini API does not accept it (Google's SDKs refuse it before sending).");
        }
    }

    private static VeoValidationException Invalid(string parameterName, string message) => new(parameterName, message);

    private static bool IsLabelText(string text, bool allowEmpty)
        => (allowEmpty || text.Length > 0) && text.Length <= 63 && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-');

    /// <inheritdoc />
    public override string ToString() => $"GenerateVideoRequest {{ Model = {Model}, AspectRatio = {AspectRatio}, DurationSeconds = {DurationSeconds}, Resolution = {Resolution}, Prompt = {Prompt?.Length ?? 0} chars }}";
}

/// <summary>An input image (for example the first frame of an image-to-video generation).</summary>
/// <param name="Bytes">The image's bytes.</param>
/// <param name="MimeType"><c>image/png</c> or <c>image/jpeg</c> (the Gemini API also takes <c>image/webp</c>).</param>
public sealed record VeoImage(ReadOnlyMemory<byte> Bytes, string MimeType)
{
    /// <summary>Checks the image before any I/O, with the rules every backend shares.</summary>
    /// <exception cref="VeoValidationException">The image is empty or its media type is not an image type Veo takes.</exception>
    public void Validate() => Validate(nameof(GenerateVideoRequest.Image), backend: null);

    internal void Validate(string parameterName, VeoBackend? backend)
    {
        if (Bytes.IsEmpty)
        {
            throw VeoValidationException.For(parameterName, $"{parameterName} has no bytes.");
        }

        // Vertex AI documents image/jpeg and image/png only; the Gemini API also decodes WebP.
        var accepted = backend == VeoBackend.VertexAi
            ? MimeType is "image/png" or "image/jpeg"
            : MimeType is "image/png" or "image/jpeg" or "image/webp";
        if (!accepted)
        {
            throw VeoValidationException.For(parameterName, backend == VeoBackend.VertexAi
                ? $"{parameterName} has media type '{MimeType}'; Vertex AI takes image/png or image/jpeg."
                : $"{parameterName} has media type '{MimeType}'; use image/png, image/jpeg or image/webp.");
        }
    }
}

/// <summary>A reference image: something the video should show, or a style it should take.</summary>
/// <param name="Image">The image.</param>
/// <param name="ReferenceType"><see cref="VeoReferenceTypes.Asset"/> (the default) or <see cref="VeoReferenceTypes.Style"/> (Vertex AI only).</param>
public sealed record VeoReferenceImage(VeoImage Image, string ReferenceType = VeoReferenceTypes.Asset)
{
    internal void Validate(VeoBackend? backend)
    {
        const string parameter = nameof(GenerateVideoRequest.ReferenceImages);
        if (Image is null)
        {
            throw VeoValidationException.For(parameter, "A reference image has no Image.");
        }

        if (ReferenceType is not (VeoReferenceTypes.Asset or VeoReferenceTypes.Style))
        {
            throw VeoValidationException.For(parameter, $"Reference type '{ReferenceType}' is not supported; use '{VeoReferenceTypes.Asset}' or '{VeoReferenceTypes.Style}'.");
        }

        if (backend == VeoBackend.GeminiApi && ReferenceType == VeoReferenceTypes.Style)
        {
            throw VeoValidationException.For(parameter, $"Reference type '{VeoReferenceTypes.Style}' is a Vertex AI feature; the Gemini API takes '{VeoReferenceTypes.Asset}' only.");
        }

        Image.Validate(parameter, backend);
    }
}

/// <summary>Values of <see cref="VeoReferenceImage.ReferenceType"/>, spelt as Google's SDKs send them.</summary>
public static class VeoReferenceTypes
{
    /// <summary>A subject, character or product the video should show.</summary>
    public const string Asset = "ASSET";

    /// <summary>A style the video should take (Vertex AI only).</summary>
    public const string Style = "STYLE";
}

/// <summary>A video to extend: a Cloud Storage object or bytes (Vertex AI), or the URI of a video Veo generated (Gemini API).</summary>
public sealed record VeoVideo
{
    private VeoVideo(Uri? uri, ReadOnlyMemory<byte>? bytes, string mimeType)
    {
        Uri = uri;
        Bytes = bytes;
        MimeType = mimeType;
    }

    /// <summary>Where the video is: <c>gs://</c> on Vertex AI, the file URI Veo returned on the Gemini API; <see langword="null"/> for bytes.</summary>
    public Uri? Uri { get; }

    /// <summary>The video's bytes (Vertex AI only); <see langword="null"/> for a URI.</summary>
    public ReadOnlyMemory<byte>? Bytes { get; }

    /// <summary>The media type, <c>video/mp4</c> unless given.</summary>
    public string MimeType { get; }

    /// <summary>A video by reference: a <c>gs://bucket/object</c> on Vertex AI, or on the Gemini API the URI of a video it generated.</summary>
    /// <param name="uri">The video's location.</param>
    /// <param name="mimeType">The media type.</param>
    /// <returns>The video input.</returns>
    public static VeoVideo FromUri(Uri uri, string mimeType = "video/mp4")
    {
        ArgumentNullException.ThrowIfNull(uri);
        return new VeoVideo(uri, null, mimeType);
    }

    /// <summary>A video by value, sent inline (Vertex AI only).</summary>
    /// <param name="bytes">The video's bytes.</param>
    /// <param name="mimeType">The media type.</param>
    /// <returns>The video input.</returns>
    public static VeoVideo FromBytes(ReadOnlyMemory<byte> bytes, string mimeType = "video/mp4") => new(null, bytes, mimeType);

    /// <summary>A video Veo generated earlier, by its URI (<c>gs://</c> on Vertex AI, the file URI on the Gemini API) or, when it came inline, its bytes.</summary>
    /// <param name="video">A video from <see cref="GenerateVideoResult.Succeeded.Videos"/> with a URI or inline bytes.</param>
    /// <returns>The video input.</returns>
    /// <exception cref="VeoValidationException">The video has neither a URI nor bytes held in memory.</exception>
    public static VeoVideo FromGeneratedVideo(GeneratedVideo video)
    {
        ArgumentNullException.ThrowIfNull(video);
        return video.Uri is { } uri ? FromUri(uri, video.MimeType ?? "video/mp4")
            : video.InlineBytes is { } bytes ? FromBytes(bytes, video.MimeType ?? "video/mp4")
            : throw VeoValidationException.For(nameof(GenerateVideoRequest.Video), "The generated video has neither a URI nor bytes in memory; download it and use FromBytes.");
    }

    internal void Validate(VeoBackend? backend)
    {
        const string parameter = nameof(GenerateVideoRequest.Video);
        if (string.IsNullOrWhiteSpace(MimeType) || !MimeType.StartsWith("video/", StringComparison.Ordinal))
        {
            throw VeoValidationException.For(parameter, $"The video's media type '{MimeType}' is not a video type such as video/mp4.");
        }

        if (Bytes is { } bytes)
        {
            if (bytes.IsEmpty)
            {
                throw VeoValidationException.For(parameter, "The video to extend has no bytes.");
            }

            if (backend == VeoBackend.GeminiApi)
            {
                throw VeoValidationException.For(parameter, "The Gemini API extends a video it generated, named by its URI; video bytes are a Vertex AI input.");
            }

            return;
        }

        var uri = Uri!;
        var isGcs = uri.IsAbsoluteUri && uri.Scheme == "gs";
        if (backend == VeoBackend.VertexAi && !isGcs)
        {
            throw VeoValidationException.For(parameter, $"Vertex AI reads a video to extend from Cloud Storage: '{VeoEndpoints.ForDisplay(uri)}' is not a gs:// URI (or pass the bytes with FromBytes).");
        }

        if (backend == VeoBackend.GeminiApi && isGcs)
        {
            throw VeoValidationException.For(parameter, "The Gemini API cannot read Cloud Storage; pass the URI of a video it generated.");
        }

        if (isGcs ? !VeoStorageUri.TryParse(uri.OriginalString, out _, out var objectName) || objectName.Length == 0 : !uri.IsAbsoluteUri || uri.Scheme is not ("https" or "http"))
        {
            throw VeoValidationException.For(parameter, $"'{VeoEndpoints.ForDisplay(uri)}' does not name a video: use gs://bucket/object or the https URI Veo returned.");
        }
    }
}

/// <summary>Aspect ratios Veo accepts.</summary>
public static class VeoAspectRatios
{
    /// <summary>Landscape, 16:9 (Veo's default).</summary>
    public const string Landscape = "16:9";

    /// <summary>Portrait, 9:16.</summary>
    public const string Portrait = "9:16";
}

/// <summary>Resolutions Veo accepts.</summary>
public static class VeoResolutions
{
    /// <summary>720p (the default).</summary>
    public const string Hd720 = "720p";

    /// <summary>1080p; 8-second videos only.</summary>
    public const string FullHd1080 = "1080p";

    /// <summary>4k; 8-second videos only, Veo 3.1.</summary>
    public const string Uhd4K = "4k";
}

/// <summary>Values of <see cref="GenerateVideoRequest.CompressionQuality"/>.</summary>
public static class VeoCompressionQuality
{
    /// <summary>Smaller files (the default).</summary>
    public const string Optimized = "OPTIMIZED";

    /// <summary>Larger files without visible compression.</summary>
    public const string Lossless = "LOSSLESS";
}

/// <summary>Values of <see cref="GenerateVideoRequest.ResizeMode"/>.</summary>
public static class VeoResizeModes
{
    /// <summary>Crop the image to the aspect ratio.</summary>
    public const string Crop = "CROP";

    /// <summary>Pad the image to the aspect ratio.</summary>
    public const string Pad = "PAD";
}

/// <summary>Values of <see cref="GenerateVideoRequest.PersonGeneration"/>.</summary>
public static class VeoPersonGeneration
{
    /// <summary>People of all ages may appear (text-to-video on Veo 3.x).</summary>
    public const string AllowAll = "allow_all";

    /// <summary>Only adults may appear (required for image-to-video).</summary>
    public const string AllowAdult = "allow_adult";

    /// <summary>No people (Veo 2).</summary>
    public const string DontAllow = "dont_allow";
}

/// <summary>
/// Well-known Veo model ids, with their status as of December 2026. Model ids are plain strings in the API, so new ones
/// work without a new release. Vertex AI (the Gemini Enterprise Agent Platform) is where Google serves Veo now: use the
/// <c>…Vertex</c> ids there. A retired id answers 404 and surfaces as <see cref="VeoModelUnavailableException"/>.
/// </summary>
public static class VeoModels
{
    /// <summary>Veo 3.1 on Vertex AI (GA; 50 requests per minute per project, up to 4 videos per request).</summary>
    public const string Veo31Vertex = "veo-3.1-generate-001";

    /// <summary>Veo 3.1 Fast on Vertex AI (GA; 50 requests per minute per project, up to 4 videos per request).</summary>
    public const string Veo31FastVertex = "veo-3.1-fast-generate-001";

    /// <summary>Veo 3.1 Lite on Vertex AI (preview).</summary>
    public const string Veo31LiteVertex = "veo-3.1-lite-generate-001";

    /// <summary>Veo 3.1 on the Gemini API (preview; legacy path: reported shut down there on 2026-10-22).</summary>
    public const string Veo31 = "veo-3.1-generate-preview";

    /// <summary>Veo 3.1 Fast on the Gemini API (preview; legacy path: reported shut down there on 2026-10-22).</summary>
    public const string Veo31Fast = "veo-3.1-fast-generate-preview";

    /// <summary>Veo 3.1 Lite on the Gemini API (preview; legacy path: reported shut down there on 2026-10-22).</summary>
    public const string Veo31Lite = "veo-3.1-lite-generate-preview";

    /// <summary>Veo 3 (retired on Vertex AI on 2026-06-30; 404 on the Gemini API since mid-2026).</summary>
    public const string Veo30 = "veo-3.0-generate-001";

    /// <summary>Veo 3 Fast (retired on Vertex AI on 2026-06-30; 404 on the Gemini API since mid-2026).</summary>
    public const string Veo30Fast = "veo-3.0-fast-generate-001";

    /// <summary>Veo 2 (deprecated on Vertex AI; 404 on the Gemini API since mid-2026).</summary>
    public const string Veo20 = "veo-2.0-generate-001";
}

/// <summary>Limits checked before any I/O.</summary>
public static class VeoLimits
{
    /// <summary>The longest prompt accepted, in characters. Google documents 1,024 tokens; this is a generous character bound on it.</summary>
    public const int MaxPromptLength = 8192;

    /// <summary>The most reference images one request may carry.</summary>
    public const int MaxReferenceImages = 3;

    /// <summary>The most labels a request may carry.</summary>
    public const int MaxLabels = 64;
}
