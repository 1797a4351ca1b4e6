namespace Veo.Sdk;

/// <summary>What to generate. Only <see cref="Model"/> and <see cref="Prompt"/> are required; Veo's defaults apply to the rest.</summary>
public sealed record GenerateVideoRequest
{
    /// <summary>The Veo model id, e.g. <c>veo-3.1-generate-001</c> (see <see cref="VeoModels"/>). A free string: Google retires and adds model ids often.</summary>
    public required string Model { get; init; }

    /// <summary>The text prompt (Google documents a limit of 1,024 tokens).</summary>
    public required string Prompt { get; init; }

    /// <summary><c>16:9</c> or <c>9:16</c>; see <see cref="VeoAspectRatios"/>. Veo's default (16:9) when <see langword="null"/>.</summary>
    public string? AspectRatio { get; init; }

    /// <summary>4, 6 or 8 seconds; Veo's default (8) when <see langword="null"/>.</summary>
    public int? DurationSeconds { get; init; }

    /// <summary><c>720p</c>, <c>1080p</c> or <c>4k</c>; see <see cref="VeoResolutions"/>. 1080p and 4k need 8 seconds.</summary>
    public string? Resolution { get; init; }

    /// <summary>What the video should not contain.</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>A seed in the unsigned 32-bit range. Veo treats it as best-effort: it does not make output deterministic.</summary>
    public long? Seed { get; init; }

    /// <summary>How many videos to generate (1–4; most models generate 1).</summary>
    public int? SampleCount { get; init; }

    /// <summary><c>allow_all</c>, <c>allow_adult</c> or <c>dont_allow</c>; see <see cref="VeoPersonGeneration"/>.</summary>
    public string? PersonGeneration { get; init; }

    /// <summary>Whether Veo may rewrite the prompt to improve it.</summary>
    public bool? EnhancePrompt { get; init; }

    /// <summary>Whether Veo 3.x generates an audio track (Vertex AI only; the Gemini API has no such parameter and is refused before any call).</summary>
    public bool? GenerateAudio { get; init; }

    /// <summary>A first frame for image-to-video generation.</summary>
    public VeoImage? Image { get; init; }

    /// <summary>A last frame, for interpolating between <see cref="Image"/> and it (Veo 3.1); requires <see cref="Image"/>.</summary>
    public VeoImage? LastFrame { get; init; }

    /// <summary>Up to 3 reference images ("assets") the video should show (Veo 3.1); requires an 8-second duration.</summary>
    public IReadOnlyList<VeoImage>? ReferenceImages { get; init; }

    /// <summary>How the output is compressed (<see cref="VeoCompressionQuality"/>); Vertex AI only.</summary>
    public string? CompressionQuality { get; init; }

    /// <summary>How an input image that does not match the aspect ratio is fitted (<see cref="VeoResizeModes"/>); Vertex AI, Veo 3 image-to-video only.</summary>
    public string? ResizeMode { get; init; }

    /// <summary>Cloud labels for billing and reporting (at most 64; lowercase keys and values of up to 63 characters); Vertex AI only.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Whether the request uses a setting only Vertex AI accepts, which the Gemini API refuses.</summary>
    internal string? VertexOnlySetting
        => GenerateAudio is not null ? nameof(GenerateAudio)
        : CompressionQuality is not null ? nameof(CompressionQuality)
        : ResizeMode is not null ? nameof(ResizeMode)
        : Labels is { Count: > 0 } ? nameof(Labels)
        : null;

    /// <summary>Checks what can be checked without asking Veo.</summary>
    /// <exception cref="ArgumentException">A value is invalid; the message names it.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Model))
        {
            throw new ArgumentException("A model id is required, e.g. 'veo-3.1-generate-001' (see VeoModels).", nameof(Model));
        }

        if (Model.Any(c => char.IsWhiteSpace(c) || c == '/' || c == '?' || c == '#'))
        {
            throw new ArgumentException($"Model id '{Model}' contains characters a model id cannot have (whitespace, '/', '?', '#').", nameof(Model));
        }

        if (string.IsNullOrWhiteSpace(Prompt))
        {
            throw new ArgumentException("The prompt must not be empty or blank.", nameof(Prompt));
        }

        if (Prompt.Length > VeoLimits.MaxPromptLength)
        {
            throw new ArgumentException($"The prompt is {Prompt.Length} characters long; at most {VeoLimits.MaxPromptLength} are accepted.", nameof(Prompt));
        }

        if (AspectRatio is not null && AspectRatio is not (VeoAspectRatios.Landscape or VeoAspectRatios.Portrait))
        {
            throw new ArgumentException($"Aspect ratio '{AspectRatio}' is not supported; use '{VeoAspectRatios.Landscape}' or '{VeoAspectRatios.Portrait}'.", nameof(AspectRatio));
        }

        // Google's model pages: Veo 2 takes 5 to 8 seconds and 720p only; Veo 3.x takes 4, 6 or 8 seconds.
        var isVeo2 = Model.StartsWith("veo-2.", StringComparison.Ordinal);
        if (DurationSeconds is { } duration && (isVeo2 ? duration is < 5 or > 8 : duration is not (4 or 6 or 8)))
        {
            throw new ArgumentException(
                $"Duration {duration} s is not supported by {Model}; use {(isVeo2 ? "5 to 8" : "4, 6 or 8")} seconds.", nameof(DurationSeconds));
        }

        if (isVeo2 && Resolution is VeoResolutions.FullHd1080 or VeoResolutions.Uhd4K)
        {
            throw new ArgumentException($"Resolution '{Resolution}' is not supported by {Model}, which generates 720p only.", nameof(Resolution));
        }

