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

            // The callback this service sends (OpenAPI 3.1 webhooks), so receivers can generate its model.
            options.AddDocumentTransformer(async (document, context, cancellationToken) =>
            {
                var schema = await context.GetOrCreateSchemaAsync(typeof(Contracts.WebhookPayload), null, cancellationToken);
                document.AddComponent(nameof(Contracts.WebhookPayload), schema);
                var signedHeader = (string name, string description) => (IOpenApiParameter)new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Header,
                    Required = true,
                    Description = description,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
                document.Webhooks ??= new Dictionary<string, IOpenApiPathItem>();
                document.Webhooks["videoTaskFinished"] = new OpenApiPathItem
                {
                    Operations = new Dictionary<HttpMethod, OpenApiOperation>
                    {
                        [HttpMethod.Post] = new()
                        {
                            Summary = "A task reached a final state (SUCCESS, FAILURE or REVOKED)",
                            Description =
                                "Sent to the submit's webhook_url (or the caller's Callers:ApiKeys:n:WebhookUrl), signed the Standard Webhooks way: " +
                                "webhook-signature is 'v1,' and base64 of HMAC-SHA256 over 'webhook-id.webhook-timestamp.body' with the bytes of the whsec_ secret. " +
                                "Delivered at least once with the same webhook-id, retried with back-off until a 2xx answer.",
                            Parameters =
                            [
                                signedHeader("webhook-id", "The message id, the same on every attempt: drop repeats by it."),
                                signedHeader("webhook-timestamp", "Unix seconds of this attempt; refuse ones far from now."),
                                signedHeader("webhook-signature", "Space-separated 'v1,<base64>' signatures."),
                            ],
                            RequestBody = new OpenApiRequestBody
                            {
                                Required = true,
                                Content = new Dictionary<string, OpenApiMediaType>
                                {
                                    ["application/json"] = new() { Schema = new OpenApiSchemaReference(nameof(Contracts.WebhookPayload), document) },
                                },
                            },
                            Responses = new OpenApiResponses { ["2XX"] = new OpenApiResponse { Description = "Received; any other answer is retried." } },
                        },
                    },
                };
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
