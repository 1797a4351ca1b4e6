namespace Veo.Sdk.Akka.Generation;

/// <summary>
/// When a task's time limits fall due, from its journal and the rules. Pure: the actor arms a timer for each delay and
/// decides on the limit's fact when it fires. A delay may be zero or negative when the limit has already passed.
/// </summary>
internal static class TimeLimitPolicy
{
    /// <summary>Until the soft limit, counted from the current start attempt; <see langword="null"/> once it has been recorded.</summary>
    public static TimeSpan? UntilSoftLimit(VideoTask task, DateTimeOffset now, DecisionRules rules)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(rules);
        return task.SoftLimitPassedSeconds is null ? (task.StartRequestedAt ?? now) + rules.SoftTimeLimit - now : null;
    }

    /// <summary>
    /// Until the hard limit, counted from the current start attempt. After a recovery the task first looks at its operation
    /// once or twice (two poll intervals) before giving up on it: it may have finished during the downtime.
    /// </summary>
    public static TimeSpan UntilHardLimit(VideoTask task, DateTimeOffset now, DecisionRules rules, TimeSpan pollInterval, bool afterRecovery)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(rules);
        var hard = (task.StartRequestedAt ?? now) + rules.HardTimeLimit - now;
        if (!afterRecovery)
        {
            return hard;
        }

        var grace = pollInterval * 2;
        return hard > grace ? hard : grace;
    }

    /// <summary>Until the queue limit; <see langword="null"/> when there is none, or the task has already left the queue once.</summary>
    public static TimeSpan? UntilQueueLimit(VideoTask task, DateTimeOffset now, DecisionRules rules)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(rules);
        return rules.QueueTimeLimit is { } limit && task.StartAttempts == 0 && task.SubmittedAt is { } submitted ? submitted + limit - now : null;
    }
}
