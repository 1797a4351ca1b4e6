using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace ReferenceService.Contracts;

/// <summary>
/// The original system's request body (Google Labs "Flow" vocabulary), plus optional extras.
/// Every property is nullable so that a missing value gets a clear 400 naming it instead of a binder error.
/// </summary>
public sealed record GenerateVideoBody
{
    [Required]
    [Description("What the video should show. Must not be blank.")]
    public string? Prompt { get; init; }

    [Description("VIDEO_ASPECT_RATIO_PORTRAIT (9:16), VIDEO_ASPECT_RATIO_LANDSCAPE (16:9) or VIDEO_ASPECT_RATIO_UNSPECIFIED (the model key decides).")]
    public string? AspectRatio { get; init; }

    [Required]
    [Description("A Flow model key, e.g. veo_3_1_t2v_portrait or veo_3_1_t2v_fast_landscape. Unknown keys are rejected.")]
    public string? VideoModelKey { get; init; }

    [Description("A seed in the unsigned 32-bit range (0..4294967295). Best effort: Veo does not promise identical output.")]
    public long? Seed { get; init; }

    [Description("The ad the video belongs to; the saved generation is filed under it.")]
    public long? AdId { get; init; }

    [Description("high, normal (default) or low: high tasks leave the queue first.")]
    public string? Priority { get; init; }

    [Description("4, 6 or 8 seconds; defaults to what the model key implies (8 unless the key ends in _4s or _6s).")]
    public int? DurationSeconds { get; init; }

    [Description("What the video should not contain.")]
    public string? NegativePrompt { get; init; }

    [Description("Where to POST a signed callback (Standard Webhooks) once the task ends: https, or http on loopback. Defaults to the caller's configured URL.")]
    public string? WebhookUrl { get; init; }
}

/// <summary>Several generation requests submitted in one call.</summary>
public sealed record GenerateVideosBody
{
    [Required]
    [Description("The requests, each in the same shape as the single submit. One task per request, in this order.")]
    public IReadOnlyList<GenerateVideoBody?>? Requests { get; init; }

    [Description("The callback URL for every task of the batch that names none of its own.")]
    public string? WebhookUrl { get; init; }
}
