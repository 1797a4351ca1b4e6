using System.Globalization;
using System.Text.Json;

namespace Veo.Sdk.Testing.Internal;

/// <summary>An error answered in Google's envelope: <c>{"error":{"code","message","status","details":[…]}}</c>.</summary>
internal sealed class GoogleApiError(int httpStatus, string status, string message)
{
    public int HttpStatus { get; } = httpStatus;

    public string Status { get; } = status;

    public string Message { get; } = message;

    public List<GoogleErrorDetail> Details { get; } = [];

    /// <summary>Also sent as the <c>Retry-After</c> header, in whole seconds.</summary>
    public TimeSpan? RetryDelay { get; private init; }

    /// <summary>
    /// The Cloud Storage JSON API's reason (<c>notFound</c>, <c>required</c>, <c>invalid</c>, …): that API still sends the
    /// older <c>errors[]</c> list beside <c>code</c> and <c>message</c>, and clients read the reason from it.
    /// </summary>
    public string? StorageReason { get; private init; }

    public static GoogleApiError NoSuchObject(string bucket, string name) => new(404, "NOT_FOUND", $"No such object: {bucket}/{name}") { StorageReason = "notFound" };

    public static GoogleApiError StorageInvalid(string message) => new(400, "INVALID_ARGUMENT", message) { StorageReason = "invalid" };

    public static GoogleApiError StorageRequired(string what) => new(400, "INVALID_ARGUMENT", $"Required: {what}") { StorageReason = "required" };

    public static GoogleApiError NoSuchUpload() => new(404, "NOT_FOUND", "No such upload session; begin a new one with POST …/o?uploadType=resumable.") { StorageReason = "notFound" };

    public static GoogleApiError InvalidArgument(string field, string message)
        => new(400, "INVALID_ARGUMENT", message) { Details = { new BadRequestDetail(field, message) } };

    public static GoogleApiError InvalidJson(string message)
        => new(400, "INVALID_ARGUMENT", $"Invalid JSON payload received. {message}");

    public static GoogleApiError NotFound(string message) => new(404, "NOT_FOUND", message);

    public static GoogleApiError EntityNotFound() => NotFound("Requested entity was not found.");

    public static GoogleApiError MissingApiKey()
        => new(401, "UNAUTHENTICATED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")
        {
            Details = { new ErrorInfoDetail("CREDENTIALS_MISSING", "generativelanguage.googleapis.com") },
        };

    public static GoogleApiError InvalidApiKey()
        => new(403, "PERMISSION_DENIED", "API key not valid. Please pass a valid API key.")
        {
            Details = { new ErrorInfoDetail("API_KEY_INVALID", "generativelanguage.googleapis.com") },
        };

    public static GoogleApiError MissingAccessToken()
        => new(401, "UNAUTHENTICATED", "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.")
        {
            Details = { new ErrorInfoDetail("CREDENTIALS_MISSING", "aiplatform.googleapis.com") },
        };

