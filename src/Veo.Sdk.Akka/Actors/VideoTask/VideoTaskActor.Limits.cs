using Akka.Actor;
using Akka.Event;
using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Time limits: the soft limit (a warning), the hard limit (the generation fails) and the queue limit (the task never
/// reached Veo), armed as timers when <see cref="TimeLimitPolicy"/> says they fall due.
/// </summary>
internal sealed partial class VideoTaskActor
{
    private const string SoftLimitTimer = "soft-limit";
    private const string HardLimitTimer = "hard-limit";
    private const string QueueLimitTimer = "queue-limit";

    private void ArmTimeLimits(bool afterRecovery)
    {
        var now = Now;
        if (TimeLimitPolicy.UntilSoftLimit(_task, now, _settings.Rules) is { } soft)
        {
            Timers.StartSingleTimer(SoftLimitTimer, LimitTick.Soft, AtLeastOneMs(soft));
        }

        var hard = TimeLimitPolicy.UntilHardLimit(_task, now, _settings.Rules, _settings.Polls.PollInterval, afterRecovery);
        Timers.StartSingleTimer(HardLimitTimer, LimitTick.Hard, AtLeastOneMs(hard));
    }

    private void ArmQueueTimeLimit()
    {
        if (TimeLimitPolicy.UntilQueueLimit(_task, Now, _settings.Rules) is { } queue)
        {
            Timers.StartSingleTimer(QueueLimitTimer, LimitTick.Queue, AtLeastOneMs(queue));
        }
    }

    private void CancelTimeLimits()
    {
        Timers.Cancel(SoftLimitTimer);
        Timers.Cancel(HardLimitTimer);
    }

    private void OnLimitTick(LimitTick tick)
    {
        TaskFact fact = tick.Kind switch
        {
            LimitKind.Soft => new TaskFacts.SoftLimitReached(),
            LimitKind.Hard => new TaskFacts.HardLimitReached(),
            _ => new TaskFacts.QueueLimitReached(),
        };

        if (tick.Kind == LimitKind.Hard && _runningStage is not null)
        {
            return;   // Veo finished in time; only our download or save is left, and that is not the generation's time.
        }

        var decision = _task.Decide(fact, Now, _settings.Rules);
        if (decision.Events.Count == 0)
        {
            return;
        }

        if (tick.Kind != LimitKind.Soft)
        {
            ReleaseSlot();
            Timers.Cancel(PollTimer);
        }
        else
        {
            _log.Warning("Task {TaskId} passed the soft time limit of {LimitSeconds} s", TaskId, _settings.Rules.SoftTimeLimit.TotalSeconds);
        }

        Store(decision);
    }

    private enum LimitKind
    {
        Soft,
        Hard,
        Queue,
    }

    private sealed record LimitTick(LimitKind Kind) : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly LimitTick Soft = new(LimitKind.Soft);
        public static readonly LimitTick Hard = new(LimitKind.Hard);
        public static readonly LimitTick Queue = new(LimitKind.Queue);
    }
}
