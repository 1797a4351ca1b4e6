namespace Veo.Sdk.Akka;

/// <summary>
/// The engine's facade for code outside the actor system (ASP.NET endpoints, consoles, hosted services):
/// submit a generation task, read its status, cancel it, watch it change.
/// </summary>
public interface IVideoGenerationService
{
    /// <summary>Submits a task. Returns once the task is durably stored (journaled), before any call to Veo.</summary>
    /// <remarks>
    /// A task is started at Veo at most once, even across crashes, with one exception: a crash while the start call itself
    /// is in flight (its intent is journaled, Veo's answer is not stored yet: neither in the journal nor as a start receipt).
    /// Such a task fails with <c>INDETERMINATE_START</c>, or — with <c>Generation:RestartIndeterminateStarts=true</c> —
    /// starts again, possibly generating (and billing) twice.
    /// </remarks>
    /// <param name="request">What to generate and how to file it.</param>
    /// <param name="cancellationToken">Stops waiting for the acknowledgement.</param>
    /// <returns>The task's id, and whether it already existed (a repeated <see cref="VideoGenerationRequest.TaskId"/>).</returns>
    /// <exception cref="ArgumentException">The request is invalid; nothing was stored.</exception>
    /// <exception cref="GenerationQueueFullException">The queue holds <c>Generation:MaxQueueLength</c> tasks already; nothing was stored.</exception>
    /// <exception cref="TaskIdConflictException">A task with <see cref="VideoGenerationRequest.TaskId"/> exists and was submitted with a different request; nothing was stored.</exception>
    Task<SubmitResult> SubmitAsync(VideoGenerationRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads a task's current status.</summary>
    /// <param name="taskId">The task's id.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The status, or <see langword="null"/> when no such task exists.</returns>
    Task<VideoTaskStatus?> GetStatusAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Cancels a task: a waiting task is removed and never reaches Veo; a running task is revoked at once and its result discarded.</summary>
    /// <remarks>Veo cannot cancel a generation server-side: a revoked task's generation may still run to the end and be billed.</remarks>
    /// <param name="taskId">The task's id.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>What happened.</returns>
    Task<CancelOutcome> CancelAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Streams a task's status: the current status first, then every change, ending after a final state (SUCCESS, FAILURE, REVOKED).</summary>
    /// <param name="taskId">The task's id.</param>
    /// <param name="cancellationToken">Stops watching (not the task).</param>
    /// <returns>The statuses; empty when no such task exists.</returns>
    IAsyncEnumerable<VideoTaskStatus> WatchAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams a task's status as <see cref="WatchAsync"/> does, and also says when the task cannot be reached for a while:
    /// its actor stopped before the task ended, or its node stopped answering (the node was lost, or the task's shard is
    /// moving to another node). Then a <see cref="VideoTaskUnreachableEvent"/> comes, and statuses follow on their own
    /// once the task answers again, starting with its current status. Keep reading: nothing is lost meanwhile.
    /// </summary>
    /// <param name="taskId">The task's id.</param>
    /// <param name="cancellationToken">Stops watching (not the task).</param>
    /// <returns>The events; empty when no such task exists.</returns>
    IAsyncEnumerable<VideoTaskWatchEvent> WatchEventsAsync(string taskId, CancellationToken cancellationToken = default);
}

/// <summary>What <see cref="IVideoGenerationService.WatchEventsAsync"/> yields: a status, or word that the task cannot be reached for now.</summary>
public abstract record VideoTaskWatchEvent
{
    private protected VideoTaskWatchEvent()
    {
    }
}

/// <summary>The task's status: the current one first, then each change, and the current one again after it was unreachable.</summary>
/// <param name="Status">The status.</param>
public sealed record VideoTaskStatusEvent(VideoTaskStatus Status) : VideoTaskWatchEvent;

/// <summary>
/// The task cannot be reached for now (its node was lost or its shard is moving). Nothing is known to have changed; its
/// statuses follow on their own once it answers again.
/// </summary>
/// <param name="TaskId">The task's id.</param>
/// <param name="Reason">Why, in words for a log or a person.</param>
public sealed record VideoTaskUnreachableEvent(string TaskId, string Reason) : VideoTaskWatchEvent;

/// <summary>A generation task to submit.</summary>
public sealed record VideoGenerationRequest
{
    /// <summary>What to ask Veo for.</summary>
    public required GenerateVideoRequest Veo { get; init; }

