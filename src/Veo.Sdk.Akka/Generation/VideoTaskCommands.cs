namespace Veo.Sdk.Akka.Generation;

/// <summary>A request to a task from outside its actor (the facade or another node); answered with a reply record.</summary>
internal interface IVideoTaskCommand : IWithTaskId, IVideoTaskProtocol;

/// <summary>The commands a task accepts from the facade. They may cross nodes, so the serializer owns them.</summary>
internal static class VideoTaskCommands
{
    /// <summary>Create the task (or return it when the id exists). Answered with <see cref="VideoTaskReplies.SubmitAccepted"/> or <see cref="VideoTaskReplies.QueueFull"/>.</summary>
    public sealed record Submit(VideoTaskId TaskId, VideoGenerationRequest Request) : IVideoTaskCommand;

    /// <summary>Answered with <see cref="VideoTaskReplies.StatusReply"/>.</summary>
    public sealed record GetStatus(VideoTaskId TaskId) : IVideoTaskCommand;

    /// <summary>Answered with <see cref="VideoTaskReplies.CancelReply"/>.</summary>
    public sealed record Cancel(VideoTaskId TaskId) : IVideoTaskCommand;

    /// <summary>
    /// Come back if you are unfinished: sent through the shard region to every open task after a restart or a node loss
    /// (the engine does not use remember-entities), and by a task to itself when its shard moves. An unfinished task reports
    /// to the dispatcher (its slot or its place); any other answers the dispatcher with <c>TaskNotOpen</c>.
    /// </summary>
    public sealed record Wake(VideoTaskId TaskId) : IVideoTaskCommand;
}

/// <summary>Answers to <see cref="VideoTaskCommands"/>.</summary>
internal static class VideoTaskReplies
{
    public sealed record SubmitAccepted(VideoTaskId TaskId, bool AlreadyExisted, int EstimatedTimeSeconds) : IVideoTaskProtocol;

    public sealed record QueueFull(VideoTaskId TaskId, int MaxQueueLength, double RetryAfterSeconds) : IVideoTaskProtocol;

    /// <summary>A submit named an existing task's id with a different request; nothing was stored.</summary>
    public sealed record TaskIdConflict(VideoTaskId TaskId) : IVideoTaskProtocol;

    /// <summary><paramref name="Status"/> is <see langword="null"/> when no such task exists.</summary>
    public sealed record StatusReply(VideoTaskId TaskId, VideoTaskStatus? Status) : IVideoTaskProtocol;

    public sealed record CancelReply(VideoTaskId TaskId, CancelOutcome Outcome) : IVideoTaskProtocol;
}

/// <summary>
/// Something the task's actor learned from the world (the dispatcher, Veo, the clock, its stores). Facts never leave the
/// actor and are never persisted; <see cref="VideoTaskDecisions.Decide(VideoTask, TaskFact, DateTimeOffset, DecisionRules)"/>
/// turns them into events.
/// </summary>
internal abstract record TaskFact;

/// <summary>The facts a task decides on, one record each.</summary>
internal static class TaskFacts
{
    /// <summary>The facade's submit passed admission (the queue had room).</summary>
    public sealed record Admitted(VideoGenerationRequest Request) : TaskFact;

    public sealed record SlotGranted : TaskFact;

    /// <summary>Veo named the operation; <paramref name="AnsweredAt"/> is set when the answer comes from a start receipt found on recovery.</summary>
    public sealed record StartAccepted(string OperationName, DateTimeOffset? AnsweredAt = null) : TaskFact;

    public sealed record StartRejected(int HttpStatus, string? ErrorCode, string Message, TimeSpan? RetryAfter, bool IsQuotaExceeded, string? UnavailableModel = null, string? CredentialSource = null) : TaskFact;

    public sealed record GenerationFiltered(int FilteredCount, IReadOnlyList<string> Reasons) : TaskFact;

    public sealed record GenerationFailed(int Code, string Message) : TaskFact;

    public sealed record GenerationSaved(long GenerationId, string VideoLocation, long SizeBytes, double GenerationTimeSeconds) : TaskFact;

    public sealed record SoftLimitReached : TaskFact;

    public sealed record HardLimitReached : TaskFact;

    public sealed record QueueLimitReached : TaskFact;

    public sealed record PollingGaveUp(int HttpStatus, string? ErrorCode, string Message, int FailedPolls, string? CredentialSource = null) : TaskFact;

    public sealed record DownloadGaveUp(string Message) : TaskFact;

    public sealed record StorageGaveUp(string Message) : TaskFact;

    /// <summary>Recovery found a start intent without an operation name: the start call's outcome is unknown.</summary>
    public sealed record RecoveredInsideStart : TaskFact;
}
