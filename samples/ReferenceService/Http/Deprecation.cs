using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Options;
using ReferenceService.Generation;

namespace ReferenceService.Http;

/// <summary>Marks an endpoint as deprecated in favour of <paramref name="SuccessorPath"/>.</summary>
public sealed record DeprecatedEndpoint(string SuccessorPath);

/// <summary>
/// Adds RFC 9745 <c>Deprecation</c>, RFC 8594 <c>Sunset</c> and <c>Link: …; rel="successor-version"</c> to every response of a
/// deprecated endpoint (errors included), and logs and counts each call so its remaining users can be found.
/// </summary>
public static partial class Deprecation
{
    public static RouteHandlerBuilder Deprecated(this RouteHandlerBuilder builder, string successorPath, string message)
        => builder.WithMetadata(new DeprecatedEndpoint(successorPath), new ObsoleteAttribute(message));

    public static IApplicationBuilder UseDeprecationHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<DeprecatedEndpoint>() is { } deprecated)
        {
            var options = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
            var telemetry = context.RequestServices.GetRequiredService<ServiceTelemetry>();
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Deprecation).FullName!);
            var client = ClientIdentity.Of(context);
            telemetry.DeprecatedCalls.Add(1, new KeyValuePair<string, object?>("http.route", context.Request.Path.Value));
            LogDeprecatedCall(logger, context.Request.Path, client, context.Request.Headers.UserAgent.ToString());

            // OnStarting, not now: the exception handler clears headers when it answers a bad request.
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers["Deprecation"] = "@" + options.DeprecatedSince.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                if (options.SunsetAt is { } sunset)
                {
                    headers["Sunset"] = sunset.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);
                }

                headers.Append("Link", $"<{deprecated.SuccessorPath}>; rel=\"successor-version\"");
                return Task.CompletedTask;
            });
        }

        await next(context);
    });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deprecated endpoint {Path} called by {Client} ({UserAgent})")]
    private static partial void LogDeprecatedCall(ILogger logger, string path, string client, string userAgent);
}

/// <summary>This service's own metrics (meter <c>ReferenceService</c>).</summary>
public sealed class ServiceTelemetry : IDisposable
{
    public const string Name = "ReferenceService";

    private readonly Meter _meter;

    public ServiceTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        DeprecatedCalls = _meter.CreateCounter<long>("reference_service.deprecated_calls", description: "Calls of deprecated endpoints");
    }

    public Counter<long> DeprecatedCalls { get; }

    public void Dispose() => _meter.Dispose();
}
