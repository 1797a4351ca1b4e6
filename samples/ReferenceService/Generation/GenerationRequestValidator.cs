using ReferenceService.Contracts;
using ReferenceService.Extensions;
using Veo.Sdk;
using Veo.Sdk.Akka;
using Veo.Sdk.Flow;

namespace ReferenceService.Generation;

/// <summary>
/// Turns the original request (Flow vocabulary) into an engine request, or into field errors keyed by the JSON names the
/// client sent. Everything here runs before any task exists or any byte goes to Veo.
/// </summary>
public sealed class GenerationRequestValidator(VeoBackendInfo backend)
{
    private const string AspectRatioChoices = "VIDEO_ASPECT_RATIO_PORTRAIT, VIDEO_ASPECT_RATIO_LANDSCAPE or VIDEO_ASPECT_RATIO_UNSPECIFIED";

    /// <summary>Validates one request.</summary>
    /// <param name="body">The request as bound from JSON (null when the body was <c>null</c>).</param>
    /// <param name="fieldPrefix">Prefix of the error keys, e.g. <c>requests[2]</c> inside a batch; empty for a single request.</param>
    /// <param name="errors">Receives one entry per invalid field.</param>
    /// <returns>The engine request, or <see langword="null"/> when <paramref name="errors"/> got entries.</returns>
    public VideoGenerationRequest? Validate(GenerateVideoBody? body, string fieldPrefix, IDictionary<string, string[]> errors)
    {
        var errorsBefore = errors.Count;
        void Fail(string field, string message) => errors[fieldPrefix.Length == 0 ? field : $"{fieldPrefix}.{field}"] = [message];

        if (body is null)
        {
            errors[fieldPrefix.Length == 0 ? "body" : fieldPrefix] = ["A JSON object with prompt and video_model_key is required."];
            return null;
        }

        var prompt = body.Prompt;
        if (prompt is null)
        {
            Fail("prompt", "The prompt is required.");
        }
        else if (string.IsNullOrWhiteSpace(prompt))
        {
            Fail("prompt", "The prompt must not be empty or blank.");
        }
        else if (prompt.Length > VeoLimits.MaxPromptLength)
        {
            Fail("prompt", $"The prompt is {prompt.Length} characters long; at most {VeoLimits.MaxPromptLength} are accepted.");
        }

        string? geminiAspectRatio = null;
        var aspectRatioValid = true;
        if (body.AspectRatio is not null)
        {
            try
            {
                geminiAspectRatio = FlowVocabulary.MapAspectRatio(body.AspectRatio);
            }
            catch (ArgumentException)
            {
                aspectRatioValid = false;
                Fail("aspect_ratio", $"Aspect ratio '{body.AspectRatio}' is not supported; use {AspectRatioChoices}.");
            }
        }

        FlowVideoSettings? settings = null;
        if (string.IsNullOrWhiteSpace(body.VideoModelKey))
        {
            Fail("video_model_key", $"A video_model_key is required, e.g. {string.Join(", ", FlowVocabulary.KnownModelKeys.Take(3))}.");
        }
        else if (!FlowVocabulary.TryParseModelKey(body.VideoModelKey, null, out var keySettings, out var keyError))
        {
            Fail("video_model_key", keyError);
        }
        else if (keySettings.Mode is not FlowGenerationMode.TextToVideo)
        {
            Fail("video_model_key", $"Model key '{body.VideoModelKey}' generates from images ({keySettings.Mode}); this endpoint accepts text prompts only, so use a t2v key.");
        }
        else if (aspectRatioValid && body.AspectRatio is not null)
        {
            if (FlowVocabulary.TryParseModelKey(body.VideoModelKey, body.AspectRatio, out var combined, out var combinedError))
            {
                settings = combined;
            }
            else
            {
                Fail("aspect_ratio", combinedError);
            }
        }
        else
        {
            settings = keySettings;
        }

        if (body.Seed is { } seed && (seed < 0 || seed > uint.MaxValue))
        {
            Fail("seed", $"Seed {seed} is outside the unsigned 32-bit range 0..{uint.MaxValue}.");
        }

        var priority = TaskPriority.Normal;
        if (body.Priority is not null && !TryParsePriority(body.Priority, out priority))
        {
            Fail("priority", $"Priority '{body.Priority}' is not supported; use high, normal or low.");
        }

        if (body.DurationSeconds is { } duration)
        {
            if (duration is not (4 or 6 or 8))
            {
                Fail("duration_seconds", $"Duration {duration} s is not supported; use 4, 6 or 8.");
            }
            else if (settings is not null && KeyFixesDuration(settings) && settings.DurationSeconds != duration)
            {
                Fail("duration_seconds", $"Duration {duration} s contradicts model key '{settings.ModelKey}', which makes {settings.DurationSeconds} s videos.");
            }
        }

        if (body.NegativePrompt is { Length: > VeoLimits.MaxPromptLength } negative)
        {
            Fail("negative_prompt", $"The negative prompt is {negative.Length} characters long; at most {VeoLimits.MaxPromptLength} are accepted.");
        }

        if (errors.Count > errorsBefore || settings is null || prompt is null)
        {
            return null;
        }

        var negativePrompt = string.IsNullOrWhiteSpace(body.NegativePrompt) ? null : body.NegativePrompt;
        var veoRequest = settings.ToRequest(prompt, backend.ClientBackend, body.Seed, negativePrompt);
        if (body.DurationSeconds is { } requested)
        {
            veoRequest = veoRequest with { DurationSeconds = requested };
        }

        veoRequest = geminiAspectRatio is not null && veoRequest.AspectRatio is null
            ? veoRequest with { AspectRatio = geminiAspectRatio }
            : veoRequest;

        try
        {
            veoRequest.Validate(backend.ClientBackend);
        }
        catch (ArgumentException exception)
        {
            Fail(FieldOf(exception.ParamName), exception.Message);
            return null;
        }

        return new VideoGenerationRequest
        {
            Veo = veoRequest,
            Priority = priority,
            ModelKey = settings.ModelKey,
            AdId = body.AdId,
        };
    }

    /// <summary>Maps a <see cref="GenerateVideoRequest"/> property name to the JSON field the client sent.</summary>
    public static string FieldOf(string? parameterName) => parameterName switch
    {
        nameof(GenerateVideoRequest.Prompt) => "prompt",
        nameof(GenerateVideoRequest.AspectRatio) => "aspect_ratio",
        nameof(GenerateVideoRequest.Seed) => "seed",
        nameof(GenerateVideoRequest.DurationSeconds) => "duration_seconds",
        nameof(GenerateVideoRequest.NegativePrompt) => "negative_prompt",
        nameof(GenerateVideoRequest.Model) or nameof(GenerateVideoRequest.Resolution) => "video_model_key",
        _ => "body",
    };

    private static bool KeyFixesDuration(FlowVideoSettings settings)
        => settings.ModelKey.Split('_').Any(part => part is "4s" or "6s" or "8s")
           || settings.Resolution is VeoResolutions.FullHd1080 or VeoResolutions.Uhd4K;

    private static bool TryParsePriority(string value, out TaskPriority priority)
    {
        switch (value.Trim().ToLowerInvariant())
        {
            case "high":
                priority = TaskPriority.High;
                return true;
            case "normal":
                priority = TaskPriority.Normal;
                return true;
            case "low":
                priority = TaskPriority.Low;
                return true;
            default:
                priority = TaskPriority.Normal;
                return false;
        }
    }
}
