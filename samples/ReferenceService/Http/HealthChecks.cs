using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Veo.Sdk;
using Veo.Sdk.Akka.Hosting;

namespace ReferenceService.Http;

/// <summary>
/// Ready when the Veo client can obtain a Vertex AI access token; reports where its credentials come from, never the
/// secret. Always healthy on the Gemini API and the simulator, which need no token.
/// </summary>
public sealed class VeoCredentialsHealthCheck(VeoClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["backend"] = client.Backend.ToString() };
        if (client.CredentialSource is { } source)
        {
            data["credential_source"] = source;
        }

        try
        {
            await client.EnsureCredentialsAsync(cancellationToken);
            return HealthCheckResult.Healthy(client.CredentialSource is null ? "No token needed." : "An access token was obtained.", data);
        }
        catch (VeoAuthenticationException exception)
        {
            return HealthCheckResult.Unhealthy(exception.Message, data: data);
        }
    }
}

/// <summary>
/// Maps <c>/health/live</c> (the actor system answers) and <c>/health/ready</c> (this node has joined its cluster, the
/// journal and its database answer), from the probes the engine registers.
/// </summary>
public static class HealthEndpoints
{

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains(VeoGenerationHealthChecks.LiveTag), ResponseWriter = WriteAsync })
            .AllowAnonymous().WithName("Liveness").WithSummary("Whether the actor system answers").WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(VeoGenerationHealthChecks.ReadyTag), ResponseWriter = WriteAsync })
            .AllowAnonymous().WithName("Readiness").WithSummary("Whether this node has joined its cluster and the journal and its database answer").WithTags("Health");
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString(), description = entry.Value.Description, data = entry.Value.Data }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, JsonSerializerOptions.Web, context.RequestAborted);
    }
}
