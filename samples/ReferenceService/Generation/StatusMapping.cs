using Microsoft.Extensions.Options;
using ReferenceService.Contracts;
using ReferenceService.Http;
using Veo.Sdk.Akka;
using Veo.Sdk.Akka.Storage;

namespace ReferenceService.Generation;

/// <summary>Builds the links this service hands out, absolute so that a frontend on another origin can use them as they are.</summary>
public sealed class ApiLinks(IOptions<ApiOptions> options, ReferenceService.Callers.VideoUrlSigner signer, IOptions<ReferenceService.Callers.CallerOptions> callers)
{
    public const string ApiRoot = "/api/v1/settings/ai/veo";

    public static string StatusPath(string taskId) => $"{ApiRoot}/tasks/{taskId}/status";

    public static string BatchStatusPath(string batchId) => $"{ApiRoot}/batches/{batchId}/status";

    public static string VideoPath(long generationId) => $"/api/v1/videos/{generationId}";

    /// <summary>The absolute URL of a path on this service, as seen by the caller.</summary>
    public string Absolute(HttpRequest request, string path)
    {
        if (options.Value.PublicBaseUrl is { } publicBase)
        {
            return new Uri(publicBase, path.TrimStart('/')).ToString();
        }

        return $"{request.Scheme}://{request.Host}{request.PathBase}{path}";
    }

    /// <summary>This service's base URL as the caller sees it (no trailing slash), for links made later, as in webhooks.</summary>
    public string BaseUrl(HttpRequest request) => Absolute(request, "").TrimEnd('/');

    /// <summary>The video's URL; signed and expiring when API keys are required, so a plain video tag can still play it.</summary>
    public string VideoUrl(HttpRequest request, long generationId) => VideoUrl(BaseUrl(request), generationId);

    /// <summary>The video's URL under a base URL taken earlier with <see cref="BaseUrl"/>.</summary>
    public string VideoUrl(string baseUrl, long generationId)
    {
        var path = VideoPath(generationId);
        return callers.Value.KeysRequired ? baseUrl + path + signer.Sign(path) : baseUrl + path;
    }
}

/// <summary>Turns the engine's vocabulary into the wire shapes.</summary>
public static class StatusMapping
{
    public static TaskStatusResponse ToResponse(this VideoTaskStatus status, Func<long, string> videoUrl) => new()
    {
        TaskId = status.TaskId,
        State = StateName(status.State),
        Status = status.StatusText,
        Progress = status.Progress,
        Result = status.State is VideoTaskState.Success && status.Result is { } result ? result.ToResponse(videoUrl) : null,
        Error = status.State is VideoTaskState.Failure && status.Error is { } error ? new TaskErrorResponse(error.Code, error.Message, error.Details) : null,
        Stage = status.Stage.ToString().ToLowerInvariant(),
        ProgressIsEstimated = status.ProgressIsEstimated,
        Priority = status.Priority.ToString().ToLowerInvariant(),
        QueuePosition = status.QueuePosition,
        EtaSeconds = status.IsFinal || status.EstimatedTimeLeft is not { } left ? null : (int)Math.Ceiling(Math.Max(0, left.TotalSeconds)),
        CreatedAt = status.CreatedAt,
        StartedAt = status.StartedAt,
        CompletedAt = status.CompletedAt,
        Warnings = status.Warnings,
        Version = status.Version,
    };

    public static TaskResultResponse ToResponse(this VideoTaskResult result, Func<long, string> videoUrl) => new()
    {
        VideoUrl = videoUrl(result.GenerationId),
        GenerationId = result.GenerationId,
        GenerationTime = Math.Round(result.GenerationTimeSeconds, 3),
        SizeBytes = result.SizeBytes,
        Prompt = result.Request.Veo.Prompt ?? string.Empty,
        VideoModelKey = result.Request.ModelKey,
        Model = result.Request.Veo.Model,
        AspectRatio = result.Request.Veo.AspectRatio,
        DurationSeconds = result.Request.Veo.DurationSeconds,
        Seed = result.Request.Veo.Seed,
        AdId = result.Request.AdId,
        OperationName = result.OperationName,
    };

    public static GenerationResponse ToResponse(this GenerationRecord record, Func<long, string> videoUrl) => new()
    {
        GenerationId = record.GenerationId,
        TaskId = record.TaskId,
        AdId = record.AdId,
        Prompt = record.Prompt,
        VideoModelKey = record.ModelKey,
        Model = record.Model,
        Seed = record.Seed,
        AspectRatio = record.AspectRatio,
        VideoUrl = videoUrl(record.GenerationId),
        SizeBytes = record.SizeBytes,
        GenerationTime = Math.Round(record.GenerationTimeSeconds, 3),
        OperationName = record.OperationName,
        CreatedAt = record.CreatedAt,
        CompletedAt = record.CompletedAt,
    };

    /// <summary>The original system's (Celery's) state names.</summary>
    public static string StateName(VideoTaskState state) => state switch
    {
        VideoTaskState.Pending => "PENDING",
        VideoTaskState.Progress => "PROGRESS",
        VideoTaskState.Success => "SUCCESS",
        VideoTaskState.Failure => "FAILURE",
        VideoTaskState.Revoked => "REVOKED",
        _ => state.ToString().ToUpperInvariant(),
    };

    public static string OutcomeName(CancelOutcome outcome) => outcome switch
    {
        CancelOutcome.RemovedFromQueue => "removed_from_queue",
        CancelOutcome.RevokedWhileRunning => "revoked_while_running",
        CancelOutcome.AlreadyEnded => "already_ended",
        _ => "not_found",
    };
}
