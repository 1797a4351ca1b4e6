using System.Diagnostics.Metrics;

namespace Veo.Sdk.Internal;

/// <summary>
/// The SDK's instruments (names in <see cref="VeoTelemetry"/>). With dependency injection the meter comes from the host's
/// <see cref="IMeterFactory"/>, so each host (or test) sees its own measurements; clients made without DI share one meter.
/// </summary>
internal sealed class VeoMetrics
{
    private static readonly string? Version = typeof(VeoMetrics).Assembly.GetName().Version?.ToString();

    private readonly Counter<long> _requests;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _generationDuration;

    public VeoMetrics(IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(new MeterOptions(VeoTelemetry.SourceName) { Version = Version }) ?? new Meter(VeoTelemetry.SourceName, Version);
        _requests = meter.CreateCounter<long>(VeoTelemetry.RequestsInstrument, "{request}", "Requests sent to Veo.");
        _errors = meter.CreateCounter<long>(VeoTelemetry.ErrorsInstrument, "{error}", "Veo requests that failed, by status.");
        _retries = meter.CreateCounter<long>(VeoTelemetry.RetriesInstrument, "{retry}", "Veo request attempts that were retried.");
        _generationDuration = meter.CreateHistogram<double>(
            VeoTelemetry.GenerationDurationInstrument, "s", "Time from starting a generation until Veo reported it done.");
    }

    /// <summary>The instruments of clients created without dependency injection.</summary>
    public static VeoMetrics Shared { get; } = new(null);

    public void RecordRequest(VeoCallKind kind, VeoBackend backend)
        => _requests.Add(1, new KeyValuePair<string, object?>("veo.call", VeoTelemetry.CallName(kind)), new KeyValuePair<string, object?>("veo.backend", backend.ToString()));

    public void RecordError(VeoCallKind kind, int status, string? errorCode)
        => _errors.Add(
            1,
            new KeyValuePair<string, object?>("veo.call", VeoTelemetry.CallName(kind)),
            new KeyValuePair<string, object?>("http.response.status_code", status),
            new KeyValuePair<string, object?>("veo.error_code", errorCode ?? string.Empty));

    public void RecordRetry(VeoCallKind kind, string reason)
        => _retries.Add(1, new KeyValuePair<string, object?>("veo.call", VeoTelemetry.CallName(kind)), new KeyValuePair<string, object?>("veo.retry_reason", reason));

    public void RecordGenerationDuration(TimeSpan duration, GenerateVideoResult result, string? model)
        => _generationDuration.Record(
            duration.TotalSeconds,
            new KeyValuePair<string, object?>("veo.outcome", VeoTelemetry.OutcomeName(result)),
            new KeyValuePair<string, object?>("veo.model", model ?? string.Empty));
}
