using System.Globalization;
using static Veo.Sdk.Akka.Generation.VideoTaskEvents;

namespace Veo.Sdk.Akka.Generation;

/// <summary>The rules that the decisions depend on (from <c>VeoGenerationOptions</c>).</summary>
/// <param name="SoftTimeLimit">Generation time after which a warning is recorded.</param>
/// <param name="HardTimeLimit">Generation time after which the task fails.</param>
/// <param name="QueueTimeLimit">Longest wait for the first start, if limited.</param>
/// <param name="DefaultQuotaRetryDelay">The wait after a quota refusal when Google names none.</param>
/// <param name="RestartIndeterminateStarts">Whether a task recovered inside its start call starts again (possible duplicate) instead of failing.</param>
internal sealed record DecisionRules(
    TimeSpan SoftTimeLimit,
    TimeSpan HardTimeLimit,
    TimeSpan? QueueTimeLimit,
    TimeSpan DefaultQuotaRetryDelay,
    bool RestartIndeterminateStarts);

/// <summary>
/// The events to persist for a command or fact, in order and all together, and the reply to send once every one of them
/// is stored. No events means nothing changes (the reply, if any, goes out at once).
/// </summary>
internal readonly record struct Decision(IReadOnlyList<IVideoTaskEvent> Events, object? Reply)
{
    public static Decision Nothing => new([], null);

    public static Decision Answer(object reply) => new([], reply);

    public static Decision Persist(IVideoTaskEvent e, object? reply = null) => new([e], reply);
}

