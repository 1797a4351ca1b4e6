using Microsoft.Extensions.Logging;

namespace Veo.Sdk.Internal;

/// <summary>Every log line of the SDK. Never the API key; never the prompt text at Information (only its length).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Starting a Veo generation with model {Model} on {Backend} (prompt of {PromptLength} characters)")]
    public static partial void StartingGeneration(ILogger logger, string model, VeoBackend backend, int promptLength);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Veo started operation {OperationName}")]
    public static partial void GenerationStarted(ILogger logger, string operationName);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Polled operation {OperationName}: done = {Done}")]
    public static partial void OperationPolled(ILogger logger, string operationName, bool done);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Operation {OperationName} is not done yet after {PollCount} poll(s); next poll in {NextPollDelay}")]
    public static partial void OperationPending(ILogger logger, string operationName, int pollCount, TimeSpan nextPollDelay);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Operation {OperationName} completed: {Outcome} ({VideoCount} video(s))")]
    public static partial void OperationCompleted(ILogger logger, string operationName, string outcome, int videoCount);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Retrying the Veo {CallKind} request (attempt {Attempt}) in {Delay} after {Reason}")]
    public static partial void RetryingRequest(ILogger logger, VeoCallKind callKind, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "The Veo {CallKind} request failed with status {Status} {ErrorCode}: {ErrorMessage}")]
    public static partial void RequestFailed(ILogger logger, VeoCallKind callKind, int status, string? errorCode, string errorMessage);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Downloading a generated video from {Uri}")]
    public static partial void DownloadingVideo(ILogger logger, string uri);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Downloaded {Bytes} bytes of video from {Uri}")]
    public static partial void VideoDownloaded(ILogger logger, long bytes, string uri);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Prompt of the generation with model {Model}: {Prompt}")]
    public static partial void PromptDetail(ILogger logger, string model, string prompt);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Veo is configured for the Gemini API, the legacy path: Google's SDKs serve Veo on Vertex AI only and the Gemini API's Veo 3.1 preview ids were reported shut down. Set Veo:ProjectId or a credential (and leave Veo:Backend unset) to use Vertex AI.")]
    public static partial void GeminiApiIsLegacy(ILogger logger);
}
