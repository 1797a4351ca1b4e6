using Microsoft.Extensions.Logging;

namespace Veo.Sdk.Testing.Internal;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Started {OperationName}: {Result} in {LatencyMs:F0} ms")]
    public static partial void OperationStarted(ILogger logger, string operationName, OperationResultKind result, double latencyMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Method} {Path} answered {StatusCode} {GoogleStatus}: {ErrorMessage}")]
    public static partial void RequestRefused(ILogger logger, string method, string path, int statusCode, string googleStatus, string errorMessage);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Veo simulator listening on {BaseUrl}")]
    public static partial void Listening(ILogger logger, Uri baseUrl);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Veo simulator statistics and scripted outcomes reset")]
    public static partial void Reset(ILogger logger);
}
