namespace Veo.Sdk.Akka.Generation;

/// <summary>Marks every type the engine's serializer owns (events, commands and replies that may cross the network).</summary>
internal interface IVideoTaskProtocol;

/// <summary>A fact in a task's journal. Past tense, never renamed once shipped (the manifests in <c>VideoTaskSerializer</c> are the contract).</summary>
internal interface IVideoTaskEvent : IWithTaskId, IVideoTaskProtocol
{
    /// <summary>When it happened.</summary>
    DateTimeOffset At { get; }
}

/// <summary>The events of a task's life: Submitted → (StartRequested → Started | QuotaDeferred …) → Succeeded | Failed | Revoked.</summary>
internal static class VideoTaskEvents
{
    /// <summary>The task was accepted and stored; it waits for a slot. <paramref name="Request"/> carries the task id and the priority.</summary>
    public sealed record Submitted(VideoTaskId TaskId, VideoGenerationRequest Request, DateTimeOffset At) : IVideoTaskEvent;

    /// <summary>
    /// A slot was granted and the task is about to call Veo. Written before the call: a task recovered with this event but
    /// without <see cref="Started"/> crashed inside the start call (the one window where Veo may have started a generation
    /// the journal does not know about).
    /// </summary>
    /// <param name="TaskId">The task.</param>
    /// <param name="Attempt">1 for the first start call, higher after quota deferrals or an indeterminate restart.</param>
    /// <param name="AfterIndeterminateStart">Whether this attempt repeats a start whose outcome was unknown (a possible duplicate at Veo).</param>
    /// <param name="At">When the slot was granted.</param>
    public sealed record StartRequested(VideoTaskId TaskId, int Attempt, bool AfterIndeterminateStart, DateTimeOffset At) : IVideoTaskEvent;

    /// <summary>Veo accepted the start call; <paramref name="OperationName"/> re-attaches to the generation after any restart.</summary>
    public sealed record Started(VideoTaskId TaskId, string OperationName, DateTimeOffset At) : IVideoTaskEvent;

    /// <summary>Veo refused the start for quota reasons (nothing started); the task waits again, not before <paramref name="RetryAt"/>.</summary>
    public sealed record QuotaDeferred(VideoTaskId TaskId, DateTimeOffset RetryAt, int HttpStatus, string? ErrorCode, string Message, DateTimeOffset At) : IVideoTaskEvent;

    /// <summary>The soft time limit passed while generating; recorded as a warning, the task goes on.</summary>
    public sealed record SoftLimitPassed(VideoTaskId TaskId, double LimitSeconds, DateTimeOffset At) : IVideoTaskEvent;

    /// <summary>The video is stored and its generation row written.</summary>
    public sealed record Succeeded(VideoTaskId TaskId, long GenerationId, string VideoLocation, long SizeBytes, double GenerationTimeSeconds, DateTimeOffset At) : IVideoTaskEvent;

    /// <summary>The task failed for good.</summary>
    public sealed record Failed(VideoTaskId TaskId, VideoTaskError Error, DateTimeOffset At) : IVideoTaskEvent;

    /// <summary>The task was cancelled; <paramref name="WhileRunning"/> tells whether Veo may already have been generating (and billing).</summary>
    public sealed record Revoked(VideoTaskId TaskId, bool WhileRunning, DateTimeOffset At) : IVideoTaskEvent;
}
