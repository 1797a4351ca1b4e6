using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace Veo.Sdk.Testing.Internal;

/// <summary>A start request that passed validation: what the simulator needs to play the generation.</summary>
internal sealed record StartRequest(string Prompt, string AspectRatio, int DurationSeconds, string Resolution, int SampleCount, string? StorageUri);

/// <summary>Validates a <c>predictLongRunning</c> body the way Google does, answering 400 INVALID_ARGUMENT naming the field.</summary>
internal static class StartRequestParser
{
    private const string PortraitAspectRatio = VeoAspectRatios.Portrait;
    private const string LandscapeAspectRatio = VeoAspectRatios.Landscape;

    private static readonly HashSet<string> KnownRootFields = new(StringComparer.Ordinal) { "instances", "parameters", "labels" };

    private static readonly HashSet<string> KnownInstanceFields = new(StringComparer.Ordinal) { "prompt", "image", "lastFrame", "referenceImages", "video", "mask" };

    private static readonly HashSet<string> KnownParameterFields = new(StringComparer.Ordinal)
    {
        "aspectRatio", "negativePrompt", "personGeneration", "durationSeconds", "resolution", "sampleCount", "numberOfVideos",
        "enhancePrompt", "seed", "generateAudio", "storageUri", "fps", "pubsubTopic", "compressionQuality", "resizeMode",
    };

