using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Veo.Sdk.Akka;

namespace ReferenceService.Http;

/// <summary>
/// A task that did not answer in time (its shard moving to another node, a node starting or overloaded) is a 503 with
/// <c>Retry-After</c>, never a 500: nothing is known to have changed, and the same request may simply be sent again.
/// </summary>
public sealed partial class EngineUnavailableExceptionHandler(IProblemDetailsService problemDetails, ILogger<EngineUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not GenerationUnavailableException unavailable)
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? string.Empty, unavailable.Message);
        var seconds = Math.Max(1, (int)Math.Ceiling(unavailable.RetryAfter.TotalSeconds));
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The task cannot answer right now",
                Detail = unavailable.Message + " Nothing was changed; try again after Retry-After.",
                Extensions = { ["retry_after_seconds"] = seconds },
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string reason);
}
