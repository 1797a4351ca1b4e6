using System.Text.Json.Serialization;

namespace Veo.Sdk.Internal;

// The JSON shapes Google documents for predictLongRunning, operations and errors (see reference/veo-api.md §1–2).
// Gemini API and Vertex AI share most of them; the few differences are optional members here.

/// <summary>Body of <c>models/{model}:predictLongRunning</c> on both backends.</summary>
internal sealed class PredictLongRunningRequest
{
    public required IReadOnlyList<VideoInstance> Instances { get; init; }

    public VideoParameters? Parameters { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

internal sealed class VideoInstance
{
    public string? Prompt { get; init; }

    public WireImage? Image { get; init; }

    public WireImage? LastFrame { get; init; }

    public IReadOnlyList<WireReferenceImage>? ReferenceImages { get; init; }

    public WireVideo? Video { get; init; }
}

/// <summary>A video to extend: <c>{uri}</c> on the Gemini API; <c>{gcsUri, mimeType}</c> or <c>{bytesBase64Encoded, mimeType}</c> on Vertex AI.</summary>
internal sealed class WireVideo
{
    public string? Uri { get; init; }

    public string? GcsUri { get; init; }

    public string? BytesBase64Encoded { get; init; }

    public string? MimeType { get; init; }
}

internal sealed class WireReferenceImage
{
    public required WireImage Image { get; init; }

    public required string ReferenceType { get; init; }
}

/// <summary>An inline image as both backends accept it (<c>{bytesBase64Encoded, mimeType}</c>).</summary>
internal sealed class WireImage
{
    public required string BytesBase64Encoded { get; init; }

    public required string MimeType { get; init; }
}

internal sealed class VideoParameters
{
    public string? AspectRatio { get; init; }

    public string? NegativePrompt { get; init; }

    public string? PersonGeneration { get; init; }

    public int? DurationSeconds { get; init; }

    public string? Resolution { get; init; }

    public int? SampleCount { get; init; }

    public bool? EnhancePrompt { get; init; }

    public bool? GenerateAudio { get; init; }

    public long? Seed { get; init; }

    public string? CompressionQuality { get; init; }

    public string? ResizeMode { get; init; }

    public string? StorageUri { get; init; }
}

/// <summary>Body of Vertex AI's <c>:fetchPredictOperation</c>.</summary>
internal sealed class FetchPredictOperationRequest
{
    public required string OperationName { get; init; }
}

/// <summary>A <c>google.longrunning.Operation</c> as the Veo endpoints return it.</summary>
internal sealed class OperationResource
{
    public string? Name { get; init; }

    public bool? Done { get; init; }

    public RpcStatus? Error { get; init; }

    public OperationResponse? Response { get; init; }
}

/// <summary>
/// The operation's <c>response</c>: Gemini nests its result under <c>generateVideoResponse</c>, Vertex AI puts
/// <c>videos</c> and the RAI fields directly here.
/// </summary>
internal sealed class OperationResponse
{
    public GeminiVideoResponse? GenerateVideoResponse { get; init; }

    public IReadOnlyList<VertexVideo>? Videos { get; init; }

    public int? RaiMediaFilteredCount { get; init; }

    public IReadOnlyList<string>? RaiMediaFilteredReasons { get; init; }
}

internal sealed class GeminiVideoResponse
{
    public IReadOnlyList<GeneratedSample>? GeneratedSamples { get; init; }

    public int? RaiMediaFilteredCount { get; init; }

    public IReadOnlyList<string>? RaiMediaFilteredReasons { get; init; }
}

internal sealed class GeneratedSample
{
    public GeminiVideo? Video { get; init; }
}

internal sealed class GeminiVideo
{
    public string? Uri { get; init; }

    public string? EncodedVideo { get; init; }

    public string? Encoding { get; init; }

    public string? MimeType { get; init; }
}

internal sealed class VertexVideo
{
    public string? GcsUri { get; init; }

    public string? BytesBase64Encoded { get; init; }

    public string? MimeType { get; init; }
}

/// <summary>Google's error envelope: <c>{"error": {code, message, status, details}}</c>.</summary>
internal sealed class ErrorEnvelope
{
    public RpcStatus? Error { get; init; }
}

/// <summary>A <c>google.rpc.Status</c>.</summary>
internal sealed class RpcStatus
{
    public int Code { get; init; }

    public string? Message { get; init; }

    public string? Status { get; init; }

    public IReadOnlyList<RpcErrorDetail>? Details { get; init; }
}

/// <summary>One entry of <c>error.details</c>; only <c>google.rpc.RetryInfo</c> is read.</summary>
internal sealed class RpcErrorDetail
{
    [JsonPropertyName("@type")]
    public string? Type { get; init; }

    public string? RetryDelay { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(PredictLongRunningRequest))]
[JsonSerializable(typeof(FetchPredictOperationRequest))]
[JsonSerializable(typeof(OperationResource))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(ErrorEnvelope[]))]
internal sealed partial class VeoJsonContext : JsonSerializerContext;
