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

    public static VeoOperationStatus ToStatus(OperationResource operation, string name, TimeSpan? suggestedPollDelay)
    {
        if (operation.Done != true)
        {
            return new VeoOperationStatus(name, false, null, suggestedPollDelay);
        }

        return new VeoOperationStatus(name, true, ToResult(operation), null);
    }

    public static GenerateVideoResult ToResult(OperationResource operation)
    {
        if (operation.Error is { } error)
        {
            return new GenerateVideoResult.Failed(new VeoOperationError(error.Code, error.Message ?? $"The operation failed with code {error.Code} and no message."));
        }

        var response = operation.Response;
        var videos = new List<GeneratedVideo>();
        foreach (var sample in response?.GenerateVideoResponse?.GeneratedSamples ?? [])
        {
            if (ToVideo(sample.Video) is { } video)
            {
                videos.Add(video);
            }
        }

        foreach (var vertexVideo in response?.Videos ?? [])
        {
            if (ToVideo(vertexVideo) is { } video)
            {
                videos.Add(video);
            }
        }

        if (videos.Count > 0)
        {
            return new GenerateVideoResult.Succeeded(videos);
        }

        var reasons = response?.GenerateVideoResponse?.RaiMediaFilteredReasons ?? response?.RaiMediaFilteredReasons ?? [];
        var filteredCount = response?.GenerateVideoResponse?.RaiMediaFilteredCount ?? response?.RaiMediaFilteredCount ?? 0;
        if (filteredCount > 0 || reasons.Count > 0)
        {
            return new GenerateVideoResult.Filtered(Math.Max(filteredCount, 1), reasons.ToArray());
        }

        // Never an empty success: a done operation without videos, filter information or error is reported as a failure.
        return new GenerateVideoResult.Failed(new VeoOperationError(
            UnknownCode,
            "Veo reported the operation done but returned neither videos, nor a safety-filter reason, nor an error."));
    }

    private static GeneratedVideo? ToVideo(GeminiVideo? video)
    {
        if (video is null)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(video.EncodedVideo))
        {
            return new GeneratedVideo(null, video.Encoding ?? video.MimeType ?? "video/mp4", Convert.FromBase64String(video.EncodedVideo));
        }

        return Uri.TryCreate(video.Uri, UriKind.RelativeOrAbsolute, out var uri) && video.Uri!.Length > 0
            ? new GeneratedVideo(uri, video.MimeType ?? "video/mp4")
            : null;
    }

    private static GeneratedVideo? ToVideo(VertexVideo video)
    {
        if (!string.IsNullOrEmpty(video.BytesBase64Encoded))
        {
            return new GeneratedVideo(null, video.MimeType ?? "video/mp4", Convert.FromBase64String(video.BytesBase64Encoded));
        }

        return Uri.TryCreate(video.GcsUri, UriKind.Absolute, out var uri)
            ? new GeneratedVideo(uri, video.MimeType ?? "video/mp4")
            : null;
    }
}