    public static GoogleApiError InvalidAccessToken()
        => new(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.")
        {
            Details = { new ErrorInfoDetail("ACCESS_TOKEN_TYPE_UNSUPPORTED", "aiplatform.googleapis.com") },
        };

    public static GoogleApiError QuotaExceeded(string model, TimeSpan retryDelay, string quotaId, string quotaValue, string message)
        => new(429, "RESOURCE_EXHAUSTED", message)
        {
            RetryDelay = retryDelay,
            Details =
            {
                new QuotaFailureDetail("generativelanguage.googleapis.com/predict_long_running_requests", quotaId, model, quotaValue),
                new HelpDetail("Learn more about Gemini API quotas", "https://ai.google.dev/gemini-api/docs/rate-limits"),
                new RetryInfoDetail(retryDelay),
            },
        };

    public static GoogleApiError Internal() => new(500, "INTERNAL", "Internal error encountered.");

    public static GoogleApiError Unavailable() => new(503, "UNAVAILABLE", "The service is currently unavailable.");

    public static GoogleApiError Scripted(int httpStatus, string status, string message, TimeSpan? retryDelay)
    {
        var error = new GoogleApiError(httpStatus, status, message) { RetryDelay = retryDelay };
        if (retryDelay is { } delay)
        {
            error.Details.Add(new RetryInfoDetail(delay));
        }

        return error;
    }

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteNumber("code", HttpStatus);
        writer.WriteString("message", Message);
        writer.WriteString("status", Status);
        if (StorageReason is { } reason)
        {
            writer.WriteStartArray("errors");
            writer.WriteStartObject();
            writer.WriteString("message", Message);
            writer.WriteString("domain", "global");
            writer.WriteString("reason", reason);
            writer.WriteEndObject();
            writer.WriteEndArray();
        }

        if (Details.Count > 0)
        {
            writer.WriteStartArray("details");
            foreach (var detail in Details)
            {
                writer.WriteStartObject();
                writer.WriteString("@type", detail.TypeUrl);
                detail.WriteFields(writer);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>A <c>google.protobuf.Duration</c> in its JSON form: seconds with 0, 3, 6 or 9 fractional digits and an <c>s</c>.</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        var seconds = duration.Ticks / TimeSpan.TicksPerSecond;
        var nanos = duration.Ticks % TimeSpan.TicksPerSecond * 100;
        if (nanos == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{seconds}s");
        }

        return nanos % 1_000_000 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{seconds}.{nanos / 1_000_000:D3}s")
            : nanos % 1_000 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{seconds}.{nanos / 1_000:D6}s")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds}.{nanos:D9}s");
    }
}

/// <summary>One entry of <c>error.details</c>, a <c>google.rpc</c> message with its <c>@type</c>.</summary>
internal abstract class GoogleErrorDetail(string typeUrl)
{
    public string TypeUrl { get; } = typeUrl;

    public abstract void WriteFields(Utf8JsonWriter writer);
}

internal sealed class RetryInfoDetail(TimeSpan retryDelay) : GoogleErrorDetail("type.googleapis.com/google.rpc.RetryInfo")
{
    public override void WriteFields(Utf8JsonWriter writer) => writer.WriteString("retryDelay", GoogleApiError.FormatDuration(retryDelay));
}

internal sealed class QuotaFailureDetail(string quotaMetric, string quotaId, string model, string quotaValue)
    : GoogleErrorDetail("type.googleapis.com/google.rpc.QuotaFailure")
{
    public override void WriteFields(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("violations");
        writer.WriteStartObject();
        writer.WriteString("quotaMetric", quotaMetric);
        writer.WriteString("quotaId", quotaId);
        writer.WriteStartObject("quotaDimensions");
        writer.WriteString("location", "global");
        writer.WriteString("model", model);
        writer.WriteEndObject();
        writer.WriteString("quotaValue", quotaValue);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }
}

internal sealed class HelpDetail(string description, string url) : GoogleErrorDetail("type.googleapis.com/google.rpc.Help")
{
    public override void WriteFields(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("links");
        writer.WriteStartObject();
        writer.WriteString("description", description);
        writer.WriteString("url", url);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }
}

internal sealed class ErrorInfoDetail(string reason, string service) : GoogleErrorDetail("type.googleapis.com/google.rpc.ErrorInfo")
{
    public override void WriteFields(Utf8JsonWriter writer)
    {
        writer.WriteString("reason", reason);
        writer.WriteString("domain", "googleapis.com");
        writer.WriteStartObject("metadata");
        writer.WriteString("service", service);
        writer.WriteEndObject();
    }
}

internal sealed class BadRequestDetail(string field, string description) : GoogleErrorDetail("type.googleapis.com/google.rpc.BadRequest")
{
    public override void WriteFields(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("fieldViolations");
        writer.WriteStartObject();
        writer.WriteString("field", field);
        writer.WriteString("description", description);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }
}
