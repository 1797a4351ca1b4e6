using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Ending and passivation: an ended task cancels its timers, tells its watchers, and leaves memory once it is idle and
/// nothing of it is in flight; passivation goes through the shard, which buffers messages for the next incarnation.
/// </summary>
internal sealed partial class VideoTaskActor
{
    private bool _passivating;

    private void OnEnded()
    {
        CancelTimeLimits();
        Timers.Cancel(QueueLimitTimer);
        Timers.Cancel(IoRetryTimer);
        _runningStage = null;
        var state = _task.Phase switch
        {
            TaskPhase.Succeeded => VideoTaskState.Success,
            TaskPhase.Failed => VideoTaskState.Failure,
            _ => VideoTaskState.Revoked,
        };
        _services.Metrics.TaskEnded(state);
        CloseOpenRow();
        if (state == VideoTaskState.Failure)
        {
            _log.Warning("Task {TaskId} failed: {ErrorCode} {Reason}", TaskId, _task.Error?.Code, _task.Error?.Message);
        }

        PushToWatchers();
        Stash.UnstashAll();
        ScheduleIdlePassivation();
    }

    /// <summary>
    /// An ended task stays a little while for status reads, then passivates. A revoked
    /// task still generating at Veo keeps polling until Veo is done, so that its slot stays counted until then.
    /// </summary>
    private void ScheduleIdlePassivation() => Context.SetReceiveTimeout(_settings.EndedTaskIdle);

    private void OnIdle()
    {
        if (TryGoDormant())
        {
            return;
        }

        if (!_task.Exists)
        {
            Passivate();
            return;
        }

        if (_task.HasEnded && !_holdsSlot && !_pollInFlight && !_transferInFlight)
        {
            Passivate();
        }
    }

    private void PassivateIfUnknown()
    {
        if (!_task.Exists && _pendingSubmitter is null)
        {
            Passivate();
        }
    }

    private void Passivate()
    {
        if (_passivating)
        {
            return;
        }

        _passivating = true;
        Context.SetReceiveTimeout(null);
        Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    protected override void PostStop()
    {
        // Stops waiting for Veo (not the generation itself); the next incarnation resumes from the journal.
        _io.Cancel();
        _io.Dispose();
        base.PostStop();
    }
}
