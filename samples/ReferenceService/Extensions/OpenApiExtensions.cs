using Scalar.AspNetCore;

namespace ReferenceService.Extensions;

public static class OpenApiExtensions
{
    /// <summary>The OpenAPI document (<c>/openapi/v1.json</c>), with deprecated endpoints flagged.</summary>
    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Veo reference service";
                document.Info.Description =
                    "The original video-generation API (async submit, status polling, deprecated sync endpoint) on a durable Akka.NET engine, " +
                    "plus live progress (SSE, WebSocket), cancel, batches and video serving. JSON is snake_case; errors are RFC 9457 problem details.";
                return Task.CompletedTask;
            });

            // .NET 10 does not turn [Obsolete] endpoint metadata into `deprecated: true` by itself.
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ObsoleteAttribute>().Any())
                {
                    operation.Deprecated = true;
                }

                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>Maps <c>/openapi/v1.json</c> and a browsable API page at <c>/scalar</c> (assets served by this app, no CDN).</summary>
    public static IEndpointRouteBuilder MapApiDocumentation(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(options => options
            .WithTitle("Veo reference service")
            .DisableDefaultFonts()
            .DisableTelemetry());
        return app;
    }
}
