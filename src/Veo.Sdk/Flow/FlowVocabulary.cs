using System.Diagnostics.CodeAnalysis;

namespace Veo.Sdk.Flow;

/// <summary>What kind of input a Flow model key generates from.</summary>
public enum FlowGenerationMode
{
    /// <summary><c>t2v</c>: from the prompt alone.</summary>
    TextToVideo,

    /// <summary><c>i2v_s</c>: from a start image (<see cref="GenerateVideoRequest.Image"/>).</summary>
    ImageToVideo,

    /// <summary><c>i2v_s…_fl</c> or <c>interpolation</c>: from a first and a last frame (<see cref="GenerateVideoRequest.Image"/> and <see cref="GenerateVideoRequest.LastFrame"/>).</summary>
    FirstAndLastFrame,

    /// <summary><c>r2v</c>: from reference images (<see cref="GenerateVideoRequest.ReferenceImages"/>).</summary>
    ReferenceToVideo,
}

/// <summary>A Flow <c>video_model_key</c> or aspect ratio that has no faithful Gemini/Vertex equivalent, or contradicts another value.</summary>
public sealed class FlowVocabularyException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong; names the refused value.</param>
    /// <param name="value">The refused key or aspect ratio.</param>
    /// <param name="paramName">The argument that carried it.</param>
    public FlowVocabularyException(string message, string? value, string? paramName = null)
        : base(message, paramName)
    {
        Value = value;
    }

    /// <summary>The refused model key or aspect ratio, as given.</summary>
    public string? Value { get; }
}

/// <summary>
/// What a Flow model key means in Gemini API / Vertex AI terms.
/// </summary>
/// <param name="ModelKey">The key, normalised to lower case (e.g. <c>veo_3_1_t2v_portrait</c>).</param>
/// <param name="GeminiModel">The Gemini API model id (e.g. <c>veo-3.1-generate-preview</c>).</param>
/// <param name="VertexModel">The Vertex AI model id, or <see langword="null"/> when Vertex AI has none.</param>
/// <param name="AspectRatio"><c>9:16</c>, <c>16:9</c>, or <see langword="null"/> for Veo's default.</param>
/// <param name="DurationSeconds">4, 6 or 8.</param>
/// <param name="Resolution"><c>1080p</c> or <c>4k</c> for the matching keys, otherwise <see langword="null"/> (Veo's default, 720p).</param>
/// <param name="Mode">What the generation starts from.</param>
public sealed record FlowVideoSettings(string ModelKey, string GeminiModel, string? VertexModel, string? AspectRatio, int DurationSeconds, string? Resolution, FlowGenerationMode Mode)
{
    /// <summary>The model id to send to <paramref name="backend"/>.</summary>
    /// <param name="backend">The backend the request goes to.</param>
    /// <returns>The model id.</returns>
    /// <exception cref="FlowVocabularyException">The key has no model on <paramref name="backend"/>.</exception>
    public string ModelFor(VeoBackend backend) => backend switch
    {
        VeoBackend.VertexAi => VertexModel ?? throw new FlowVocabularyException(
            $"Flow model key '{ModelKey}' has no Vertex AI model ({GeminiModel} exists on the Gemini API only).", ModelKey, nameof(backend)),
        _ => GeminiModel,
    };

    /// <summary>
    /// A request with this key's model, aspect ratio, duration and resolution. For <see cref="FlowGenerationMode.ImageToVideo"/>,
    /// <see cref="FlowGenerationMode.FirstAndLastFrame"/> and <see cref="FlowGenerationMode.ReferenceToVideo"/> add the images
    /// with <c>with { Image = …, LastFrame = …, ReferenceImages = … }</c>.
    /// </summary>
    /// <param name="prompt">The prompt.</param>
    /// <param name="backend">The backend the request goes to (it decides the model id).</param>
    /// <param name="seed">A seed (Flow's <c>seed</c>), or <see langword="null"/>. Sent on Vertex AI only: the Gemini API takes no seed, and Veo treats a seed as best-effort anyway.</param>
    /// <param name="negativePrompt">What the video should not contain, or <see langword="null"/>.</param>
    /// <returns>The request; it is validated when it is started.</returns>
    /// <exception cref="FlowVocabularyException">The key has no model on <paramref name="backend"/>.</exception>
    public GenerateVideoRequest ToRequest(string prompt, VeoBackend backend, long? seed = null, string? negativePrompt = null) => new()
    {
        Model = ModelFor(backend),
        Prompt = prompt,
        AspectRatio = AspectRatio,
        DurationSeconds = DurationSeconds,
        Resolution = Resolution,
        Seed = backend == VeoBackend.VertexAi ? seed : null,
        NegativePrompt = negativePrompt,
    };
}

