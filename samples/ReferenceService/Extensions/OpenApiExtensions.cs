using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using ReferenceService.Callers;
using Scalar.AspNetCore;

namespace ReferenceService.Extensions;

public static class OpenApiExtensions
{
    private const string BearerScheme = "Bearer";
    private const string HeaderScheme = "ApiKey";

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
                // Both ways of sending a key, so generated clients and the API page offer them.
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key as a bearer token. Required when the service has keys configured (Callers:ApiKeys).",
                };
                document.Components.SecuritySchemes[HeaderScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = ApiKeyAuthenticationHandler.HeaderName,
                    Description = "An API key in the X-API-Key header, as an alternative to the bearer token.",
                };
                return Task.CompletedTask;
            });

            // Every operation that needs a key says so, and that it may answer 401; health and signed video links do not.
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
                {
                    return Task.CompletedTask;
                }

                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(HeaderScheme, context.Document)] = [] });
                operation.Responses ??= new OpenApiResponses();
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "The API key is missing, unknown or revoked (problem details); nothing was changed." });
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
