using Akka.Actor;
using Akka.Event;
using Veo.Sdk.Akka.Generation;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Actors;

/// <summary>Slots: the task's place at the node's dispatcher, and what the dispatcher last told it about the queue.</summary>
internal sealed partial class VideoTaskActor
{
    /// <summary>The task is queued at the dispatcher (a grant may be on its way).</summary>
    private bool _awaitingGrant;

    /// <summary>The task holds one of the slots: it is starting or generating at Veo.</summary>
    private bool _holdsSlot;

    // The dispatcher's latest word: the expected duration of a generation of this model, and the queue.
    private ExpectedDuration _expected;
    private int? _queuePosition;
    private int _queueLength;
    private int _concurrency;

    private void RequestSlot(bool enforceQueueLimit, bool recovered)
    {
        _awaitingGrant = true;
        _dispatcher.Tell(new RequestSlot(TaskId, _task.Priority, _task.SubmittedAt ?? Now, _task.RetryNotBefore, _task.Model, enforceQueueLimit, recovered));
    }

    private void ReleaseSlot()
    {
        if (_holdsSlot || _awaitingGrant)
        {
            _dispatcher.Tell(new ReleaseSlot(TaskId));
        }

        _holdsSlot = false;
        _awaitingGrant = false;
    }

    private void OnSlotGranted(SlotGranted granted)
    {
        if (_holdsSlot)
        {
            return;   // a repeated grant of the slot we hold (we asked again after a restart of this actor)
        }

        if (!_awaitingGrant || _task.Phase is not (TaskPhase.Waiting or TaskPhase.Starting)
            || NodeLifecycle.IsShuttingDown(Context.System))
        {
            // Cancelled, timed out or ended while the grant was on its way, or the node is shutting down (persisting the
            // start intent now would leave an indeterminate start behind): hand the slot back.
            _dispatcher.Tell(new ReleaseSlot(TaskId));
            return;
        }

        _awaitingGrant = false;
        _holdsSlot = true;
        _expected = granted.Expected;
        Timers.Cancel(QueueLimitTimer);
        var decision = _task.Decide(new TaskFacts.SlotGranted(), Now, _settings.Rules);
        if (decision.Events.Count == 0)
        {
            ReleaseSlot();
            return;
        }

        // KEY PATTERN: the intent is stored before Veo is called; a crash after this line is the only duplicate window.
        Store(decision, () =>
        {
            if (decision.Events.Any(e => e is VideoTaskEvents.StartRequested { AfterIndeterminateStart: true }))
            {
                _log.Warning("Task {TaskId}: starting again after a crash inside the start call; Veo may run this generation twice", TaskId);
            }

            ArmTimeLimits(afterRecovery: false);
            CallStart();
            PushToWatchers();
        });
    }

    private void OnSlotReclaimed(SlotReclaimed reclaimed)
    {
        _holdsSlot = true;
        _expected = reclaimed.Expected;
        if (_task.Phase != TaskPhase.Running)
        {
            ReleaseSlot();
            return;
        }

        ArmTimeLimits(afterRecovery: true);
        var elapsed = Now - (_task.OperationStartedAt ?? Now);
        SchedulePoll(_settings.Polls.FirstDelay(_expected, elapsed));
    }

    private void RememberQueue(int? position, int queueLength, int concurrency, ExpectedDuration expected)
    {
        _queuePosition = position;
        _queueLength = queueLength;
        _concurrency = concurrency;
        _expected = expected;
    }
}