/// <summary>
/// Maps Google Labs "Flow" vocabulary (<c>video_model_key</c> such as <c>veo_3_1_t2v_portrait</c>, and
/// <c>VIDEO_ASPECT_RATIO_PORTRAIT</c>) onto Gemini API / Vertex AI parameters. Unknown keys and contradictions are
/// refused with a message naming the key, never guessed.
/// </summary>
/// <remarks>
/// Key grammar: <c>veo_&lt;3_1|3_0|2_0&gt;_&lt;t2v|i2v_s|r2v|interpolation&gt;</c> followed, in any order and at most once each, by
/// <c>_fast</c> or <c>_lite</c>, <c>_portrait</c> or <c>_landscape</c>, <c>_4s</c>/<c>_6s</c>/<c>_8s</c>, <c>_1080p</c>/<c>_4k</c>,
/// <c>_fl</c> (with <c>i2v_s</c>), and the plan or queue markers <c>_ultra</c>, <c>_relaxed</c>, <c>_low_priority</c>, which have
/// no Gemini/Vertex equivalent and are dropped.
/// </remarks>
public static class FlowVocabulary
{
    /// <summary>Flow's portrait aspect ratio (9:16).</summary>
    public const string PortraitAspectRatio = "VIDEO_ASPECT_RATIO_PORTRAIT";

    /// <summary>Flow's landscape aspect ratio (16:9).</summary>
    public const string LandscapeAspectRatio = "VIDEO_ASPECT_RATIO_LANDSCAPE";

    /// <summary>Flow's "no preference" aspect ratio.</summary>
    public const string UnspecifiedAspectRatio = "VIDEO_ASPECT_RATIO_UNSPECIFIED";

    /// <summary>Examples of keys seen in Flow traffic that this parser accepts.</summary>
    public static IReadOnlyList<string> KnownModelKeys { get; } =
    [
        "veo_3_1_t2v",
        "veo_3_1_t2v_portrait",
        "veo_3_1_t2v_landscape",
        "veo_3_1_t2v_fast",
        "veo_3_1_t2v_fast_portrait",
        "veo_3_1_t2v_fast_landscape",
        "veo_3_1_t2v_fast_ultra",
        "veo_3_1_t2v_fast_portrait_ultra",
        "veo_3_1_t2v_fast_ultra_relaxed",
        "veo_3_1_t2v_fast_portrait_ultra_relaxed",
        "veo_3_1_t2v_lite",
        "veo_3_1_t2v_lite_portrait",
        "veo_3_1_t2v_lite_landscape",
        "veo_3_1_t2v_portrait_4s",
        "veo_3_1_t2v_portrait_6s",
        "veo_3_1_t2v_fast_low_priority",
        "veo_3_1_t2v_1080p",
        "veo_3_1_t2v_4k",
        "veo_3_1_i2v_s",
        "veo_3_1_i2v_s_fast",
        "veo_3_1_i2v_s_fast_portrait",
        "veo_3_1_i2v_s_fast_fl",
        "veo_3_1_i2v_s_fast_portrait_fl",
        "veo_3_1_r2v_fast",
        "veo_3_1_r2v_fast_portrait",
        "veo_3_1_interpolation",
        "veo_3_0_t2v",
        "veo_3_0_t2v_fast",
        "veo_3_0_t2v_fast_portrait",
        "veo_3_0_i2v_s_fast",
        "veo_2_0_t2v",
    ];

    /// <summary>Parses a Flow model key.</summary>
    /// <param name="videoModelKey">The key, e.g. <c>veo_3_1_t2v_fast_portrait</c>.</param>
    /// <param name="flowAspectRatio">Flow's aspect ratio, e.g. <c>VIDEO_ASPECT_RATIO_PORTRAIT</c>; it decides the aspect ratio of keys without <c>_portrait</c>/<c>_landscape</c> and must agree with keys that have one.</param>
    /// <returns>The Gemini/Vertex settings.</returns>
    /// <exception cref="FlowVocabularyException">The key is unknown or malformed, or contradicts <paramref name="flowAspectRatio"/>; the message names the key.</exception>
    public static FlowVideoSettings ParseModelKey(string videoModelKey, string? flowAspectRatio = null)
        => TryParseModelKey(videoModelKey, flowAspectRatio, out var settings, out var error)
            ? settings
            : throw new FlowVocabularyException(error, videoModelKey, nameof(videoModelKey));

