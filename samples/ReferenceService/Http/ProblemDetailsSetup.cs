using System.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;

namespace ReferenceService.Http;

/// <summary>RFC 9457 problem details for every error this service answers, with the trace id to find it in the logs.</summary>
public static class ProblemDetailsSetup
{
    public static IServiceCollection AddApiProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Instance ??= context.HttpContext.Request.Path;
            problem.Extensions.TryAdd("trace_id", Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);

            // Responses the framework ends without a body (a body over the limit, a wrong content type, an unknown route)
            // reach here through the status-code pages; say what happened.
            problem.Detail ??= problem.Status switch
            {
                StatusCodes.Status413PayloadTooLarge => BadRequestExceptionHandler.TooLargeDetail(context.HttpContext),
                StatusCodes.Status415UnsupportedMediaType => BadRequestExceptionHandler.UnsupportedMediaTypeDetail(context.HttpContext),
                StatusCodes.Status404NotFound => "There is nothing at this address.",
                StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Method} is not allowed here.",
                _ => null,
            };
        });
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<EngineUnavailableExceptionHandler>();
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }
}

/// <summary>Per-endpoint request body limit (honoured by routing, enforced by Kestrel as a 413).</summary>
public sealed class RequestBodyLimit(long maxRequestBodySize) : IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize { get; } = maxRequestBodySize;
}
