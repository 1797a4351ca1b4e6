using System.ComponentModel;
using System.Text.Json.Serialization;

namespace ReferenceService.Contracts;

/// <summary>The answer to an asynchronous submit: exactly the original system's shape.</summary>
public sealed record GenerateVideoAsyncResponse(
    bool Success,
    string TaskId,
    string Message,
    [property: Description("A rough estimate of the seconds until the video is ready, queue included.")] int EstimatedTimeSeconds);

/// <summary>A task's status: the original (Celery-style) fields first, then the extras.</summary>
public sealed record TaskStatusResponse
{
    public required string TaskId { get; init; }

    [Description("PENDING, PROGRESS, SUCCESS, FAILURE or REVOKED.")]
    public required string State { get; init; }

    [Description("Human-readable status text.")]
    public required string Status { get; init; }

    [Description("0-100. While Veo generates, an estimate from recent durations that stays below 100 until SUCCESS.")]
    public required int Progress { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [Description("The saved generation, on SUCCESS only.")]
    public TaskResultResponse? Result { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [Description("Why the task failed, on FAILURE only.")]
    public TaskErrorResponse? Error { get; init; }

    [Description("queued, submitting, generating, downloading, saving or done.")]
    public required string Stage { get; init; }

    public required bool ProgressIsEstimated { get; init; }

    [Description("high, normal or low.")]
    public required string Priority { get; init; }

    [Description("Position in the queue (1 = next) while PENDING; null otherwise.")]
    public int? QueuePosition { get; init; }

    [Description("Estimated seconds until the task ends; null once it has ended.")]
    public int? EtaSeconds { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    [Description("Grows with every change of this task's status; the SSE event id.")]
    public required long Version { get; init; }
}

/// <summary>
/// A live stream's word that the task cannot be reached for now (its node was lost or its shard is moving): keep the stream
/// open, its statuses follow on their own once the task answers again, starting with its current one.
/// </summary>
public sealed record TaskUnavailableEvent(string TaskId, [property: Description("Why, for a log or a person.")] string Message)
{
    /// <summary>The engine's word, as the live streams (SSE and WebSocket) send it.</summary>
    public static TaskUnavailableEvent From(Veo.Sdk.Akka.VideoTaskUnreachableEvent unreachable) =>
        new(unreachable.TaskId, $"The task cannot be reached right now: {unreachable.Reason}.");
}

/// <summary>The saved generation of a successful task.</summary>
public sealed record TaskResultResponse
{
    [Description("Where to fetch the MP4 (served by this service, no Google key needed).")]
    public required string VideoUrl { get; init; }

    public required long GenerationId { get; init; }

    [Description("Seconds from leaving the queue to the video being saved.")]
    public required double GenerationTime { get; init; }

    public required long SizeBytes { get; init; }

    public required string Prompt { get; init; }

    public string? VideoModelKey { get; init; }

    [Description("The Veo model id that generated the video.")]
    public required string Model { get; init; }

    public string? AspectRatio { get; init; }

    public int? DurationSeconds { get; init; }

    public long? Seed { get; init; }

    public long? AdId { get; init; }

    public string? OperationName { get; init; }
}

/// <summary>Why a task failed.</summary>
public sealed record TaskErrorResponse(
    [property: Description("VEO_REQUEST_FAILED, VEO_OPERATION_FAILED, SAFETY_FILTERED, TIME_LIMIT_EXCEEDED, QUEUE_TIME_LIMIT_EXCEEDED, DOWNLOAD_FAILED, STORAGE_FAILED or INDETERMINATE_START.")] string Code,
    string Message,
    IReadOnlyDictionary<string, string>? Details);

/// <summary>The answer of the deprecated synchronous endpoint: the finished generation.</summary>
public sealed record GenerateVideoSyncResponse
{
    public required bool Success { get; init; }

    public required string TaskId { get; init; }

    public required string VideoUrl { get; init; }

    public required long GenerationId { get; init; }

    public required double GenerationTime { get; init; }

    public required long SizeBytes { get; init; }

    public required string Prompt { get; init; }

    public string? VideoModelKey { get; init; }

    public required string Model { get; init; }

    public string? AspectRatio { get; init; }

    public long? Seed { get; init; }

    public long? AdId { get; init; }
}

/// <summary>What a cancel did.</summary>
public sealed record CancelTaskResponse(
    string TaskId,
    [property: Description("removed_from_queue (never reached Veo), revoked_while_running (Veo may still finish and bill it) or already_ended.")] string Outcome,
    string Message,
    [property: Description("The task's state after the cancel.")] string? State);

/// <summary>The answer to a batch submit.</summary>
public sealed record GenerateVideosAsyncResponse(
    bool Success,
    string BatchId,
    IReadOnlyList<BatchTaskResponse> Tasks,
    string Message,
    [property: Description("The largest estimate among the batch's tasks.")] int EstimatedTimeSeconds);

/// <summary>One task of a batch, in request order.</summary>
public sealed record BatchTaskResponse(string TaskId, int EstimatedTimeSeconds);

/// <summary>A batch's aggregated status.</summary>
public sealed record BatchStatusResponse
{
    public required string BatchId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required int Total { get; init; }

    [Description("How many tasks are in each state.")]
    public required BatchCountsResponse Counts { get; init; }

    [Description("Whether every task has ended (SUCCESS, FAILURE or REVOKED).")]
    public required bool AllSettled { get; init; }

    [Description("The mean progress of the batch's tasks, 0-100.")]
    public required int Progress { get; init; }

    [Description("Each task's status, in request order.")]
    public required IReadOnlyList<TaskStatusResponse> Tasks { get; init; }
}

/// <summary>Task counts per state.</summary>
public sealed record BatchCountsResponse(int Pending, int Progress, int Success, int Failure, int Revoked);

/// <summary>The saved generations of an ad.</summary>
public sealed record AdGenerationsResponse(long AdId, IReadOnlyList<GenerationResponse> Generations);

/// <summary>A saved generation.</summary>
public sealed record GenerationResponse
{
    public required long GenerationId { get; init; }

    public required string TaskId { get; init; }

    public long? AdId { get; init; }

    public required string Prompt { get; init; }

    public string? VideoModelKey { get; init; }

    public required string Model { get; init; }

    public long? Seed { get; init; }

    public string? AspectRatio { get; init; }

    public required string VideoUrl { get; init; }

    public required long SizeBytes { get; init; }

    public required double GenerationTime { get; init; }

    public string? OperationName { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset CompletedAt { get; init; }
}

/// <summary>
/// The body of a webhook call (Standard Webhooks), sent once a task reaches a final state. The headers
/// <c>webhook-id</c>, <c>webhook-timestamp</c> and <c>webhook-signature</c> sign it; the id is the same on every attempt.
/// </summary>
public sealed record WebhookPayload
{
    /// <summary><c>video.task.succeeded</c>, <c>video.task.failed</c> or <c>video.task.revoked</c>.</summary>
    public required string Type { get; init; }

    /// <summary>When the task reached its final state.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The task's status, as the status endpoint answers it.</summary>
    public required TaskStatusResponse Data { get; init; }
}