    /// <summary>Parses a Flow model key without throwing.</summary>
    /// <param name="videoModelKey">The key.</param>
    /// <param name="flowAspectRatio">Flow's aspect ratio, or <see langword="null"/>.</param>
    /// <param name="settings">The settings when the key is valid.</param>
    /// <param name="error">Why the key was refused, naming it, when it is not.</param>
    /// <returns>Whether the key is valid.</returns>
    public static bool TryParseModelKey(string videoModelKey, string? flowAspectRatio, [NotNullWhen(true)] out FlowVideoSettings? settings, [NotNullWhen(false)] out string? error)
    {
        settings = null;
        error = Parse(videoModelKey, flowAspectRatio, out settings);
        return error is null;
    }

    /// <summary>Maps Flow's aspect ratio onto Veo's.</summary>
    /// <param name="flowAspectRatio"><c>VIDEO_ASPECT_RATIO_PORTRAIT</c>, <c>VIDEO_ASPECT_RATIO_LANDSCAPE</c>, <c>VIDEO_ASPECT_RATIO_UNSPECIFIED</c> or <see langword="null"/>.</param>
    /// <returns><c>9:16</c>, <c>16:9</c>, or <see langword="null"/> (Veo's default) for unspecified.</returns>
    /// <exception cref="FlowVocabularyException">Any other value; the message names it.</exception>
    public static string? MapAspectRatio(string? flowAspectRatio)
        => TryMapAspectRatio(flowAspectRatio, out var ratio, out var error)
            ? ratio
            : throw new FlowVocabularyException(error, flowAspectRatio, nameof(flowAspectRatio));

    private static bool TryMapAspectRatio(string? flowAspectRatio, out string? ratio, [NotNullWhen(false)] out string? error)
    {
        error = null;
        ratio = null;
        switch (flowAspectRatio?.Trim().ToUpperInvariant())
        {
            case null or "" or UnspecifiedAspectRatio:
                return true;
            case PortraitAspectRatio:
                ratio = VeoAspectRatios.Portrait;
                return true;
            case LandscapeAspectRatio:
                ratio = VeoAspectRatios.Landscape;
                return true;
            default:
                error = $"Flow aspect ratio '{flowAspectRatio}' is unknown; use {PortraitAspectRatio}, {LandscapeAspectRatio} or {UnspecifiedAspectRatio}.";
                return false;
        }
    }