    private static GoogleApiError? UnknownField(JsonElement element, HashSet<string> known, string? where)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                return GoogleApiError.InvalidJson(where is null
                    ? $"Unknown name \"{property.Name}\": Cannot find field."
                    : $"Unknown name \"{property.Name}\" at '{where}': Cannot find field.");
            }
        }

        return null;
    }

    public static GoogleApiError? TryParse(JsonElement root, ApiSurface surface, string model, out StartRequest? request)
    {
        request = null;
        var rules = ModelRules.For(model);
        if (root.ValueKind != JsonValueKind.Object)
        {
            return GoogleApiError.InvalidJson("The request body must be a JSON object with 'instances' and 'parameters'.");
        }

        if (!root.TryGetProperty("instances", out var instances) || instances.ValueKind != JsonValueKind.Array || instances.GetArrayLength() == 0)
        {
            return GoogleApiError.InvalidArgument("instances", "instances must be a non-empty array holding one instance with the prompt.");
        }

        if (instances.GetArrayLength() > 1)
        {
            return GoogleApiError.InvalidArgument("instances", $"Only one instance per request is supported; got {instances.GetArrayLength()}.");
        }

        var instance = instances[0];
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return GoogleApiError.InvalidArgument("instances[0]", "instances[0] must be an object.");
        }

        var parameters = default(JsonElement);
        if (root.TryGetProperty("parameters", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            if (p.ValueKind != JsonValueKind.Object)
            {
                return GoogleApiError.InvalidArgument("parameters", "parameters must be an object.");
            }

            parameters = p;
        }

        // Google's proto-backed JSON parser refuses any field it does not know, naming it and where it was
        var unknown = UnknownField(root, KnownRootFields, null)
            ?? UnknownField(instance, KnownInstanceFields, "instances[0]")
            ?? (parameters.ValueKind == JsonValueKind.Object ? UnknownField(parameters, KnownParameterFields, "parameters") : null);
        if (unknown is not null)
        {
            return unknown;
        }

        // the input media: first frame, last frame, reference images, a video to extend
        var hasImage = false;
        if (instance.TryGetProperty("image", out var image) && image.ValueKind != JsonValueKind.Null)
        {
            if (CheckImage(image, "instances[0].image", surface) is { } imageError)
            {
                return imageError;
            }

            hasImage = true;
        }

        var hasLastFrame = false;
        if (instance.TryGetProperty("lastFrame", out var lastFrame) && lastFrame.ValueKind != JsonValueKind.Null)
        {
            if (!rules.SupportsLastFrame)
            {
                return GoogleApiError.InvalidArgument("instances[0].lastFrame", $"lastFrame isn't supported by this model ({model}).");
            }

            if (!hasImage)
            {
                return GoogleApiError.InvalidArgument("instances[0].lastFrame", "lastFrame requires a first frame in instances[0].image.");
            }

            if (CheckImage(lastFrame, "instances[0].lastFrame", surface) is { } lastFrameError)
            {
                return lastFrameError;
            }

            hasLastFrame = true;
        }

        var hasReferences = false;
        if (instance.TryGetProperty("referenceImages", out var references) && references.ValueKind != JsonValueKind.Null)
        {
            if (!rules.SupportsReferenceImages)
            {
                return GoogleApiError.InvalidArgument("instances[0].referenceImages", $"referenceImages isn't supported by this model ({model}).");
            }

            if (references.ValueKind != JsonValueKind.Array || references.GetArrayLength() is 0 or > 3)
            {
                return GoogleApiError.InvalidArgument("instances[0].referenceImages", "referenceImages must be an array of 1 to 3 reference images.");
            }

            var index = 0;
            foreach (var reference in references.EnumerateArray())
            {
                var field = $"instances[0].referenceImages[{index++}]";
                if (reference.ValueKind != JsonValueKind.Object || !reference.TryGetProperty("image", out var referenceImage))
                {
                    return GoogleApiError.InvalidArgument(field, $"{field} must be an object with an 'image'.");
                }

                if (CheckImage(referenceImage, field + ".image", surface) is { } referenceError)
                {
                    return referenceError;
                }

                if (reference.TryGetProperty("referenceType", out var type) && type.ValueKind != JsonValueKind.Null)
                {
                    var text = type.ValueKind == JsonValueKind.String ? type.GetString() : null;
                    // Google's SDKs send ASSET / STYLE; the REST page spells them asset / style: both are accepted
                    var allowed = surface == ApiSurface.Vertex
                        ? text is "asset" or "style" or "ASSET" or "STYLE" or "REFERENCE_TYPE_ASSET" or "REFERENCE_TYPE_STYLE"
                        : text is "asset" or "ASSET" or "REFERENCE_TYPE_ASSET";
                    if (!allowed)
                    {
                        return GoogleApiError.InvalidArgument(field + ".referenceType", $"referenceType '{type}' is not supported{(surface == ApiSurface.Gemini ? " in the Gemini API; use 'asset'" : "; use 'asset' or 'style'")}.");
                    }
                }
            }

            hasReferences = true;
        }

        var hasVideo = false;
        if (instance.TryGetProperty("video", out var video) && video.ValueKind != JsonValueKind.Null)
        {
            if (!rules.SupportsVideoExtension)
            {
                return GoogleApiError.InvalidArgument("instances[0].video", $"Video extension isn't supported by this model ({model}).");
            }

            if (CheckVideo(video, surface) is { } videoError)
            {
                return videoError;
            }

            hasVideo = true;
        }

        if (hasReferences && (hasImage || hasVideo))
        {
            return GoogleApiError.InvalidArgument("instances[0].referenceImages", "referenceImages cannot be combined with image, lastFrame or video.");
        }

        // the prompt: required for text-to-video, optional when an image or a video is given
        string prompt = string.Empty;
        if (instance.TryGetProperty("prompt", out var promptElement) && promptElement.ValueKind != JsonValueKind.Null)
        {
            if (promptElement.ValueKind != JsonValueKind.String)
            {
                return GoogleApiError.InvalidArgument("instances[0].prompt", "instances[0].prompt must be a string.");
            }

            prompt = promptElement.GetString()!;
        }

        if (string.IsNullOrWhiteSpace(prompt) && !hasImage && !hasVideo)
        {
            return GoogleApiError.InvalidArgument("instances[0].prompt", "A prompt is required: instances[0].prompt is missing or empty.");
        }

        // parameters
        var aspectRatio = LandscapeAspectRatio;
        if (TryGetParameter(parameters, "aspectRatio", out var aspect))
        {
            if (aspect.ValueKind != JsonValueKind.String || aspect.GetString() is not (LandscapeAspectRatio or PortraitAspectRatio))
            {
                return GoogleApiError.InvalidArgument("parameters.aspectRatio", $"aspectRatio {aspect.GetRawText()} is not supported; use \"16:9\" or \"9:16\".");
            }

            aspectRatio = aspect.GetString()!;
        }

        var duration = 8;
        var durationGiven = false;
        if (TryGetParameter(parameters, "durationSeconds", out var durationElement))
        {
            if (!TryGetInteger(durationElement, out var seconds) || seconds is < int.MinValue or > int.MaxValue || !rules.SupportsDuration((int)seconds))
            {
                return GoogleApiError.InvalidArgument("parameters.durationSeconds", $"durationSeconds {durationElement.GetRawText()} is not supported by {model}; use {rules.DurationsText}.");
            }

            duration = (int)seconds;
            durationGiven = true;
        }

        var resolution = VeoResolutions.Hd720;
        if (TryGetParameter(parameters, "resolution", out var resolutionElement))
        {
            var text = resolutionElement.ValueKind == JsonValueKind.String ? resolutionElement.GetString() : null;
            if (text is null || !rules.Resolutions.Contains(text))
            {
                return GoogleApiError.InvalidArgument("parameters.resolution", $"resolution {resolutionElement.GetRawText()} is not supported by {model}; use {string.Join(", ", rules.Resolutions.Select(r => '"' + r + '"'))}.");
            }

            resolution = text;
        }

        if (resolution is VeoResolutions.FullHd1080 or VeoResolutions.Uhd4K && duration != 8)
        {
            return GoogleApiError.InvalidArgument("parameters.durationSeconds", $"resolution \"{resolution}\" requires durationSeconds 8, not {duration}.");
        }

        if ((hasReferences || hasVideo) && durationGiven && duration != 8)
        {
            return GoogleApiError.InvalidArgument("parameters.durationSeconds", $"{(hasReferences ? "referenceImages" : "Video extension")} requires durationSeconds 8, not {duration}.");
        }

        if (hasVideo && resolution != VeoResolutions.Hd720)
        {
            return GoogleApiError.InvalidArgument("parameters.resolution", $"Video extension supports only resolution \"720p\", not \"{resolution}\".");
        }

        var sampleCount = 1;
        if (TryGetParameter(parameters, "sampleCount", out var samples))
        {
            var max = rules.MaxSamples(surface);
            if (!TryGetInteger(samples, out var count) || count < 1 || count > max)
            {
                return GoogleApiError.InvalidArgument("parameters.sampleCount", $"sampleCount {samples.GetRawText()} is out of range: {model} generates 1 to {max} videos per request{(surface == ApiSurface.Gemini ? " in the Gemini API" : string.Empty)}.");
            }

            sampleCount = (int)count;
        }

        if (TryGetParameter(parameters, "personGeneration", out var person))
        {
            var text = person.ValueKind == JsonValueKind.String ? person.GetString() : null;
            if (text is not (VeoPersonGeneration.AllowAll or VeoPersonGeneration.AllowAdult or VeoPersonGeneration.DontAllow))
            {
                return GoogleApiError.InvalidArgument("parameters.personGeneration", $"personGeneration {person.GetRawText()} is not supported; use \"allow_all\", \"allow_adult\" or \"dont_allow\".");
            }

            var fromImages = hasImage || hasLastFrame || hasReferences;
            if (!rules.IsVeo2 && text == VeoPersonGeneration.DontAllow)
            {
                return GoogleApiError.InvalidArgument("parameters.personGeneration", $"personGeneration \"dont_allow\" isn't supported by {model}; use \"allow_all\" (text-to-video) or \"allow_adult\".");
            }

            if (fromImages && text == VeoPersonGeneration.AllowAll)
            {
                return GoogleApiError.InvalidArgument("parameters.personGeneration", $"personGeneration \"allow_all\" isn't supported for generation from images; use \"allow_adult\"{(rules.IsVeo2 ? " or \"dont_allow\"" : string.Empty)}.");
            }
        }

        if (TryGetParameter(parameters, "seed", out var seed) && surface == ApiSurface.Gemini)
        {
            // Google's SDKs refuse a seed for the Gemini API before sending ("seed parameter is not supported in Gemini API").
            return GoogleApiError.InvalidArgument("parameters.seed", "seed isn't supported in the Gemini API.");
        }

        if (TryGetParameter(parameters, "seed", out seed) && (!TryGetInteger(seed, out var seedValue) || seedValue is < 0 or > uint.MaxValue))
        {
            return GoogleApiError.InvalidArgument("parameters.seed", $"seed {seed.GetRawText()} must be an integer in 0..{uint.MaxValue}.");
        }

        if (TryGetParameter(parameters, "negativePrompt", out var negative) && negative.ValueKind != JsonValueKind.String)
        {
            return GoogleApiError.InvalidArgument("parameters.negativePrompt", "negativePrompt must be a string.");
        }

        foreach (var flag in (ReadOnlySpan<string>)["enhancePrompt", "generateAudio"])
        {
            if (TryGetParameter(parameters, flag, out var value) && value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return GoogleApiError.InvalidArgument("parameters." + flag, $"{flag} must be true or false, not {value.GetRawText()}.");
            }
        }

        // Vertex-only output settings and labels; Google's Python SDK refuses them for the Gemini API before sending.
        foreach (var (name, allowed) in (ReadOnlySpan<(string, string[])>)[("compressionQuality", ["OPTIMIZED", "LOSSLESS"]), ("resizeMode", ["CROP", "PAD"])])
        {
            if (!TryGetParameter(parameters, name, out var value))
            {
                continue;
            }

            if (surface == ApiSurface.Gemini)
            {
                return GoogleApiError.InvalidArgument("parameters." + name, $"{name} isn't supported in the Gemini API.");
            }

            if (value.ValueKind != JsonValueKind.String || Array.IndexOf(allowed, value.GetString()) < 0)
            {
                return GoogleApiError.InvalidJson($"Invalid value at 'parameters.{name}' ({value.GetRawText()}): expected one of {string.Join(", ", allowed)}.");
            }

            if (name == "resizeMode" && (!hasImage || rules.IsVeo2))
            {
                return GoogleApiError.InvalidArgument("parameters.resizeMode", "resizeMode applies to image-to-video with Veo 3 models only.");
            }
        }

        if (root.TryGetProperty("labels", out var labels) && labels.ValueKind != JsonValueKind.Null && CheckLabels(labels, surface) is { } labelError)
        {
            return labelError;
        }

        string? storageUri = null;
        if (TryGetParameter(parameters, "storageUri", out var storage))
        {
            if (surface == ApiSurface.Gemini)
            {
                return GoogleApiError.InvalidArgument("parameters.storageUri", "storageUri isn't supported in the Gemini API; generated videos are returned as files.");
            }

            storageUri = storage.ValueKind == JsonValueKind.String ? storage.GetString() : null;
            if (storageUri is null || !storageUri.StartsWith("gs://", StringComparison.Ordinal) || storageUri.Length <= "gs://".Length)
            {
                return GoogleApiError.InvalidArgument("parameters.storageUri", $"storageUri {storage.GetRawText()} must be a Cloud Storage URI such as \"gs://bucket/prefix/\".");
            }
        }

        request = new StartRequest(prompt, aspectRatio, duration, resolution, sampleCount, storageUri);
        return null;
    }

    // Cloud resource labels: at most 64; keys 1 to 63 lowercase letters, digits, '_' or '-', starting with a letter; values up to 63 of the same.
    private static GoogleApiError? CheckLabels(JsonElement labels, ApiSurface surface)
    {
        if (surface == ApiSurface.Gemini)
        {
            return GoogleApiError.InvalidArgument("labels", "labels isn't supported in the Gemini API.");
        }

        if (labels.ValueKind != JsonValueKind.Object)
        {
            return GoogleApiError.InvalidJson("Invalid value at 'labels': expected a map of strings.");
        }

        var count = 0;
        foreach (var label in labels.EnumerateObject())
        {
            count++;
            if (label.Value.ValueKind != JsonValueKind.String)
            {
                return GoogleApiError.InvalidJson($"Invalid value at 'labels[{label.Name}]' ({label.Value.GetRawText()}): expected a string.");
            }

            if (!IsLabelText(label.Name, allowEmpty: false) || !char.IsAsciiLetterLower(label.Name[0]) || !IsLabelText(label.Value.GetString()!, allowEmpty: true))
            {
                return GoogleApiError.InvalidArgument("labels", $"Label \"{label.Name}\" is invalid: keys start with a lowercase letter, and keys and values have at most 63 lowercase letters, digits, '_' or '-'.");
            }
        }

        return count > 64 ? GoogleApiError.InvalidArgument("labels", $"At most 64 labels are allowed; got {count}.") : null;
    }

    private static bool IsLabelText(string text, bool allowEmpty)
        => (allowEmpty || text.Length > 0) && text.Length <= 63 && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-');

    private static GoogleApiError? CheckImage(JsonElement image, string field, ApiSurface surface)
    {
        if (image.ValueKind != JsonValueKind.Object)
        {
            return GoogleApiError.InvalidArgument(field, $"{field} must be an object with bytesBase64Encoded and mimeType.");
        }

        string? data;
        string? mimeType;
        if (image.TryGetProperty("inlineData", out var inline) && inline.ValueKind == JsonValueKind.Object)
        {
            data = GetString(inline, "data");
            mimeType = GetString(inline, "mimeType");
            field += ".inlineData";
        }
        else if (GetString(image, "gcsUri") is { } gcsUri)
        {
            if (surface == ApiSurface.Gemini)
            {
                return GoogleApiError.InvalidArgument(field + ".gcsUri", "gcsUri isn't supported in the Gemini API; send the image as bytesBase64Encoded.");
            }

            if (!gcsUri.StartsWith("gs://", StringComparison.Ordinal))
            {
                return GoogleApiError.InvalidArgument(field + ".gcsUri", $"gcsUri \"{gcsUri}\" must start with gs://.");
            }

            data = null;
            mimeType = GetString(image, "mimeType");
        }
        else
        {
            data = GetString(image, "bytesBase64Encoded");
            mimeType = GetString(image, "mimeType");
            if (data is null)
            {
                return GoogleApiError.InvalidArgument(field, $"{field} needs bytesBase64Encoded (or inlineData.data) with the image's bytes.");
            }
        }

        if (data is not null && (data.Length == 0 || !Base64.IsValid(data)))
        {
            return GoogleApiError.InvalidArgument(field, $"{field}: the image bytes are empty or not valid base64.");
        }

        // Vertex AI documents image/jpeg and image/png; the Gemini API also decodes WebP
        var accepted = surface == ApiSurface.Vertex ? mimeType is "image/png" or "image/jpeg" : mimeType is "image/png" or "image/jpeg" or "image/webp";
        if (!accepted)
        {
            return GoogleApiError.InvalidArgument(field + ".mimeType", $"{field}.mimeType \"{mimeType}\" is not supported; use {(surface == ApiSurface.Vertex ? "image/png or image/jpeg" : "image/png, image/jpeg or image/webp")}.");
        }

        return null;
    }

    private static readonly HashSet<string> VertexVideoFields = new(StringComparer.Ordinal) { "gcsUri", "bytesBase64Encoded", "mimeType" };

    private static readonly HashSet<string> GeminiVideoFields = new(StringComparer.Ordinal) { "uri", "encodedVideo", "encoding", "mimeType" };

    // A video to extend: Vertex AI reads gcsUri or bytesBase64Encoded (with mimeType); the Gemini API names a video it generated by uri.
    private static GoogleApiError? CheckVideo(JsonElement video, ApiSurface surface)
    {
        const string field = "instances[0].video";
        if (video.ValueKind != JsonValueKind.Object)
        {
            return GoogleApiError.InvalidArgument(field, $"{field} must be an object naming the video to extend.");
        }

        if (UnknownField(video, surface == ApiSurface.Vertex ? VertexVideoFields : GeminiVideoFields, field) is { } unknown)
        {
            return unknown;
        }

        if (surface == ApiSurface.Gemini)
        {
            return GetString(video, "uri") is { Length: > 0 } uri && Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.Scheme is "https" or "http"
                ? null
                : GoogleApiError.InvalidArgument(field + ".uri", $"{field}.uri must be the URI of a video generated by Veo.");
        }

        var gcsUri = GetString(video, "gcsUri");
        var bytes = GetString(video, "bytesBase64Encoded");
        if ((gcsUri is null) == (bytes is null))
        {
            return GoogleApiError.InvalidArgument(field, $"{field} needs exactly one of gcsUri and bytesBase64Encoded.");
        }

        if (gcsUri is not null && (!gcsUri.StartsWith("gs://", StringComparison.Ordinal) || gcsUri.IndexOf('/', "gs://".Length) < 0))
        {
            return GoogleApiError.InvalidArgument(field + ".gcsUri", $"gcsUri \"{gcsUri}\" must name a Cloud Storage object, gs://bucket/object.");
        }

        if (bytes is not null && (bytes.Length == 0 || !Base64.IsValid(bytes)))
        {
            return GoogleApiError.InvalidArgument(field + ".bytesBase64Encoded", $"{field}: the video bytes are empty or not valid base64.");
        }

        return GetString(video, "mimeType") is { } mime && !mime.StartsWith("video/", StringComparison.Ordinal)
            ? GoogleApiError.InvalidArgument(field + ".mimeType", $"{field}.mimeType \"{mime}\" is not a video type.")
            : null;
    }

    private static bool TryGetParameter(JsonElement parameters, string name, out JsonElement value)
    {
        value = default;
        return parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    /// <summary>An integer as a JSON number or, as Google's REST samples write durations, a numeric string.</summary>
    private static bool TryGetInteger(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetInt64(out value),
            JsonValueKind.String => long.TryParse(element.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    private static string? GetString(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool HasString(JsonElement element, string name) => GetString(element, name) is { Length: > 0 };
}
