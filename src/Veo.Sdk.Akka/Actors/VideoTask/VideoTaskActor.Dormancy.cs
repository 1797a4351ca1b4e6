using Akka.Actor;
using Veo.Sdk.Akka.Generation;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Dormancy: a task waiting far back in the queue (behind <c>Generation:LiveQueueLength</c>), watched by nobody and with
/// at least <c>Generation:DormantAfterIdleSeconds</c> to wait before the dispatcher would wake it (<see cref="DormancyPolicy"/>),
/// needs only its queue entry, not a mailbox, timers and state. With the dispatcher's consent it leaves memory; the
/// dispatcher keeps its place and wakes it through the shard region shortly before its slot comes (a status read or a
/// cancel wakes it too, from the journal).
/// </summary>
internal sealed partial class VideoTaskActor
{
    /// <summary>
    /// A new task admitted far back in the queue has no reader yet: it asks to leave memory at once, so a burst of submits
    /// does not keep a live actor per queued task for the idle time. If the dispatcher declines (the queue drains too fast
    /// for leaving to pay), it asks again whenever it has been idle that long. One woken later (a status read, a recovery)
    /// waits to be idle first.
    /// </summary>
    private void LeaveMemoryIfFarBack()
    {
        TryGoDormant();
        ArmDormancy();
    }

    /// <summary>Sets the idle time after which this task may go dormant, or clears it when it may not.</summary>
    private void ArmDormancy() => Context.SetReceiveTimeout(MayGoDormant ? _settings.DormantAfterIdle : null);

    private bool MayGoDormant =>
        _task.Phase == TaskPhase.Waiting
        && _awaitingGrant
        && !_holdsSlot
        && _queuePosition is { } position
        && DormancyPolicy.SleepsLongEnough(position, _settings.LiveQueueLength, _concurrency, _expected.Duration, _settings.DormantAfterIdle)
        && _watchers.Count == 0
        && _pendingSubmitter is null
        && _submitterAwaitingRow is null
        && _task.RetryNotBefore is null
        && _settings.Rules.QueueTimeLimit is null;   // its timer would leave with it

    /// <summary>Idle while waiting: ask the dispatcher to keep the place without us.</summary>
    private bool TryGoDormant()
    {
        if (!MayGoDormant)
        {
            return false;
        }

        _dispatcher.Tell(new GoDormant(TaskId, _queuePosition!.Value));
        return true;
    }

    private void OnDormancyAccepted()
    {
        if (MayGoDormant)
        {
            Passivate();
            return;
        }

        // Something changed on the way (a watcher came, the task was cancelled): stay, and be counted again.
        Context.SetReceiveTimeout(null);
        if (_awaitingGrant && !_holdsSlot)
        {
            RequestSlot(enforceQueueLimit: false, recovered: true);
        }
    }
}