    private static string? Parse(string videoModelKey, string? flowAspectRatio, out FlowVideoSettings? settings)
    {
        settings = null;
        if (string.IsNullOrWhiteSpace(videoModelKey))
        {
            return "A Flow model key is required, e.g. 'veo_3_1_t2v_portrait'.";
        }

        var key = videoModelKey.Trim().ToLowerInvariant();
        string Refuse(string why) => $"Flow model key '{videoModelKey}' {why}";

        var tokens = key.Split('_');
        if (tokens.Length < 4 || tokens[0] != "veo" || tokens.Any(t => t.Length == 0))
        {
            return Refuse("is not of the form veo_<version>_<mode>[_options], e.g. 'veo_3_1_t2v_portrait'.");
        }

        var version = $"{tokens[1]}.{tokens[2]}";
        if (version is not ("3.1" or "3.0" or "2.0"))
        {
            return Refuse($"names Veo version {version}, which has no known Gemini/Vertex model (known: 3.1, 3.0, 2.0).");
        }

        var index = 3;
        FlowGenerationMode mode;
        switch (tokens[index])
        {
            case "t2v":
                mode = FlowGenerationMode.TextToVideo;
                index++;
                break;
            case "i2v" when index + 1 < tokens.Length && tokens[index + 1] == "s":
                mode = FlowGenerationMode.ImageToVideo;
                index += 2;
                break;
            case "r2v":
                mode = FlowGenerationMode.ReferenceToVideo;
                index++;
                break;
            case "interpolation":
                mode = FlowGenerationMode.FirstAndLastFrame;
                index++;
                break;
            case "upsampler":
                return Refuse("is an upsampler (it upscales an existing Flow video); it is not a generation model.");
            default:
                return Refuse($"has an unknown mode '{tokens[index]}' (known: t2v, i2v_s, r2v, interpolation).");
        }

        string? tier = null, keyAspect = null, resolution = null;
        int? duration = null;
        var firstAndLast = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (; index < tokens.Length; index++)
        {
            var token = tokens[index];
            if (token == "low" && index + 1 < tokens.Length && tokens[index + 1] == "priority")
            {
                token = "low_priority";
                index++;
            }

            if (!seen.Add(token))
            {
                return Refuse($"repeats '_{token}'.");
            }

            switch (token)
            {
                case "fast" or "lite":
                    if (tier is not null)
                    {
                        return Refuse($"is both '_{tier}' and '_{token}'.");
                    }

                    tier = token;
                    break;
                case "portrait" or "landscape":
                    if (keyAspect is not null)
                    {
                        return Refuse("is both portrait and landscape.");
                    }

                    keyAspect = token == "portrait" ? VeoAspectRatios.Portrait : VeoAspectRatios.Landscape;
                    break;
                case "4s" or "6s" or "8s":
                    if (duration is not null)
                    {
                        return Refuse("names two durations.");
                    }

                    duration = token[0] - '0';
                    break;
                case "720p" or "1080p" or "4k":
                    if (resolution is not null)
                    {
                        return Refuse("names two resolutions.");
                    }

                    resolution = token == "720p" ? null : token;
                    break;
                case "fl":
                    firstAndLast = true;
                    break;
                case "ultra" or "relaxed" or "low_priority":
                    // Plan tier and queue priority in Flow; the Gemini and Vertex APIs have no such parameter.
                    break;
                default:
                    return Refuse($"has an unknown part '_{token}'.");
            }
        }

        if (firstAndLast)
        {
            if (mode != FlowGenerationMode.ImageToVideo)
            {
                return Refuse("has '_fl' (first and last frame), which only applies to image-to-video (i2v_s) keys.");
            }

            mode = FlowGenerationMode.FirstAndLastFrame;
        }

        if (seen.Contains("relaxed") && seen.Contains("low_priority"))
        {
            return Refuse("is both '_relaxed' and '_low_priority'.");
        }

        (string Gemini, string? Vertex)? models = (version, tier) switch
        {
            ("3.1", null) => (VeoModels.Veo31, VeoModels.Veo31Vertex),
            ("3.1", "fast") => (VeoModels.Veo31Fast, VeoModels.Veo31FastVertex),
            ("3.1", "lite") => (VeoModels.Veo31Lite, VeoModels.Veo31LiteVertex),
            ("3.0", null) => (VeoModels.Veo30, VeoModels.Veo30),
            ("3.0", "fast") => (VeoModels.Veo30Fast, VeoModels.Veo30Fast),
            ("2.0", null) => (VeoModels.Veo20, VeoModels.Veo20),
            _ => null,
        };
        if (models is not { } model)
        {
            return Refuse($"asks for Veo {version} {tier}, which does not exist.");
        }

        var seconds = duration ?? 8;
        if (version == "2.0" && seconds == 4)
        {
            return Refuse("asks for 4 seconds, but Veo 2 generates 5 to 8 seconds.");
        }

        if (mode is FlowGenerationMode.ReferenceToVideo or FlowGenerationMode.FirstAndLastFrame && (version != "3.1" || tier == "lite"))
        {
            return Refuse($"asks for {(mode == FlowGenerationMode.ReferenceToVideo ? "reference images" : "first-and-last-frame interpolation")}, which only Veo 3.1 and 3.1 Fast support.");
        }

        if (mode == FlowGenerationMode.ReferenceToVideo && seconds != 8)
        {
            return Refuse($"asks for {seconds} seconds, but reference-image generation is 8 seconds only.");
        }

        if (resolution is not null)
        {
            if (seconds != 8)
            {
                return Refuse($"asks for {resolution} at {seconds} seconds, but {resolution} is 8 seconds only.");
            }

            if (version == "2.0" || (resolution == VeoResolutions.Uhd4K && (version != "3.1" || tier == "lite")))
            {
                return Refuse($"asks for {resolution}, which Veo {version}{(tier is null ? string.Empty : " " + tier)} does not generate.");
            }
        }

        if (!TryMapAspectRatio(flowAspectRatio, out var requestedAspect, out var aspectError))
        {
            return $"{aspectError} (model key '{videoModelKey}')";
        }

        if (keyAspect is not null && requestedAspect is not null && keyAspect != requestedAspect)
        {
            return Refuse($"is {(keyAspect == VeoAspectRatios.Portrait ? "portrait (9:16)" : "landscape (16:9)")} but the aspect ratio {flowAspectRatio} asks for {requestedAspect}.");
        }

        settings = new FlowVideoSettings(key, model.Gemini, model.Vertex, keyAspect ?? requestedAspect, seconds, resolution, mode);
        return null;
    }
}
