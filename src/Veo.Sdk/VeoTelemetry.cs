using System.Diagnostics;
using Veo.Sdk.Internal;

namespace Veo.Sdk;

/// <summary>
/// Names of the SDK's <see cref="ActivitySource"/> and meter (both <see cref="SourceName"/>) and of its instruments, for
/// OpenTelemetry (with dependency injection the meter is created by the host's <c>IMeterFactory</c>): <c>builder.WithTracing(t =&gt; t.AddSource(VeoTelemetry.SourceName)).WithMetrics(m =&gt; m.AddMeter(VeoTelemetry.SourceName))</c>.
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
