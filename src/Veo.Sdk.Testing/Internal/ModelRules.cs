namespace Veo.Sdk.Testing.Internal;

/// <summary>Which API surface a request came in on; they differ in auth, names, polling and the result shape.</summary>
internal enum ApiSurface
{
    Gemini,
    Vertex,
}

/// <summary>The parameter rules of a model family, from the table in Google's Veo docs (veo-api.md 1.2).</summary>
internal sealed class ModelRules
{
    private static readonly string[] Veo2Resolutions = ["720p"];
    private static readonly string[] Veo3Resolutions = ["720p", "1080p"];
    private static readonly string[] Veo31Resolutions = ["720p", "1080p", "4k"];

    private ModelRules(string family, bool isVeo2, string[] resolutions, bool lastFrame, bool referenceImages, bool extension)
    {
        Family = family;
        IsVeo2 = isVeo2;
        Resolutions = resolutions;
        SupportsLastFrame = lastFrame;
        SupportsReferenceImages = referenceImages;
        SupportsVideoExtension = extension;
    }

    public static ModelRules Veo2 { get; } = new("Veo 2", isVeo2: true, Veo2Resolutions, lastFrame: true, referenceImages: false, extension: false);

    public static ModelRules Veo30 { get; } = new("Veo 3", isVeo2: false, Veo3Resolutions, lastFrame: false, referenceImages: false, extension: false);

    public static ModelRules Veo31Lite { get; } = new("Veo 3.1 Lite", isVeo2: false, Veo3Resolutions, lastFrame: true, referenceImages: false, extension: false);

    public static ModelRules Veo31 { get; } = new("Veo 3.1", isVeo2: false, Veo31Resolutions, lastFrame: true, referenceImages: true, extension: true);

    public string Family { get; }

    public bool IsVeo2 { get; }

    public IReadOnlyList<string> Resolutions { get; }

    public bool SupportsLastFrame { get; }

    public bool SupportsReferenceImages { get; }

    public bool SupportsVideoExtension { get; }

    public string DurationsText => IsVeo2 ? "5, 6, 7 or 8" : "4, 6 or 8";

    public static ModelRules For(string model)
        => model.StartsWith("veo-2.", StringComparison.Ordinal) ? Veo2
            : model.StartsWith("veo-3.0-", StringComparison.Ordinal) ? Veo30
            : model.StartsWith("veo-3.1-lite", StringComparison.Ordinal) ? Veo31Lite
            : Veo31;

    public bool SupportsDuration(int seconds) => IsVeo2 ? seconds is >= 5 and <= 8 : seconds is 4 or 6 or 8;

    /// <summary>Videos per request: the Gemini API generates 1 (Veo 2: up to 2), Vertex AI up to 4.</summary>
    public int MaxSamples(ApiSurface surface) => surface == ApiSurface.Vertex ? 4 : IsVeo2 ? 2 : 1;
}
