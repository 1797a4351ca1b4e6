using System.Diagnostics;
using System.Diagnostics.Metrics;
using Veo.Sdk.Internal;

namespace Veo.Sdk;

/// <summary>
/// Names of the SDK's <see cref="ActivitySource"/> and <see cref="Meter"/> (both <see cref="SourceName"/>) and of its
/// instruments, for OpenTelemetry: <c>builder.WithTracing(t =&gt; t.AddSource(VeoTelemetry.SourceName)).WithMetrics(m =&gt; m.AddMeter(VeoTelemetry.SourceName))</c>.
/// </summary>
public static class VeoTelemetry
{
    /// <summary>The name of the activity source and of the meter: <c>Veo.Sdk</c>.</summary>
    public const string SourceName = "Veo.Sdk";

    /// <summary>Counter of requests sent to Veo, tagged <c>veo.call</c> (start, poll, download) and <c>veo.backend</c>.</summary>
    public const string RequestsInstrument = "veo.client.requests";

    /// <summary>Counter of failed requests, tagged <c>veo.call</c>, <c>http.response.status_code</c> (0 = no response) and <c>veo.error_code</c>.</summary>
    public const string ErrorsInstrument = "veo.client.errors";

    /// <summary>Counter of retried attempts, tagged <c>veo.call</c> and <c>veo.retry_reason</c>.</summary>
    public const string RetriesInstrument = "veo.client.retries";

    /// <summary>Histogram of generation durations in seconds (start until Veo reported done), tagged <c>veo.outcome</c> and <c>veo.model</c>.</summary>
    public const string GenerationDurationInstrument = "veo.generation.duration";

    internal static readonly ActivitySource ActivitySource = new(SourceName, typeof(VeoTelemetry).Assembly.GetName().Version?.ToString());

    private static readonly Meter Meter = new(SourceName, typeof(VeoTelemetry).Assembly.GetName().Version?.ToString());
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(RequestsInstrument, "{request}", "Requests sent to Veo.");
    private static readonly Counter<long> Errors = Meter.CreateCounter<long>(ErrorsInstrument, "{error}", "Veo requests that failed, by status.");
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>(RetriesInstrument, "{retry}", "Veo request attempts that were retried.");
    private static readonly Histogram<double> GenerationDuration = Meter.CreateHistogram<double>(
        GenerationDurationInstrument, "s", "Time from starting a generation until Veo reported it done.");

    internal static void RecordRequest(VeoCallKind kind, VeoBackend backend)
        => Requests.Add(1, new KeyValuePair<string, object?>("veo.call", CallName(kind)), new KeyValuePair<string, object?>("veo.backend", backend.ToString()));

    internal static void RecordError(VeoCallKind kind, int status, string? errorCode)
        => Errors.Add(
            1,
            new KeyValuePair<string, object?>("veo.call", CallName(kind)),
            new KeyValuePair<string, object?>("http.response.status_code", status),
            new KeyValuePair<string, object?>("veo.error_code", errorCode ?? string.Empty));

    internal static void RecordRetry(VeoCallKind kind, string reason)
        => Retries.Add(1, new KeyValuePair<string, object?>("veo.call", CallName(kind)), new KeyValuePair<string, object?>("veo.retry_reason", reason));

    internal static void RecordGenerationDuration(TimeSpan duration, GenerateVideoResult result, string? model)
        => GenerationDuration.Record(
            duration.TotalSeconds,
            new KeyValuePair<string, object?>("veo.outcome", OutcomeName(result)),
            new KeyValuePair<string, object?>("veo.model", model ?? string.Empty));

    internal static string OutcomeName(GenerateVideoResult result) => result switch
    {
        GenerateVideoResult.Succeeded => "succeeded",
        GenerateVideoResult.Filtered => "filtered",
        _ => "failed",
    };

    internal static string CallName(VeoCallKind kind) => kind switch
    {
        VeoCallKind.Start => "start",
        VeoCallKind.Poll => "poll",
        _ => "download",
    };
}
