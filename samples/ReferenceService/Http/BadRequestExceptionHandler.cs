using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace ReferenceService.Http;

/// <summary>
/// Turns the framework's request-binding failures (malformed JSON, a value of the wrong JSON type, a body over the limit,
/// a wrong content type) into RFC 9457 problem details that name the offending field, instead of an empty 400.
/// </summary>
public sealed partial class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var problem = Describe(httpContext, badRequest);
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>Explains a binding failure in the client's terms.</summary>
    public static ProblemDetails Describe(HttpContext httpContext, BadHttpRequestException exception)
    {
        switch (exception.StatusCode)
        {
            case StatusCodes.Status413PayloadTooLarge:
                return new ProblemDetails
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Detail = TooLargeDetail(httpContext),
                };
            case StatusCodes.Status415UnsupportedMediaType:
                return new ProblemDetails
                {
                    Status = StatusCodes.Status415UnsupportedMediaType,
                    Detail = UnsupportedMediaTypeDetail(httpContext),
                };
        }

        if (exception.InnerException is JsonException json)
        {
            var field = FieldOf(json.Path);
            var position = json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1})" : "";
            var message = ExpectedTypeOf(json.Message) is { } expected
                ? $"'{field}' must be {expected}{position}."
                : $"The request body is not valid JSON{position}.";
            var key = ExpectedTypeOf(json.Message) is null ? "body" : field;
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [key] = [message] })
            {
                Status = StatusCodes.Status400BadRequest,
                Detail = "The request body could not be read; nothing was submitted.",
            };
        }

        return new ProblemDetails
        {
            Status = exception.StatusCode,
            Detail = exception.Message,
        };
    }

    /// <summary>The detail of a 413: how much this endpoint accepts.</summary>
    public static string TooLargeDetail(HttpContext httpContext)
        => httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } limit
            ? $"The request body is larger than the {limit} bytes this endpoint accepts; nothing was submitted."
            : "The request body is too large; nothing was submitted.";

    /// <summary>The detail of a 415: what to send instead.</summary>
    public static string UnsupportedMediaTypeDetail(HttpContext httpContext)
        => $"Content-Type '{httpContext.Request.ContentType ?? "(none)"}' is not supported; send the body as JSON with 'Content-Type: application/json'. Nothing was submitted.";

    /// <summary>Turns a System.Text.Json path such as <c>$.requests[1].seed</c> into <c>requests[1].seed</c>.</summary>
    public static string FieldOf(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$")
        {
            return "body";
        }

        var field = jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
        return field.Length == 0 ? "body" : field;
    }

    // System.Text.Json says "The JSON value could not be converted to System.Nullable`1[System.Int64]. Path: ..." for a value of
    // the wrong type; anything else (a syntax error) has no such sentence.
    private static string? ExpectedTypeOf(string message)
    {
        var match = ConvertedToType().Match(message);
        if (!match.Success)
        {
            return null;
        }

        var type = match.Groups["type"].Value;
        return type switch
        {
            _ when type.Contains("System.String", StringComparison.Ordinal) => "a string",
            _ when type.Contains("System.Int64", StringComparison.Ordinal) || type.Contains("System.Int32", StringComparison.Ordinal) => "an integer",
            _ when type.Contains("System.Boolean", StringComparison.Ordinal) => "true or false",
            _ when type.Contains("IReadOnlyList", StringComparison.Ordinal) || type.Contains("[]", StringComparison.Ordinal) => "an array",
            _ => "a JSON object",
        };
    }

    [GeneratedRegex(@"could not be converted to (?<type>\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex ConvertedToType();
}
