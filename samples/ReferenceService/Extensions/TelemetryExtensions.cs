using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ReferenceService.Http;

namespace ReferenceService.Extensions;

public static class TelemetryExtensions
{
    /// <summary>The sources and meters exported: the SDK's, the engine's, this service's, ASP.NET Core's and HttpClient's.</summary>
    public static readonly string[] Sources = ["Veo.Sdk", "Veo.Sdk.Akka", ServiceTelemetry.Name];

    /// <summary>
    /// OpenTelemetry traces and metrics, off by default: <c>Telemetry:Exporter</c> = <c>console</c> or <c>otlp</c>
    /// (endpoint from <c>Telemetry:OtlpEndpoint</c> or the standard OTEL_EXPORTER_OTLP_* variables).
    /// </summary>
    public static IServiceCollection AddServiceTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var exporter = configuration["Telemetry:Exporter"]?.Trim().ToLowerInvariant();
        if (exporter is null or "" or "none")
        {
            return services;
        }

        if (exporter is not ("console" or "otlp"))
        {
            throw new InvalidOperationException($"Telemetry:Exporter '{exporter}' is not supported; use none, console or otlp.");
        }

        var otlpEndpoint = configuration.GetValue<Uri?>("Telemetry:OtlpEndpoint");
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["Telemetry:ServiceName"] ?? "ReferenceService"))
            .WithTracing(tracing =>
            {
                tracing.AddSource(Sources).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (exporter == "console")
                {
                    tracing.AddConsoleExporter();
                }
                else
                {
                    tracing.AddOtlpExporter(options => options.Endpoint = otlpEndpoint ?? options.Endpoint);
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Sources).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (exporter == "console")
                {
                    metrics.AddConsoleExporter();
                }
                else
                {
                    metrics.AddOtlpExporter(options => options.Endpoint = otlpEndpoint ?? options.Endpoint);
                }
            });
        return services;
    }
}