    /// <summary>
    /// The task id to use; a new one is made when <see langword="null"/>. Submitting an id that exists with the same request
    /// returns that task (idempotent submit); with a different request it is refused (<see cref="TaskIdConflictException"/>).
    /// </summary>
    public string? TaskId { get; init; }

    /// <summary>The priority lane: high tasks start before normal ones, normal before low; first come first served within a lane.</summary>
    public TaskPriority Priority { get; init; } = TaskPriority.Normal;

    /// <summary>The original system's model key (e.g. <c>veo_3_1_t2v_portrait</c>), recorded with the saved generation.</summary>
    public string? ModelKey { get; init; }

    /// <summary>The ad this video belongs to, recorded with the saved generation.</summary>
    public long? AdId { get; init; }
}

/// <summary>Priority lanes of the generation queue.</summary>
public enum TaskPriority
{
    /// <summary>Starts before normal and low tasks.</summary>
    High = 0,

    /// <summary>The default lane.</summary>
    Normal = 1,

    /// <summary>Starts only when no high or normal task waits.</summary>
    Low = 2,
}

/// <summary>The answer to a submit.</summary>
/// <param name="TaskId">The task's id.</param>
/// <param name="AlreadyExisted">Whether a task with this id existed before (the submit changed nothing).</param>
/// <param name="EstimatedTimeSeconds">A rough estimate of the time until the video is ready, in seconds.</param>
public sealed record SubmitResult(string TaskId, bool AlreadyExisted, int EstimatedTimeSeconds);

/// <summary>Thrown by <see cref="IVideoGenerationService.SubmitAsync"/> when the queue is full.</summary>
public sealed class GenerationQueueFullException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="maxQueueLength">The configured limit.</param>
    /// <param name="retryAfter">A suggested wait before submitting again.</param>
    public GenerationQueueFullException(int maxQueueLength, TimeSpan retryAfter)
        : base($"The generation queue is full ({maxQueueLength} tasks waiting); try again in about {retryAfter.TotalSeconds:0} s.")
    {
        MaxQueueLength = maxQueueLength;
        RetryAfter = retryAfter;
    }

    /// <summary>The configured limit (<c>Generation:MaxQueueLength</c>).</summary>
    public int MaxQueueLength { get; }

    /// <summary>A suggested wait before submitting again.</summary>
    public TimeSpan RetryAfter { get; }
}

/// <summary>
/// The task's actor did not answer in time: its shard may be moving to another node after a node was lost, or the node is
/// starting or overloaded. Nothing is known to have changed; asking again after <see cref="RetryAfter"/> is safe (a submit
/// with the same task id is idempotent).
/// </summary>
public sealed class GenerationUnavailableException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What did not answer, and within how long.</param>
    /// <param name="retryAfter">A suggested wait before asking again.</param>
    /// <param name="innerException">The ask's own timeout.</param>
    public GenerationUnavailableException(string message, TimeSpan retryAfter, Exception? innerException = null)
        : base(message, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>A suggested wait before asking again.</summary>
    public TimeSpan RetryAfter { get; }
}

/// <summary>
/// Thrown by <see cref="IVideoGenerationService.SubmitAsync"/> when the request names an existing task's id but asks for
/// something else than that task was submitted with: an idempotency key reused for a different request.
/// </summary>
public sealed class TaskIdConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="taskId">The id in use.</param>
    public TaskIdConflictException(string taskId)
        : base($"Task {taskId} exists and was submitted with a different request; nothing was stored.")
    {
        TaskId = taskId;
    }

    /// <summary>The id in use.</summary>
    public string TaskId { get; }
}

/// <summary>The states of a task, in the original system's (Celery's) vocabulary.</summary>
public enum VideoTaskState
{
    /// <summary>Waiting for a free slot (PENDING).</summary>
    Pending = 0,

    /// <summary>Submitting to Veo, generating, downloading or saving (PROGRESS).</summary>
    Progress = 1,

    /// <summary>The video is saved (SUCCESS).</summary>
    Success = 2,

    /// <summary>The task failed; see <see cref="VideoTaskStatus.Error"/> (FAILURE).</summary>
    Failure = 3,

    /// <summary>The task was cancelled (REVOKED).</summary>
    Revoked = 4,
}

/// <summary>Where a task is in its life.</summary>
public enum VideoTaskStage
{
    /// <summary>Waiting in the queue.</summary>
    Queued = 0,

    /// <summary>Sending the request to Veo.</summary>
    Submitting = 1,

    /// <summary>Veo is generating.</summary>
    Generating = 2,

