using Akka.Actor;
using Akka.Event;
using Veo.Sdk.Akka.Diagnostics;
using Veo.Sdk.Akka.Generation;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Owns the cluster's generation slots (<c>Generation:MaxConcurrency</c>: generations at Veo at once, across every node,
/// since Google's quota is per project) and the queue of tasks waiting for one. It runs as a cluster singleton on the
/// oldest node; tasks on every node reach it through a proxy. Work is pulled: a task asks once, waits in order (priority
/// lane, then submission time), and is granted exactly one slot when one is free — nothing piles up in a worker's mailbox
/// (Celery's prefetch=1). Slots change hands in memory, never behind a journal write. It also keeps the recent generation
/// durations per model that estimates and polling use.
/// </summary>
/// <remarks>
/// The book is rebuilt from the tasks, never stored: a task watches the dispatcher that answered it and, when that one is
/// gone (its node was lost or left), tells the next one what it holds or waits for. A holder whose actor stops without
/// giving its slot back keeps it counted (<see cref="SlotBook.Park"/>) until the task comes back elsewhere, since its
/// generation may still run at Veo; a new dispatcher that takes over a running cluster grants nothing until the tasks
/// have had time to come back.
/// </remarks>
internal sealed class GenerationDispatcher : ReceiveActor, IWithTimers
{
    private const string WakeTimer = "wake";

    private readonly SlotBook _book;
    private readonly DurationWindow _durations;
    private readonly VeoGenerationMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _byRef = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _recoveryHold;
    private readonly TimeSpan _parkedSlotGrace;
    private DateTimeOffset? _wakeAt;
    private DateTimeOffset _holdStartedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _holdUntil = DateTimeOffset.MinValue;

    private readonly NodeUptime? _uptime;

