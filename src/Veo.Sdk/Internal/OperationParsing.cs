using System.Text.RegularExpressions;

namespace Veo.Sdk.Internal;

/// <summary>The parts of a Vertex AI operation name that its <c>fetchPredictOperation</c> URL needs.</summary>
internal readonly record struct VertexOperationName(string Project, string Location, string Model);

/// <summary>Checks operation names before they become URL paths.</summary>
internal static partial class OperationNames
{
    private const string GeminiExample = "models/veo-3.1-generate-preview/operations/abc123def456";
    private const string VertexExample = "projects/my-project/locations/us-central1/publishers/google/models/veo-3.1-generate-001/operations/1234567890";

    /// <summary>Throws unless <paramref name="operationName"/> is a Gemini API operation name (safe to put in the path as it is).</summary>
    public static void ValidateGemini(string operationName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationName);
        var name = operationName;
        if (!GeminiPattern().IsMatch(name))
        {
            var hint = name.StartsWith("projects/", StringComparison.Ordinal)
                ? " It looks like a Vertex AI operation; use a client with Backend = VertexAi."
                : string.Empty;
            throw new ArgumentException($"'{name}' is not a Gemini API operation name such as '{GeminiExample}'.{hint}", nameof(operationName));
        }
    }

    /// <summary>Splits a Vertex AI operation name, or throws.</summary>
    public static VertexOperationName ParseVertex(string operationName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationName);
        var name = operationName;
        var match = VertexPattern().Match(name);
        if (!match.Success)
        {
            var hint = name.StartsWith("models/", StringComparison.Ordinal)
                ? " It looks like a Gemini API operation; use a client with Backend = GeminiApi."
                : string.Empty;
            throw new ArgumentException($"'{name}' is not a Vertex AI operation name such as '{VertexExample}'.{hint}", nameof(operationName));
        }

        return new VertexOperationName(match.Groups["project"].Value, match.Groups["location"].Value, match.Groups["model"].Value);
    }

    // Segments of unreserved URL characters only, so the name cannot escape the path (no '..', '?', '#', '%').
    [GeneratedRegex(@"^models/[A-Za-z0-9_~-][A-Za-z0-9._~-]*/operations/[A-Za-z0-9_~-][A-Za-z0-9._~-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex GeminiPattern();

    [GeneratedRegex(@"^projects/(?<project>[A-Za-z0-9_~-][A-Za-z0-9._~-]*)/locations/(?<location>[A-Za-z0-9-]+)/publishers/google/models/(?<model>[A-Za-z0-9_~-][A-Za-z0-9._~-]*)/operations/[A-Za-z0-9_~-][A-Za-z0-9._~-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex VertexPattern();
}

/// <summary>Turns an operation resource into the SDK's three outcomes, never confusing them.</summary>
internal static class OperationParser
{
    /// <summary>google.rpc.Code UNKNOWN, used for a "done" answer that carries no outcome at all.</summary>
    public const int UnknownCode = 2;

    public static VeoOperationStatus ToStatus(OperationResource operation, string name, TimeSpan? suggestedPollDelay, IReadOnlyList<SpooledVideo>? spools = null)
    {
        if (operation.Done != true)
        {
            return new VeoOperationStatus(name, false, null, suggestedPollDelay);
        }

        return new VeoOperationStatus(name, true, ToResult(operation, spools), null);
    }

    public static GenerateVideoResult ToResult(OperationResource operation, IReadOnlyList<SpooledVideo>? spools = null)
    {
        if (operation.Error is { } error)
        {
            return new GenerateVideoResult.Failed(new VeoOperationError(error.Code, error.Message ?? $"The operation failed with code {error.Code} and no message."));
        }

        var response = operation.Response;
        var videos = new List<GeneratedVideo>();
        foreach (var sample in response?.GenerateVideoResponse?.GeneratedSamples ?? [])
        {
            if (sample.Video is { } video && ToVideo(video.EncodedVideo, video.Uri, video.Encoding ?? video.MimeType, spools, UriKind.RelativeOrAbsolute) is { } generated)
            {
                videos.Add(generated);
            }
        }

        foreach (var vertexVideo in response?.Videos ?? [])
        {
            if (ToVideo(vertexVideo.BytesBase64Encoded, vertexVideo.GcsUri, vertexVideo.MimeType, spools, UriKind.Absolute) is { } generated)
            {
                videos.Add(generated);
            }
        }

        var reasons = response?.GenerateVideoResponse?.RaiMediaFilteredReasons ?? response?.RaiMediaFilteredReasons ?? [];
        var filteredCount = response?.GenerateVideoResponse?.RaiMediaFilteredCount ?? response?.RaiMediaFilteredCount ?? 0;
        if (videos.Count > 0)
        {
            // Some videos, others withheld: both are part of the answer.
            return new GenerateVideoResult.Succeeded(videos)
            {
                FilteredCount = filteredCount > 0 ? filteredCount : reasons.Count > 0 ? 1 : 0,
                FilteredReasons = reasons.ToArray(),
            };
        }

        if (filteredCount > 0 || reasons.Count > 0)
        {
            return new GenerateVideoResult.Filtered(Math.Max(filteredCount, 1), reasons.ToArray());
        }

        // Never an empty success: a done operation without videos, filter information or error is reported as a failure.
        return new GenerateVideoResult.Failed(new VeoOperationError(
            UnknownCode,
            "Veo reported the operation done but returned neither videos, nor a safety-filter reason, nor an error."));
    }

    private static GeneratedVideo? ToVideo(string? inline, string? uriText, string? mimeType, IReadOnlyList<SpooledVideo>? spools, UriKind uriKind)
    {
        mimeType ??= "video/mp4";
        if (!string.IsNullOrEmpty(inline))
        {
            if (spools is not null && inline.StartsWith(InlineVideoExtractor.PlaceholderPrefix, StringComparison.Ordinal)
                && int.TryParse(inline.AsSpan(InlineVideoExtractor.PlaceholderPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                && index < spools.Count)
            {
                return new GeneratedVideo(null, mimeType) { Spooled = spools[index] };
            }

            return new GeneratedVideo(null, mimeType, Convert.FromBase64String(inline));
        }

        return !string.IsNullOrEmpty(uriText) && Uri.TryCreate(uriText, uriKind, out var uri)
            ? new GeneratedVideo(uri, mimeType)
            : null;
    }
}
