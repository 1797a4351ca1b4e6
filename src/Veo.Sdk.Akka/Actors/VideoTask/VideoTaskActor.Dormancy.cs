using Akka.Actor;
using Veo.Sdk.Akka.Generation;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Dormancy: a task waiting far back in the queue (behind <c>Generation:LiveQueueLength</c>), asked nothing for a few
/// seconds and watched by nobody, needs only its queue entry, not a mailbox, timers and state. With the dispatcher's
/// consent it leaves memory; the dispatcher keeps its place and wakes it through the shard region shortly before its slot
/// comes (a status read or a cancel wakes it too, from the journal).
/// </summary>
internal sealed partial class VideoTaskActor
{
    /// <summary>
    /// A new task admitted far back in the queue has no reader yet: it leaves memory at once, so a burst of submits does not
    /// keep a live actor per queued task even for a moment. One woken later (a status read, a recovery) waits to be idle.
    /// </summary>
    private void LeaveMemoryIfFarBack()
    {
        if (!TryGoDormant())
        {
            ArmDormancy();
        }
    }

    /// <summary>Sets the idle time after which this task may go dormant, or clears it when it may not.</summary>
    private void ArmDormancy() => Context.SetReceiveTimeout(MayGoDormant ? _settings.DormantAfterIdle : null);

    private bool MayGoDormant =>
        _settings.LiveQueueLength > 0
        && _task.Phase == TaskPhase.Waiting
        && _awaitingGrant
        && !_holdsSlot
        && _queuePosition > _settings.LiveQueueLength
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

        _dispatcher.Tell(new GoDormant(TaskId));
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
