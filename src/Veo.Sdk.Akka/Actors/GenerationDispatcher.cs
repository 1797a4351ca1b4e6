using Akka.Actor;
using Akka.Cluster;
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
/// The book is rebuilt from the tasks, never stored. When it starts (the cluster starts, or it takes over from a node that
/// left or was lost) it reads the open-task table and wakes every unfinished task it has not heard from; until each has
/// reported its slot or its place (or that it is not open after all), it grants nothing, so a task still generating at
/// Veo is always counted before a waiting one starts. A task also watches the dispatcher that answered it and tells the
/// next one at once. A holder whose actor stops without giving its slot back keeps it counted (<see cref="SlotBook.Park"/>)
/// until the task comes back elsewhere, since its generation may still run at Veo; when another node is removed, its
/// unfinished tasks are woken on the survivors.
/// </remarks>
internal sealed class GenerationDispatcher : ReceiveActor, IWithTimers
{
    private const string WakeTimer = "wake";
    private const string WalkTimer = "walk";
    private const string PrefetchTimer = "prefetch";

    /// <summary>A dormant task granted a slot is woken; if it has not come for the slot by then, the slot is free again.</summary>
    private static readonly TimeSpan DormantWakeLimit = TimeSpan.FromSeconds(30);

    /// <summary>Dormant tasks near the front are woken at most this often, in one pass, instead of at every grant.</summary>
    private static readonly TimeSpan PrefetchInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>When a node is removed its shards move; the region learns the new homes within a second or so, and a second walk catches what the first was too early for.</summary>
    private static readonly TimeSpan[] WalksAfterNodeRemoved = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6)];

    private static readonly TimeSpan UnreadableWalkRetry = TimeSpan.FromSeconds(1);

    private readonly SlotBook _book;
    private readonly DurationWindow _durations;
    private readonly VeoGenerationMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly OpenTaskSource? _openTasks;
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _byRef = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _reportHold;
    private readonly TimeSpan _parkedSlotGrace;
    private readonly int _liveQueueLength;
    private readonly TimeSpan _minimumDormancy;
    private readonly GrantRate _grants;

    /// <summary>Waiting tasks that left memory (value: already woken ahead of their slot); their queue entries stay in the book.</summary>
    private readonly Dictionary<string, bool> _dormant = new(StringComparer.Ordinal);

    private int _dormantAsleep;
    private bool _prefetchScheduled;

    /// <summary>The shard region that wakes tasks (known once the first walk has read it).</summary>
    private IActorRef? _region;

    private DateTimeOffset? _wakeAt;

    /// <summary>Grants wait (until <see cref="_holdUntil"/> at most) while the first walk is unread or its tasks are unreported.</summary>
    private bool _firstWalkPending;

    /// <summary>The open tasks of the first walk not heard from yet.</summary>
    private HashSet<string>? _unreported;

    private DateTimeOffset _holdUntil = DateTimeOffset.MinValue;

    public GenerationDispatcher(EngineSettings settings, VeoGenerationMetrics metrics, TimeProvider clock, OpenTaskSource? openTasks = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _book = new SlotBook(settings.MaxConcurrency, settings.MaxQueueLength, settings.QuotaRecoveryInterval);
        _durations = new DurationWindow(settings.DefaultExpectedDuration);
        _reportHold = settings.RecoveryHold;
        _parkedSlotGrace = settings.StartCallTimeout;
        _liveQueueLength = settings.LiveQueueLength;
        _minimumDormancy = settings.DormantAfterIdle;

        // Two waves of the whole budget: slots come free in waves as generations of one length end together, and a wave's
        // burst of grants is not the queue's pace.
        _grants = new GrantRate(Math.Max(GrantRate.DefaultWindow, 2 * settings.MaxConcurrency));
        _metrics = metrics;
        _clock = clock;
        _openTasks = openTasks;

        Receive<RequestSlot>(OnRequest);
        Receive<ReclaimSlot>(OnReclaim);
        Receive<ReleaseSlot>(r =>
        {
            Awake(r.TaskId);
            Forget(r.TaskId);
            Reported(r.TaskId);
        });
        Receive<TaskNotOpen>(n =>
        {
            Awake(n.TaskId);
            Reported(n.TaskId);
        });
        Receive<GoDormant>(OnGoDormant);
        Receive<Prefetch>(_ =>
        {
            _prefetchScheduled = false;
            WakeDormantNearFront();
        });
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

        Receive<Walk>(w => StartWalk(w.First));
        Receive<OpenTasksListed>(OnOpenTasksListed);
        Receive<OpenTasksUnreadable>(u =>
        {
            _log.Warning("The open tasks could not be read ({Reason}); trying again in {Seconds} s", u.Cause.Message, UnreadableWalkRetry.TotalSeconds);
            Timers.StartSingleTimer(WalkTimer + (u.First ? "-first" : "-again"), new Walk(u.First), UnreadableWalkRetry);
        });
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            // Its tasks stopped with it (the engine does not use remember-entities): wake them where their shards go.
            _log.Info("Node {Address} was removed: waking its unfinished tasks on the nodes that remain", removed.Member.Address);
            for (var i = 0; i < WalksAfterNodeRemoved.Length; i++)
            {
                Timers.StartSingleTimer(WalkTimer + "-removed-" + i, new Walk(First: false), WalksAfterNodeRemoved[i]);
            }
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });

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
        if (_openTasks is null)
        {
            return;
        }

        if (_reportHold > TimeSpan.Zero)
        {
            _firstWalkPending = true;
            _holdUntil = Now + _reportHold;
        }

        StartWalk(first: true);
        if (IsClustered)
        {
            Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
        }
    }

    protected override void PostStop()
    {
        if (_openTasks is not null && IsClustered)
        {
            Cluster.Get(Context.System).Unsubscribe(Self);
        }

        base.PostStop();
    }

    private static bool IsClustered => Context.System.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal);

    private void StartWalk(bool first)
    {
        var source = _openTasks!;
        Walk().PipeTo(Self, failure: ex => new OpenTasksUnreadable(ex is AggregateException a ? a.GetBaseException() : ex, first));

        async Task<OpenTasksListed> Walk()
        {
            var region = await source.RegionAsync().ConfigureAwait(false);
            var open = await source.ListAsync().ConfigureAwait(false);
            return new OpenTasksListed(open, region, first);
        }
    }

    /// <summary>
    /// Wakes every open task this dispatcher does not know alive (a parked holder included: its actor stopped). On the first
    /// walk, the ones not heard from yet must report before anything is granted.
    /// </summary>
    private void OnOpenTasksListed(OpenTasksListed listed)
    {
        var woken = 0;
        HashSet<string>? unreported = listed.First ? new(StringComparer.Ordinal) : null;
        _region ??= listed.Region;
        foreach (var taskId in listed.TaskIds)
        {
            if (_members.ContainsKey(taskId) || _dormant.ContainsKey(taskId) || !VideoTaskId.TryParse(taskId, out var id, out _))
            {
                continue;
            }

            if (unreported is not null && !_book.IsHolding(taskId))
            {
                unreported.Add(taskId);
            }

            listed.Region.Tell(new VideoTaskCommands.Wake(id));
            woken++;
        }

        if (listed.First)
        {
            _firstWalkPending = false;
            _unreported = unreported is { Count: > 0 } && Now < _holdUntil ? unreported : null;
            _log.Info(
                "Generation dispatcher started: {Open} open tasks, {Woken} woken; grants wait for {Unreported} of them to report (at most {HoldSeconds} s)",
                listed.TaskIds.Count,
                woken,
                _unreported?.Count ?? 0,
                _reportHold.TotalSeconds);
        }
        else if (woken > 0)
        {
            _log.Info("Woke {Woken} open tasks not known alive", woken);
        }

        GrantFreeSlots();
    }

    /// <summary>A task of the first walk was heard from.</summary>
    private void Reported(string taskId)
    {
        if (_unreported is not null && _unreported.Remove(taskId) && _unreported.Count == 0)
        {
            _unreported = null;
            GrantFreeSlots();
        }
    }

    private DateTimeOffset Now => _clock.GetUtcNow();

    private void OnRequest(RequestSlot request)
    {
        Awake(request.TaskId);
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
                Reported(request.TaskId);
                GrantFreeSlots();
                return;
        }
    }

    private void OnReclaim(ReclaimSlot reclaim)
    {
        Awake(reclaim.TaskId);
        _book.Reclaim(reclaim.TaskId);
        Track(reclaim.TaskId, reclaim.Model, Sender);
        Sender.Tell(new SlotReclaimed(reclaim.TaskId, _durations.Expected(reclaim.Model)));
        Publish();
        Reported(reclaim.TaskId);
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
        Reported(quota.TaskId);

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
        if ((_firstWalkPending || _unreported is not null) && now < _holdUntil)
        {
            Timers.StartSingleTimer(WakeTimer, Wake.Instance, _holdUntil - now);
            _wakeAt = _holdUntil;
            Publish();
            return;
        }

        if (_unreported is not null)
        {
            _log.Warning("{Count} open tasks did not report within {HoldSeconds} s (for example {TaskId}); granting slots anyway: one that turns out to be generating at Veo is counted above the budget", _unreported.Count, _reportHold.TotalSeconds, _unreported.First());
            _unreported = null;
        }

        if (_firstWalkPending)
        {
            _log.Warning("The open tasks could not be read within {HoldSeconds} s; granting slots before the walk has woken them", _reportHold.TotalSeconds);
            _firstWalkPending = false;
        }

        foreach (var taskId in _book.Grant(now))
        {
            _grants.Granted(now, waitersLeft: _book.Waiting > 0);
            if (_members.TryGetValue(taskId, out var member))
            {
                member.Ref.Tell(new SlotGranted(taskId, _durations.Expected(member.Model)));
            }
            else if (_region is not null && Awake(taskId))
            {
                // Its slot is kept while it recovers; it asks again and finds the slot its own.
                _region.Tell(new VideoTaskCommands.Wake(VideoTaskId.Parse(taskId)));
                _book.Park(taskId, now + DormantWakeLimit);
            }
            else
            {
                // Nobody to tell (cannot happen while Track precedes every Request); do not leak the slot.
                _book.Release(taskId);
            }
        }

        ScheduleWake(now);
        if (_dormantAsleep > 0 && !_prefetchScheduled)
        {
            _prefetchScheduled = true;
            Timers.StartSingleTimer(PrefetchTimer, Prefetch.Instance, PrefetchInterval);
        }

        Publish();
    }

    private void OnGoDormant(GoDormant dormant)
    {
        // Only a waiting task this dispatcher can wake again; otherwise no answer, and it stays.
        if (_region is null || _liveQueueLength <= 0 || !_book.IsWaiting(dormant.TaskId) || !_members.ContainsKey(dormant.TaskId))
        {
            return;
        }

        // The task's estimate comes from its model's durations; the pace of the last grants may tell that it would be woken
        // again before leaving paid for its recovery.
        if (_grants.TimeToDrain(dormant.Position - _liveQueueLength, Now) is { } sleep && sleep < _minimumDormancy)
        {
            return;
        }

        Untrack(dormant.TaskId);
        _dormant[dormant.TaskId] = false;
        _dormantAsleep++;
        Sender.Tell(new DormancyAccepted(dormant.TaskId));
    }

    /// <summary>The task is (or is being brought) back in memory; whether it was dormant.</summary>
    private bool Awake(string taskId)
    {
        if (!_dormant.Remove(taskId, out var woken))
        {
            return false;
        }

        if (!woken)
        {
            _dormantAsleep--;
        }

        return true;
    }

    /// <summary>Wakes the dormant tasks among the first <c>LiveQueueLength</c> waiting, so they are in memory before their slot comes.</summary>
    private void WakeDormantNearFront()
    {
        if (_dormantAsleep == 0 || _region is null)
        {
            return;
        }

        var seen = 0;
        foreach (var taskId in _book.WaitingInOrder())
        {
            if (++seen > _liveQueueLength || _dormantAsleep == 0)
            {
                break;
            }

            if (_dormant.TryGetValue(taskId, out var woken) && !woken)
            {
                _dormant[taskId] = true;
                _dormantAsleep--;
                _region.Tell(new VideoTaskCommands.Wake(VideoTaskId.Parse(taskId)));
            }
        }
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

    private sealed record Walk(bool First) : INoSerializationVerificationNeeded;

    private sealed class Prefetch : INoSerializationVerificationNeeded
    {
        public static readonly Prefetch Instance = new();
    }

    private sealed record OpenTasksListed(IReadOnlyList<string> TaskIds, IActorRef Region, bool First) : INoSerializationVerificationNeeded;

    private sealed record OpenTasksUnreadable(Exception Cause, bool First) : INoSerializationVerificationNeeded;

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
