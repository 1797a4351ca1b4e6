using Akka.Actor;
using Akka.Event;
using Veo.Sdk.Akka.Generation;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Slots: the task's place at the cluster's dispatcher, and what the dispatcher last told it about the queue. The
/// dispatcher keeps no record of its own: the task watches the one that answered it and tells the next one (after a node
/// loss or hand-over) what it holds or waits for, and asks again when a request of its own went unanswered.
/// </summary>
internal sealed partial class VideoTaskActor
{
    private const string RegistrationTimer = "dispatcher-registration";

    /// <summary>The first wait for the dispatcher's answer before asking again; doubled each time up to <see cref="LongestRegistrationWait"/>.</summary>
    private static readonly TimeSpan FirstRegistrationWait = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan LongestRegistrationWait = TimeSpan.FromSeconds(16);

    /// <summary>The dispatcher that answered last (watched), or <see langword="null"/> before the first answer.</summary>
    private IActorRef? _dispatcherSeen;

    /// <summary>A request or reclaim is on its way and unanswered; asked again after this wait.</summary>
    private TimeSpan? _registrationWait;

    /// <summary>Recovery found the task generating at Veo and reported it; the dispatcher has not answered yet.</summary>
    private bool _reclaimPending;

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
        AwaitRegistration();
    }

    /// <summary>Counts this task as a holder at the dispatcher: recovery found it generating at Veo, or a new dispatcher must learn of its slot.</summary>
    private void ReclaimSlot()
    {
        _reclaimPending = !_holdsSlot;
        _dispatcher.Tell(new ReclaimSlot(TaskId, _task.Model));
        AwaitRegistration();
    }

    private void AwaitRegistration()
    {
        _registrationWait ??= FirstRegistrationWait;
        Timers.StartSingleTimer(RegistrationTimer, RegistrationUnanswered.Instance, _registrationWait.Value);
    }

    /// <summary>The wait that ran out, with the next one doubled (up to <see cref="LongestRegistrationWait"/>); <see langword="null"/> when nothing waits for an answer.</summary>
    private TimeSpan? BackOffRegistration()
    {
        if (_registrationWait is not { } waited)
        {
            return null;
        }

        _registrationWait = waited * 2 < LongestRegistrationWait ? waited * 2 : LongestRegistrationWait;
        return waited;
    }

    /// <summary>An answer of the dispatcher: the registration arrived, and this is the dispatcher to watch.</summary>
    private void DispatcherAnswered(IActorRef dispatcher)
    {
        if (_registrationWait is not null)
        {
            _registrationWait = null;
            Timers.Cancel(RegistrationTimer);
        }

        if (dispatcher.Equals(_dispatcherSeen) || dispatcher.IsNobody() || dispatcher.Equals(Context.System.DeadLetters))
        {
            return;
        }

        if (_dispatcherSeen is not null)
        {
            Context.Unwatch(_dispatcherSeen);
        }

        _dispatcherSeen = dispatcher;
        Context.Watch(dispatcher);
    }

    /// <summary>The request or reclaim went unanswered (lost with a node, or dropped while the dispatcher moved): ask again.</summary>
    private void OnRegistrationUnanswered()
    {
        if (BackOffRegistration() is not { } waited)
        {
            return;
        }

        Register("its request was not answered in " + waited.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s");
    }

    /// <summary>The dispatcher that knew this task is gone: tell the one that takes over.</summary>
    private void OnDispatcherLost()
    {
        _dispatcherSeen = null;
        Register("the dispatcher it reported to is gone");
    }

    private void Register(string why)
    {
        if (_holdsSlot)
        {
            _log.Info("Task {TaskId}: reporting its slot to the dispatcher again, {Reason}", TaskId, why);
            ReclaimSlot();
        }
        else if (_awaitingGrant)
        {
            _log.Info("Task {TaskId}: asking the dispatcher for a slot again, {Reason}", TaskId, why);
            RequestSlot(enforceQueueLimit: false, recovered: true);
        }
        else if (_reclaimPending && _task.Phase is TaskPhase.Running or TaskPhase.Starting)
        {
            ReclaimSlot();   // the reclaim of recovery itself went unanswered
        }
        else
        {
            _registrationWait = null;
        }
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
        DispatcherAnswered(Sender);
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
        Context.SetReceiveTimeout(null);
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
        DispatcherAnswered(Sender);
        if (_holdsSlot)
        {
            return;   // a new dispatcher now counts the slot we hold; nothing else changes
        }

        if (!_reclaimPending)
        {
            // A late answer to a reclaim asked twice, after the slot was given back: it is not ours to hold.
            _dispatcher.Tell(new ReleaseSlot(TaskId));
            return;
        }

        _reclaimPending = false;

        _holdsSlot = true;
        _expected = reclaimed.Expected;
        if (_task.Phase == TaskPhase.Starting)
        {
            return;   // recovered inside its start call: the slot stays counted while its start receipt decides
        }

        if (_task.Phase != TaskPhase.Running)
        {
            ReleaseSlot();
            return;
        }

        ResumePolling();
    }

    /// <summary>A recovered task generating at Veo holds its slot again: arm its limits and poll the same operation.</summary>
    private void ResumePolling()
    {
        ArmTimeLimits(afterRecovery: true);
        var elapsed = Now - (_task.OperationStartedAt ?? Now);
        SchedulePoll(_settings.Polls.FirstDelay(_expected, elapsed));
    }

    private void OnSlotQueued(SlotQueued queued)
    {
        DispatcherAnswered(Sender);
        RememberQueue(queued.Position, queued.QueueLength, queued.Concurrency, queued.Expected);
        if (_task.Phase == TaskPhase.Waiting)
        {
            ArmDormancy();
        }
    }

    private void RememberQueue(int? position, int queueLength, int concurrency, ExpectedDuration expected)
    {
        _queuePosition = position;
        _queueLength = queueLength;
        _concurrency = concurrency;
        _expected = expected;
    }

    private sealed class RegistrationUnanswered : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly RegistrationUnanswered Instance = new();
    }
}
