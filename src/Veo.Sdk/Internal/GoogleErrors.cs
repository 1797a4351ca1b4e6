using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Veo.Sdk.Internal;

/// <summary>Reads Google's error envelope and retry hints, and turns them into <see cref="VeoRequestFailedException"/>.</summary>
internal static class GoogleErrors
{
    /// <summary>Error bodies are small; anything larger is not an error envelope worth reading.</summary>
    public const int MaxErrorBodyBytes = 64 * 1024;

    private const string RetryInfoType = "type.googleapis.com/google.rpc.RetryInfo";

    /// <summary>Parses <c>{"error": {...}}</c> (or the <c>[{"error": {...}}]</c> variant some Google front ends send).</summary>
    public static RpcStatus? TryParseError(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            var trimmed = body.AsSpan().TrimStart();
            if (trimmed.Length > 0 && trimmed[0] == '[')
            {
                var many = JsonSerializer.Deserialize(body, VeoJsonContext.Default.ErrorEnvelopeArray);
                return many is { Length: > 0 } ? many[0].Error : null;
            }

            return JsonSerializer.Deserialize(body, VeoJsonContext.Default.ErrorEnvelope)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>google.rpc.RetryInfo.retryDelay</c> in <paramref name="error"/>'s details, if any.</summary>
    public static TimeSpan? GetRetryInfoDelay(RpcStatus? error)
    {
        if (error?.Details is null)
        {
            return null;
        }

        foreach (var detail in error.Details)
        {
            if (string.Equals(detail.Type, RetryInfoType, StringComparison.Ordinal) && TryParseDuration(detail.RetryDelay, out var delay))
            {
                return delay;
            }
        }

        return null;
    }

    /// <summary>Parses a protobuf JSON <c>Duration</c> such as <c>25s</c>, <c>1.5s</c> or <c>0.000500s</c>.</summary>
    public static bool TryParseDuration(string? value, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var span = value.AsSpan().Trim();
        if (span.Length < 2 || span[^1] != 's')
        {
            return false;
        }

        if (!decimal.TryParse(span[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || seconds < 0 || seconds > (decimal)TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
        return true;
    }

    /// <summary>The <c>Retry-After</c> header as a delay from <paramref name="now"/> (delta-seconds or an HTTP date).</summary>
    public static TimeSpan? GetRetryAfter(HttpResponseHeaders? headers, DateTimeOffset now)
    {
        var retryAfter = headers?.RetryAfter;
        if (retryAfter is null)
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>Google's preferred delay: <c>RetryInfo</c> in the body wins over the <c>Retry-After</c> header.</summary>
    public static TimeSpan? GetRequestedDelay(RpcStatus? error, HttpResponseHeaders? headers, DateTimeOffset now)
        => GetRetryInfoDelay(error) ?? GetRetryAfter(headers, now);

    /// <summary>Reads at most <see cref="MaxErrorBodyBytes"/> of an error response body, never throwing.</summary>
    public static async Task<string?> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            if (response.Content.Headers.ContentLength is > MaxErrorBodyBytes)
            {
                return null;
            }

            await response.Content.LoadIntoBufferAsync(MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Builds the exception for an error answer. <paramref name="what"/> names the call, e.g. "the start of a generation
    /// with model X"; <paramref name="model"/> is that model for a start call, where a 404 can only mean the model.
    /// </summary>
    public static VeoRequestFailedException FromResponse(int status, string? body, HttpResponseHeaders? headers, string what, Redactor redactor, DateTimeOffset now, string? model = null)
    {
        var error = TryParseError(body);
        var retryAfter = GetRequestedDelay(error, headers, now);
        var statusText = error?.Status is { Length: > 0 } googleStatus ? $"{status} {googleStatus}" : status.ToString(CultureInfo.InvariantCulture);
        var detail = error?.Message is { Length: > 0 } message
            ? message
            : string.IsNullOrWhiteSpace(body) ? "(no error body)" : Truncate(body.Trim(), 300);
        var text = $"Veo answered {statusText} to {what}: {detail}";
        if (retryAfter is { } delay)
        {
            text += $" (retry after {delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s)";
        }

        if (status == 404 && model is not null)
        {
            return new VeoModelUnavailableException(model, status, error?.Status, redactor.Redact(text + $" — Veo does not serve the model {model}; choose another (see VeoModels)."));
        }

        return new VeoRequestFailedException(status, error?.Status, redactor.Redact(text), retryAfter);
    }

    /// <summary>Builds the exception for a call that got no answer (status 0).</summary>
    public static VeoRequestFailedException NoResponse(string what, Exception cause, Redactor redactor)
    {
        var reason = cause switch
        {
            Polly.Timeout.TimeoutRejectedException t => $"no answer within {t.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s",
            HttpRequestException h => h.Message,
            _ => cause.Message,
        };

        // Only transport exceptions travel as inner exceptions: they carry no request headers (and so no key).
        var inner = cause is HttpRequestException or IOException or Polly.Timeout.TimeoutRejectedException ? cause : null;
        return new VeoRequestFailedException(0, null, redactor.Redact($"Veo could not be reached for {what}: {reason}"), null, inner);
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : string.Concat(value.AsSpan(0, max), "…");
}

/// <summary>Removes secrets (the API key) from any text the SDK hands out.</summary>
internal sealed class Redactor(string? secret)
{
    public string Redact(string text)
        => string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(text) ? text : text.Replace(secret, "***", StringComparison.Ordinal);
}