        if (Resolution is not null && Resolution is not (VeoResolutions.Hd720 or VeoResolutions.FullHd1080 or VeoResolutions.Uhd4K))
        {
            throw new ArgumentException($"Resolution '{Resolution}' is not supported; use '720p', '1080p' or '4k'.", nameof(Resolution));
        }

        if (Resolution is VeoResolutions.FullHd1080 or VeoResolutions.Uhd4K && DurationSeconds is { } d && d != 8)
        {
            throw new ArgumentException($"Resolution '{Resolution}' requires a duration of 8 seconds, not {d}.", nameof(DurationSeconds));
        }

        if (Seed is { } seed && (seed < 0 || seed > uint.MaxValue))
        {
            throw new ArgumentException($"Seed {seed} is outside the unsigned 32-bit range 0..{uint.MaxValue}.", nameof(Seed));
        }

        if (SampleCount is { } count && count is < 1 or > 4)
        {
            throw new ArgumentException($"Sample count {count} is outside 1..4.", nameof(SampleCount));
        }

        if (PersonGeneration is not null && PersonGeneration is not (VeoPersonGeneration.AllowAll or VeoPersonGeneration.AllowAdult or VeoPersonGeneration.DontAllow))
        {
            throw new ArgumentException($"Person generation '{PersonGeneration}' is not supported; use 'allow_all', 'allow_adult' or 'dont_allow'.", nameof(PersonGeneration));
        }

        if (CompressionQuality is not null && CompressionQuality is not (VeoCompressionQuality.Optimized or VeoCompressionQuality.Lossless))
        {
            throw new ArgumentException($"Compression quality '{CompressionQuality}' is not supported; use '{VeoCompressionQuality.Optimized}' or '{VeoCompressionQuality.Lossless}'.", nameof(CompressionQuality));
        }

        if (ResizeMode is not null)
        {
            if (ResizeMode is not (VeoResizeModes.Crop or VeoResizeModes.Pad))
            {
                throw new ArgumentException($"Resize mode '{ResizeMode}' is not supported; use '{VeoResizeModes.Crop}' or '{VeoResizeModes.Pad}'.", nameof(ResizeMode));
            }

            if (Image is null || isVeo2)
            {
                throw new ArgumentException("A resize mode applies to image-to-video with Veo 3 models only: set Image, or leave ResizeMode unset.", nameof(ResizeMode));
            }
        }

        if (Labels is { } labels)
        {
            if (labels.Count > VeoLimits.MaxLabels)
            {
                throw new ArgumentException($"{labels.Count} labels were given; at most {VeoLimits.MaxLabels} are accepted.", nameof(Labels));
            }

            foreach (var (key, value) in labels)
            {
                if (!IsLabelText(key, allowEmpty: false) || !char.IsAsciiLetterLower(key[0]) || value is null || !IsLabelText(value, allowEmpty: true))
                {
                    throw new ArgumentException($"Label '{key}' is invalid: keys start with a lowercase letter, and keys and values have at most 63 lowercase letters, digits, '_' or '-'.", nameof(Labels));
                }
            }
        }

        Image?.Validate();
        if (LastFrame is not null)
        {
            if (Image is null)
            {
                throw new ArgumentException("A last frame needs a first frame: set Image as well.", nameof(LastFrame));
            }

            LastFrame.Validate();
        }

        if (ReferenceImages is { } references)
        {
            if (references.Count > VeoLimits.MaxReferenceImages)
            {
                throw new ArgumentException($"{references.Count} reference images were given; at most {VeoLimits.MaxReferenceImages} are accepted.", nameof(ReferenceImages));
            }

            if (DurationSeconds is { } referenceDuration && referenceDuration != 8)
            {
                throw new ArgumentException($"Reference images require a duration of 8 seconds, not {referenceDuration}.", nameof(DurationSeconds));
            }

            if (AspectRatio is VeoAspectRatios.Portrait)
            {
                throw new ArgumentException($"Reference images require the aspect ratio {VeoAspectRatios.Landscape}, not {AspectRatio}.", nameof(AspectRatio));
            }

            if (references.Count > 0 && (Image is not null || LastFrame is not null))
            {
                throw new ArgumentException("Reference images cannot be combined with a first or last frame (Image, LastFrame); Veo takes one or the other.", nameof(ReferenceImages));
            }

            foreach (var reference in references)
            {
                ArgumentNullException.ThrowIfNull(reference, nameof(ReferenceImages));
                reference.Validate();
            }
        }
    }

    private static bool IsLabelText(string text, bool allowEmpty)
        => (allowEmpty || text.Length > 0) && text.Length <= 63 && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-');

    /// <inheritdoc />
    public override string ToString() => $"GenerateVideoRequest {{ Model = {Model}, AspectRatio = {AspectRatio}, DurationSeconds = {DurationSeconds}, Resolution = {Resolution}, Prompt = {Prompt?.Length ?? 0} chars }}";
}

/// <summary>An input image (for example the first frame of an image-to-video generation).</summary>
/// <param name="Bytes">The image's bytes (PNG or JPEG).</param>
/// <param name="MimeType"><c>image/png</c> or <c>image/jpeg</c>.</param>
public sealed record VeoImage(ReadOnlyMemory<byte> Bytes, string MimeType)
{
    /// <summary>Checks the image before any I/O.</summary>
    /// <exception cref="ArgumentException">The image is empty or its media type is not an image type.</exception>
    public void Validate()
    {
        if (Bytes.IsEmpty)
        {
            throw new ArgumentException("The image has no bytes.", nameof(Bytes));
        }

        if (MimeType is not ("image/png" or "image/jpeg" or "image/webp"))
        {
            throw new ArgumentException($"Image media type '{MimeType}' is not supported; use image/png, image/jpeg or image/webp.", nameof(MimeType));
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