    public GenerationDispatcher(EngineSettings settings, VeoGenerationMetrics metrics, TimeProvider clock, NodeUptime? uptime = null)
    {
        _uptime = uptime;
        ArgumentNullException.ThrowIfNull(settings);
        _book = new SlotBook(settings.MaxConcurrency, settings.MaxQueueLength, settings.QuotaRecoveryInterval);
        _durations = new DurationWindow(settings.DefaultExpectedDuration);
        _recoveryHold = settings.RecoveryHold;
        _parkedSlotGrace = settings.StartCallTimeout;
        _metrics = metrics;
        _clock = clock;

        Receive<RequestSlot>(OnRequest);
        Receive<ReclaimSlot>(OnReclaim);
        Receive<ReleaseSlot>(r => Forget(r.TaskId));
        Receive<QuotaExceeded>(OnQuotaExceeded);
        Receive<GenerationObserved>(g => _durations.Observe(g.Model, g.Duration));
        Receive<GetQueueInfo>(q => Sender.Tell(new QueueInfo(q.TaskId, _book.PositionOf(q.TaskId), _book.Waiting, _book.Limit, _durations.Expected(q.Model))));
        Receive<GetState>(_ => Sender.Tell(new State(_book.Capacity, _book.Limit, _book.InUse, _book.Waiting, _book.MaxInUse, _book.QuotaDecreases, [.. _book.Holders], _book.Parked)));
        Receive<Wake>(_ =>
        {
            _wakeAt = null;
            if (_book.Recover(Now))
            {
                _log.Info("Veo quota back-off easing: {Limit} of {Capacity} generations may start at once", _book.Limit, _book.Capacity);
            }

            foreach (var taskId in _book.ReleaseExpiredParked(Now))
            {
                _log.Warning("Task {TaskId} held a slot when its actor stopped and has not come back within {GraceSeconds} s; its slot is free again", taskId, _parkedSlotGrace.TotalSeconds);
            }

            GrantFreeSlots();
        });

        // A task that stops while waiting gives its place back (it asks again, in its old place, when it comes back). One
        // that stops holding a slot without giving it back may still be generating at Veo — its node was lost, its shard
        // is moving — so the slot stays counted until the task comes back or the longest a start call can take has passed.
        Receive<Terminated>(t =>
        {
            if (!_byRef.TryGetValue(t.ActorRef, out var taskId))
            {
                return;
            }

            if (_book.IsHolding(taskId))
            {
                Untrack(taskId);
                _book.Park(taskId, Now + _parkedSlotGrace);
                ScheduleWake(Now);
                Publish();
            }
            else
            {
                Forget(taskId);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        // Taking over from a dispatcher on a node that left or was lost: the tasks that held slots there tell this one so
        // as they notice (at once for live tasks, after recovery on another node for the lost node's), and until they have,
        // a grant could put more generations at Veo than the budget.
        if (_uptime?.UpLongerThanThreshold(DateTimeOffset.UtcNow) == true)
        {
            _log.Info("Generation dispatcher taking over a running cluster: grants wait up to {HoldSeconds} s for tasks to report their slots", (_recoveryHold * 4).TotalSeconds);
            HoldForRecovery(takeover: true);
        }
    }

    private DateTimeOffset Now => _clock.GetUtcNow();

    private void OnRequest(RequestSlot request)
    {
        if (request.Recovered)
        {
            HoldForRecovery();
        }

        var outcome = _book.Request(request.TaskId, request.Priority, request.SubmittedAt, request.NotBefore, request.EnforceQueueLimit);
        switch (outcome)
        {
            case SlotRequestOutcome.QueueFull:
                Sender.Tell(new QueueIsFull(request.TaskId, _book.MaxQueueLength, RetryAfterFullQueue(request.Model)));
                return;

            case SlotRequestOutcome.AlreadyHolding:
                // The task's actor restarted while holding a slot and asks again: the slot is still its own.
                Track(request.TaskId, request.Model, Sender);
                Sender.Tell(new SlotGranted(request.TaskId, _durations.Expected(request.Model)));
                return;

            default:
                Track(request.TaskId, request.Model, Sender);
                Sender.Tell(new SlotQueued(request.TaskId, _book.PositionOf(request.TaskId), _book.Waiting, _book.Limit, _durations.Expected(request.Model)));
                GrantFreeSlots();
                return;
        }
    }

    private void OnReclaim(ReclaimSlot reclaim)
    {
        HoldForRecovery();
        _book.Reclaim(reclaim.TaskId);
        Track(reclaim.TaskId, reclaim.Model, Sender);
        Sender.Tell(new SlotReclaimed(reclaim.TaskId, _durations.Expected(reclaim.Model)));
        Publish();
    }

    private void OnQuotaExceeded(QuotaExceeded quota)
    {
        if (_book.QuotaExceeded(quota.TaskId, quota.Priority, quota.SubmittedAt, quota.RetryAt, Now))
        {
            _metrics.QuotaBackedOff();
            _log.Warning("Veo refused a start for quota with {InUse} generations running or starting; {Limit} of {Capacity} may start at once for a while", _book.InUse, _book.Limit, _book.Capacity);
        }

        Track(quota.TaskId, quota.Model, Sender);
        Sender.Tell(new SlotQueued(quota.TaskId, _book.PositionOf(quota.TaskId), _book.Waiting, _book.Limit, _durations.Expected(quota.Model)));

        GrantFreeSlots();
    }

    private void Forget(string taskId)
    {
        Untrack(taskId);
        if (_book.Release(taskId))
        {
            GrantFreeSlots();
        }
    }

    private void Untrack(string taskId)
    {
        if (_members.Remove(taskId, out var member))
        {
            _byRef.Remove(member.Ref);
            Context.Unwatch(member.Ref);
        }
    }

    private void Track(string taskId, string model, IActorRef taskRef)
    {
        if (_members.TryGetValue(taskId, out var existing))
        {
            if (existing.Ref.Equals(taskRef))
            {
                return;
            }

            _byRef.Remove(existing.Ref);
            Context.Unwatch(existing.Ref);
        }

        _members[taskId] = new Member(taskRef, model);
        _byRef[taskRef] = taskId;
        Context.Watch(taskRef);
    }

    /// <summary>
    /// Tasks come back after a restart or rebalance in no particular order. Waiting ones must not take slots before the
    /// ones still generating at Veo have reclaimed theirs, or more than the capacity would run at Veo. So while recovered
    /// tasks keep arriving, grants pause: until a short quiet spell, and never longer than four spells in all.
    /// </summary>
    /// <remarks>A takeover holds for the whole four spells at once: the lost node's tasks come back only after their shards have moved.</remarks>
    private void HoldForRecovery(bool takeover = false)
    {
        if (_recoveryHold <= TimeSpan.Zero)
        {
            return;
        }

        var now = Now;
        if (now >= _holdUntil)
        {
            _holdStartedAt = now;
        }

        var cap = _holdStartedAt + _recoveryHold * 4;
        var until = takeover ? cap : now + _recoveryHold;
        _holdUntil = until < cap ? until : cap;
    }

    private void GrantFreeSlots()
    {
        // While the node shuts down, its tasks are being handed off; a slot granted now would persist a start intent that
        // the stopping task cannot carry out, and the task would come back as INDETERMINATE_START. Waiting tasks keep
        // their place instead and ask again on the node that hosts them next.
        if (NodeLifecycle.IsShuttingDown(Context.System))
        {
            return;
        }

        var now = Now;
        if (now < _holdUntil)
        {
            Timers.StartSingleTimer(WakeTimer, Wake.Instance, _holdUntil - now);
            _wakeAt = _holdUntil;
            Publish();
            return;
        }

        foreach (var taskId in _book.Grant(now))
        {
            if (_members.TryGetValue(taskId, out var member))
            {
                member.Ref.Tell(new SlotGranted(taskId, _durations.Expected(member.Model)));
            }
            else
            {
                // Nobody to tell (cannot happen while Track precedes every Request); do not leak the slot.
                _book.Release(taskId);
            }
        }

        ScheduleWake(now);
        Publish();
    }

    /// <summary>Wakes up for the next quota retry time, limit recovery step or parked slot expiry, whichever comes first.</summary>
    private void ScheduleWake(DateTimeOffset now)
    {
        var next = Earliest(Earliest(_book.NextEligibleAt(now), _book.NextRecoveryAt), _book.NextParkExpiry);
        if (next is null)
        {
            return;
        }

        if (_wakeAt is { } scheduled && scheduled <= next && scheduled > now)
        {
            return;
        }

        _wakeAt = next;
        var delay = next.Value - now;
        Timers.StartSingleTimer(WakeTimer, Wake.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.FromMilliseconds(1));
    }

    private TimeSpan RetryAfterFullQueue(string model)
    {
        // About the time for one wave of the running generations to end and make room.
        var expected = _durations.Expected(model).Duration;
        return expected > TimeSpan.FromSeconds(1) ? expected : TimeSpan.FromSeconds(1);
    }

    private void Publish() => _metrics.SlotsChanged(_book.InUse, _book.Waiting, _book.Limit, _book.MaxInUse);

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b)
        => a is null ? b : b is null ? a : a < b ? a : b;

    private sealed record Member(IActorRef Ref, string Model);

    private sealed class Wake : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly Wake Instance = new();
    }
}

/// <summary>
/// The dispatcher's parent and front door (tasks talk to it; it forwards, so replies and watches go to the tasks
/// themselves). The slot book is the only record of who holds a slot and who waits in which order, so a failure while
/// handling one message must not wipe it: the dispatcher is resumed (that message is dropped), never restarted.
/// </summary>
internal sealed class GenerationDispatcherGuardian : ReceiveActor
{
    public GenerationDispatcherGuardian(Props dispatcherProps)
    {
        var dispatcher = Context.ActorOf(dispatcherProps, "dispatcher");
        ReceiveAny(message => dispatcher.Forward(message));
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Resume);
}
