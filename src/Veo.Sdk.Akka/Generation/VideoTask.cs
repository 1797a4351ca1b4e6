using static Veo.Sdk.Akka.Generation.VideoTaskEvents;

namespace Veo.Sdk.Akka.Generation;

/// <summary>Where a task is, as far as its journal knows.</summary>
internal enum TaskPhase
{
    /// <summary>No event: the task does not exist.</summary>
    New = 0,

    /// <summary>Submitted or quota-deferred; waits for a slot.</summary>
    Waiting = 1,

    /// <summary>The start intent is stored; the start call is (or was, before a crash) in flight.</summary>
    Starting = 2,

    /// <summary>Veo named the operation; generating, downloading or saving.</summary>
    Running = 3,

    Succeeded = 4,
    Failed = 5,
    Revoked = 6,
}

/// <summary>A task's state: a pure fold of its events (<see cref="Apply"/>); the actor only sequences it.</summary>
internal sealed record VideoTask
{
    public required VideoTaskId Id { get; init; }

    public TaskPhase Phase { get; init; }

    public VideoGenerationRequest? Request { get; init; }

    public DateTimeOffset? SubmittedAt { get; init; }

    /// <summary>When the current start attempt began (the task left the queue); time limits count from here.</summary>
    public DateTimeOffset? StartRequestedAt { get; init; }

    public int StartAttempts { get; init; }

    public bool RestartedAfterIndeterminateStart { get; init; }

    public string? OperationName { get; init; }

    public DateTimeOffset? OperationStartedAt { get; init; }

    /// <summary>Not before this time may a quota-deferred task call Veo again.</summary>
    public DateTimeOffset? RetryNotBefore { get; init; }

    public int QuotaDeferrals { get; init; }

    public double? SoftLimitPassedSeconds { get; init; }

    public long? GenerationId { get; init; }

    public string? VideoLocation { get; init; }

    public long? SizeBytes { get; init; }

    public double? GenerationTimeSeconds { get; init; }

    public VideoTaskError? Error { get; init; }

    public bool RevokedWhileRunning { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>When the last event happened.</summary>
    public DateTimeOffset? LastChangeAt { get; init; }

    public bool Exists => Phase != TaskPhase.New;

    public bool HasEnded => Phase is TaskPhase.Succeeded or TaskPhase.Failed or TaskPhase.Revoked;

    public TaskPriority Priority => Request?.Priority ?? TaskPriority.Normal;

    public string Model => Request?.Veo.Model ?? string.Empty;

    public static VideoTask Empty(VideoTaskId id) => new() { Id = id };

    public VideoTask Apply(IVideoTaskEvent e) => (e switch
    {
        Submitted s => this with { Phase = TaskPhase.Waiting, Request = s.Request, SubmittedAt = s.At },
        StartRequested r => this with
        {
            Phase = TaskPhase.Starting,
            StartAttempts = r.Attempt,
            StartRequestedAt = r.At,
            RetryNotBefore = null,
            RestartedAfterIndeterminateStart = RestartedAfterIndeterminateStart || r.AfterIndeterminateStart,
        },

        // A start answer that arrives after a revoke is still recorded: it names the generation Veo may bill.
        Started s => this with
        {
            Phase = Phase == TaskPhase.Starting ? TaskPhase.Running : Phase,
            OperationName = s.OperationName,
            OperationStartedAt = s.At,
        },
        QuotaDeferred q => this with { Phase = TaskPhase.Waiting, RetryNotBefore = q.RetryAt, QuotaDeferrals = QuotaDeferrals + 1 },
        SoftLimitPassed p => this with { SoftLimitPassedSeconds = p.LimitSeconds },
        Succeeded s => this with
        {
            Phase = TaskPhase.Succeeded,
            GenerationId = s.GenerationId,
            VideoLocation = s.VideoLocation,
            SizeBytes = s.SizeBytes,
            GenerationTimeSeconds = s.GenerationTimeSeconds,
            CompletedAt = s.At,
        },
        Failed f => this with { Phase = TaskPhase.Failed, Error = f.Error, CompletedAt = f.At },
        Revoked r => this with { Phase = TaskPhase.Revoked, RevokedWhileRunning = r.WhileRunning, CompletedAt = r.At },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, $"Unknown event type {e.GetType().Name}."),
    }) with
    { LastChangeAt = e.At };
}