/// <summary>Pure decisions of a task: (state, input, now) → events + reply. No I/O, no clock, no Akka.</summary>
/// <remarks>
/// A submit is not decided here: admission asks the dispatcher first (a full queue stores nothing), and a repeated submit
/// compares requests, so the actor answers it; only the admitted request becomes a fact.
/// </remarks>
internal static class VideoTaskDecisions
{
    /// <summary>What a fact the actor learned means for the task.</summary>
    public static Decision Decide(this VideoTask state, TaskFact fact, DateTimeOffset now, DecisionRules rules)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(fact);
        ArgumentNullException.ThrowIfNull(rules);
        var id = state.Id;
        return fact switch
        {
            TaskFacts.Admitted a when state.Phase == TaskPhase.New =>
                Decision.Persist(new Submitted(id, a.Request with { TaskId = id.Value }, now)),
            TaskFacts.Admitted => Decision.Nothing,

            TaskFacts.SlotGranted when state.Phase is TaskPhase.Waiting or TaskPhase.Starting =>
                Decision.Persist(new StartRequested(id, state.StartAttempts + 1, AfterIndeterminateStart: state.Phase == TaskPhase.Starting, now)),
            TaskFacts.SlotGranted => Decision.Nothing,

            TaskFacts.StartAccepted s when state.Phase == TaskPhase.Starting
                || (state.Phase == TaskPhase.Revoked && state.OperationName is null && state.StartRequestedAt is not null) =>
                Decision.Persist(new Started(id, s.OperationName, s.AnsweredAt ?? now)),
            TaskFacts.StartAccepted => Decision.Nothing,

            TaskFacts.StartRejected { IsQuotaExceeded: true } q when state.Phase == TaskPhase.Starting =>
                Decision.Persist(new QuotaDeferred(id, now + (q.RetryAfter is { } d && d > TimeSpan.Zero ? d : rules.DefaultQuotaRetryDelay), q.HttpStatus, q.ErrorCode, q.Message, now)),
            TaskFacts.StartRejected { UnavailableModel: { } model } u when state.Phase == TaskPhase.Starting =>
                Fail(id, now, VideoTaskErrorCodes.ModelUnavailable, $"Veo refused to start the generation: {u.Message}",
                    new Dictionary<string, string>(HttpDetails(u.HttpStatus, u.ErrorCode, "start")) { ["model"] = model }),
            TaskFacts.StartRejected { CredentialSource: { } source } a when state.Phase == TaskPhase.Starting =>
                Fail(id, now, VideoTaskErrorCodes.AuthenticationFailed, $"Veo refused the credentials: {a.Message}",
                    new Dictionary<string, string>(HttpDetails(a.HttpStatus, a.ErrorCode, "start")) { ["credential_source"] = source }),
            TaskFacts.StartRejected r when state.Phase == TaskPhase.Starting =>
                Fail(id, now, VideoTaskErrorCodes.VeoRequestFailed, $"Veo refused to start the generation: {r.Message}", HttpDetails(r.HttpStatus, r.ErrorCode, "start")),
            TaskFacts.StartRejected => Decision.Nothing,

            TaskFacts.GenerationFiltered f when state.Phase == TaskPhase.Running =>
                Fail(id, now, VideoTaskErrorCodes.SafetyFiltered,
                    $"Veo withheld the video for safety reasons: {(f.Reasons.Count == 0 ? "no reason given" : string.Join(" | ", f.Reasons))}",
                    new Dictionary<string, string>
                    {
                        ["filtered_count"] = f.FilteredCount.ToString(CultureInfo.InvariantCulture),
                        ["reasons"] = string.Join(" | ", f.Reasons),
                    }),
            TaskFacts.GenerationFailed g when state.Phase == TaskPhase.Running =>
                Fail(id, now, VideoTaskErrorCodes.VeoOperationFailed, $"Veo's generation failed with code {g.Code}: {g.Message}",
                    new Dictionary<string, string> { ["operation_error_code"] = g.Code.ToString(CultureInfo.InvariantCulture) }),
            TaskFacts.GenerationSaved s when state.Phase == TaskPhase.Running =>
                Decision.Persist(new Succeeded(id, s.GenerationId, s.VideoLocation, s.SizeBytes, s.GenerationTimeSeconds, now)),

            TaskFacts.SoftLimitReached when state.Phase is TaskPhase.Starting or TaskPhase.Running && state.SoftLimitPassedSeconds is null =>
                Decision.Persist(new SoftLimitPassed(id, rules.SoftTimeLimit.TotalSeconds, now)),
            TaskFacts.HardLimitReached when state.Phase is TaskPhase.Starting or TaskPhase.Running =>
                Fail(id, now, VideoTaskErrorCodes.TimeLimitExceeded,
                    $"The generation did not finish within the hard time limit of {rules.HardTimeLimit.TotalSeconds:0.###} s.",
                    new Dictionary<string, string> { ["limit_seconds"] = rules.HardTimeLimit.TotalSeconds.ToString(CultureInfo.InvariantCulture) }),
            TaskFacts.QueueLimitReached when state.Phase == TaskPhase.Waiting && state.StartAttempts == 0 && rules.QueueTimeLimit is { } ql =>
                Fail(id, now, VideoTaskErrorCodes.QueueTimeLimitExceeded,
                    $"The task waited longer than the queue time limit of {ql.TotalSeconds:0.###} s; it never reached Veo.",
                    new Dictionary<string, string> { ["limit_seconds"] = ql.TotalSeconds.ToString(CultureInfo.InvariantCulture) }),

            TaskFacts.PollingGaveUp { CredentialSource: { } source } a when state.Phase == TaskPhase.Running =>
                Fail(id, now, VideoTaskErrorCodes.AuthenticationFailed, $"Veo refused the credentials while polling the generation: {a.Message}",
                    new Dictionary<string, string>(HttpDetails(a.HttpStatus, a.ErrorCode, "poll")) { ["credential_source"] = source }),
            TaskFacts.PollingGaveUp p when state.Phase == TaskPhase.Running =>
                Fail(id, now, VideoTaskErrorCodes.VeoRequestFailed,
                    $"Polling Veo for the generation failed ({p.FailedPolls} failed poll(s) in a row): {p.Message}",
                    HttpDetails(p.HttpStatus, p.ErrorCode, "poll")),
            TaskFacts.DownloadGaveUp d when state.Phase == TaskPhase.Running =>
                Fail(id, now, VideoTaskErrorCodes.DownloadFailed, $"The finished video could not be downloaded: {d.Message}", null),
            TaskFacts.StorageGaveUp s when state.Phase == TaskPhase.Running =>
                Fail(id, now, VideoTaskErrorCodes.StorageFailed, $"The video could not be stored: {s.Message}", null),

            TaskFacts.RecoveredInsideStart when state.Phase == TaskPhase.Starting && !rules.RestartIndeterminateStarts =>
                Fail(id, now, VideoTaskErrorCodes.IndeterminateStart,
                    "The engine stopped while asking Veo to start this generation, so it is unknown whether Veo started it. " +
                    "The task is not started again to avoid paying for a duplicate (set Generation:RestartIndeterminateStarts=true to start it again instead).",
                    null),

            _ => Decision.Nothing,
        };
    }

    /// <summary>What a cancel means for the task: it leaves the queue, is revoked while running, or is already over.</summary>
    public static Decision Decide(this VideoTask state, VideoTaskCommands.Cancel cancel, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(cancel);
        return DecideCancel(state, now);
    }

    private static Decision DecideCancel(VideoTask state, DateTimeOffset now) => state.Phase switch
    {
        TaskPhase.New => Decision.Answer(new VideoTaskReplies.CancelReply(state.Id, CancelOutcome.NotFound)),
        TaskPhase.Waiting => Decision.Persist(new Revoked(state.Id, WhileRunning: false, now), new VideoTaskReplies.CancelReply(state.Id, CancelOutcome.RemovedFromQueue)),
        TaskPhase.Starting or TaskPhase.Running =>
            Decision.Persist(new Revoked(state.Id, WhileRunning: true, now), new VideoTaskReplies.CancelReply(state.Id, CancelOutcome.RevokedWhileRunning)),
        _ => Decision.Answer(new VideoTaskReplies.CancelReply(state.Id, CancelOutcome.AlreadyEnded)),
    };

    private static Decision Fail(VideoTaskId id, DateTimeOffset now, string code, string message, IReadOnlyDictionary<string, string>? details)
        => Decision.Persist(new Failed(id, new VideoTaskError(code, message, details), now));

    private static Dictionary<string, string> HttpDetails(int status, string? errorCode, string during)
    {
        var details = new Dictionary<string, string>
        {
            ["http_status"] = status.ToString(CultureInfo.InvariantCulture),
            ["during"] = during,
        };
        if (errorCode is not null)
        {
            details["error_code"] = errorCode;
        }

        return details;
    }
}
