using Veo.Sdk.Akka.Diagnostics;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Hosting;
using Veo.Sdk.Akka.Storage;

namespace Veo.Sdk.Akka.Actors;

/// <summary>The engine's settings in the shapes the actors use.</summary>
internal sealed record EngineSettings(
    DecisionRules Rules,
    PollSchedule Polls,
    TimeSpan DefaultExpectedDuration,
    int MaxConcurrency,
    int MaxQueueLength,
    int MaxConsecutivePollFailures,
    TimeSpan QuotaRecoveryInterval,
    TimeSpan EndedTaskIdle,
    TimeSpan RecoveryHold)
{
    /// <summary>How often a task with watchers refreshes its estimate and queue position.</summary>
    public TimeSpan WatchRefreshInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many waiting tasks at the front of the queue stay live actors (0: all of them).</summary>
    public int LiveQueueLength { get; init; } = 1_000;

    /// <summary>A waiting task behind <see cref="LiveQueueLength"/> leaves memory only if it expects to stay away this long, and when woken by a read, after being asked nothing this long.</summary>
    public TimeSpan DormantAfterIdle { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts at downloading the finished video or writing its row before the task fails.</summary>
    public int MaxIoAttempts { get; init; } = 4;

    /// <summary>The longest a start call may take, all of the client's attempts included; it is cancelled after that.</summary>
    public TimeSpan StartCallTimeout { get; init; } = TimeSpan.FromSeconds(VeoGenerationOptions.DefaultStartCallTimeoutSeconds);

    public static EngineSettings From(VeoGenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new EngineSettings(
            new DecisionRules(
                TimeSpan.FromSeconds(options.SoftTimeLimitSeconds),
                TimeSpan.FromSeconds(options.HardTimeLimitSeconds),
                options.QueueTimeLimitSeconds is { } q ? TimeSpan.FromSeconds(q) : null,
                TimeSpan.FromSeconds(options.QuotaRetryDelaySeconds),
                options.RestartIndeterminateStarts),
            new PollSchedule(TimeSpan.FromSeconds(options.PollIntervalSeconds)),
            TimeSpan.FromSeconds(options.ExpectedGenerationSeconds),
            options.MaxConcurrency,
            options.MaxQueueLength,
            options.MaxConsecutivePollFailures,
            TimeSpan.FromSeconds(options.QuotaRecoveryIntervalSeconds),
            TimeSpan.FromSeconds(options.EndedTaskIdleSeconds),
            TimeSpan.FromSeconds(options.RecoveryHoldSeconds))
        {
            StartCallTimeout = TimeSpan.FromSeconds(options.StartCallTimeoutSeconds),
            LiveQueueLength = options.LiveQueueLength,
            DormantAfterIdle = TimeSpan.FromSeconds(options.DormantAfterIdleSeconds),
        };
    }
}

/// <summary>What a task's actor works with besides its dispatcher: Veo, the stores, the metrics, the clock.</summary>
internal sealed record TaskServices(
    IVeoClient Client,
    IVideoStore Videos,
    IGenerationRecorder Generations,
    VeoGenerationMetrics Metrics,
    EngineSettings Settings,
    TimeProvider Clock)
{
    /// <summary>The node's start calls whose answer is not stored yet (shared by every task of the node).</summary>
    public StartCallsInFlight StartCalls { get; init; } = new();
}