    /// <summary>Downloading the video from Veo.</summary>
    Downloading = 3,

    /// <summary>Storing the video and recording the generation.</summary>
    Saving = 4,

    /// <summary>Ended (success, failure or revoked).</summary>
    Done = 5,
}

/// <summary>What <see cref="IVideoGenerationService.CancelAsync"/> did.</summary>
public enum CancelOutcome
{
    /// <summary>The task was waiting; it was removed and never reached Veo.</summary>
    RemovedFromQueue = 0,

    /// <summary>The task was running; it is REVOKED and its result will be discarded (Veo may still bill the generation).</summary>
    RevokedWhileRunning = 1,

    /// <summary>The task had already ended; nothing changed.</summary>
    AlreadyEnded = 2,

    /// <summary>No such task.</summary>
    NotFound = 3,
}

/// <summary>A task's status, carrying the original system's vocabulary.</summary>
public sealed record VideoTaskStatus
{
    /// <summary>The task's id.</summary>
    public required string TaskId { get; init; }

    /// <summary>The state (PENDING, PROGRESS, SUCCESS, FAILURE, REVOKED).</summary>
    public required VideoTaskState State { get; init; }

    /// <summary>Where the task is in its life.</summary>
    public required VideoTaskStage Stage { get; init; }

    /// <summary>A human-readable status text, e.g. "Waiting in queue (position 3)" or "Generating video (estimated 45%)".</summary>
    public required string StatusText { get; init; }

    /// <summary>Progress 0–100; during generation an estimate (see <see cref="ProgressIsEstimated"/>) that never passes 99 before success.</summary>
    public required int Progress { get; init; }

    /// <summary>Whether <see cref="Progress"/> is an estimate from recent generation durations rather than a measured value.</summary>
    public bool ProgressIsEstimated { get; init; }

    /// <summary>The position in the queue (1 = next) while waiting; otherwise <see langword="null"/>.</summary>
    public int? QueuePosition { get; init; }

    /// <summary>The estimated time until the task ends, while it has not ended.</summary>
    public TimeSpan? EstimatedTimeLeft { get; init; }

    /// <summary>The priority lane.</summary>
    public TaskPriority Priority { get; init; } = TaskPriority.Normal;

    /// <summary>When the task was submitted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When generation started (the task left the queue).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the task ended.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The result, on SUCCESS only.</summary>
    public VideoTaskResult? Result { get; init; }

    /// <summary>The error, on FAILURE only.</summary>
    public VideoTaskError? Error { get; init; }

    /// <summary>Warnings recorded on the way, such as the soft time limit being passed or a quota back-off.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>A number that grows with every change of this task's status; usable as an SSE event id.</summary>
    public long Version { get; init; }

    /// <summary>Whether the task has ended (SUCCESS, FAILURE or REVOKED).</summary>
    public bool IsFinal => State is VideoTaskState.Success or VideoTaskState.Failure or VideoTaskState.Revoked;
}

/// <summary>The result of a successful task: the saved generation.</summary>
public sealed record VideoTaskResult
{
    /// <summary>The saved generation's id (the original's database id).</summary>
    public required long GenerationId { get; init; }

    /// <summary>Where the video store keeps the video (for the folder store: a path relative to <c>Storage:VideosPath</c>).</summary>
    public required string VideoLocation { get; init; }

    /// <summary>The video's size in bytes.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>Seconds from leaving the queue to the video being saved.</summary>
    public required double GenerationTimeSeconds { get; init; }

    /// <summary>Veo's operation name.</summary>
    public string? OperationName { get; init; }

    /// <summary>The request, echoed.</summary>
    public required VideoGenerationRequest Request { get; init; }
}

/// <summary>Why a task failed.</summary>
/// <param name="Code">A stable name: <c>VEO_REQUEST_FAILED</c>, <c>VEO_OPERATION_FAILED</c>, <c>SAFETY_FILTERED</c>, <c>TIME_LIMIT_EXCEEDED</c>, <c>QUEUE_TIME_LIMIT_EXCEEDED</c>, <c>DOWNLOAD_FAILED</c>, <c>STORAGE_FAILED</c>, <c>INDETERMINATE_START</c>.</param>
/// <param name="Message">A human-readable explanation.</param>
/// <param name="Details">Extra facts (HTTP status, Google's error status, filter reasons).</param>
public sealed record VideoTaskError(string Code, string Message, IReadOnlyDictionary<string, string>? Details = null);
