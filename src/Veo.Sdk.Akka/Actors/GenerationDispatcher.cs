using Akka.Actor;
using Akka.Event;
using Veo.Sdk.Akka.Diagnostics;
using Veo.Sdk.Akka.Generation;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Owns this node's generation slots (<c>Generation:MaxConcurrency</c>) and the queue of tasks waiting for one. Work is
/// pulled: a task asks once, waits in order (priority lane, then submission time), and is granted exactly one slot when
/// one is free — nothing piles up in a worker's mailbox (Celery's prefetch=1). Slots change hands in memory, never behind
/// a journal write. It also keeps the recent generation durations per model that estimates and polling use.
/// </summary>
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
    private DateTimeOffset? _wakeAt;

    public GenerationDispatcher(EngineSettings settings, VeoGenerationMetrics metrics, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _book = new SlotBook(settings.MaxConcurrency, settings.MaxQueueLength, settings.QuotaRecoveryInterval);
        _durations = new DurationWindow(settings.DefaultExpectedDuration);
        _metrics = metrics;
        _clock = clock;

        Receive<RequestSlot>(OnRequest);
        Receive<ReclaimSlot>(OnReclaim);
        Receive<ReleaseSlot>(r => Forget(r.TaskId));
        Receive<QuotaExceeded>(OnQuotaExceeded);
        Receive<GenerationObserved>(g => _durations.Observe(g.Model, g.Duration));
        Receive<GetQueueInfo>(q => Sender.Tell(new QueueInfo(q.TaskId, _book.PositionOf(q.TaskId), _book.Waiting, _book.Limit, _durations.Expected(q.Model), q.Correlation)));
        Receive<GetState>(_ => Sender.Tell(new State(_book.Capacity, _book.Limit, _book.InUse, _book.Waiting, _book.MaxInUse, _book.QuotaDecreases, [.. _book.Holders])));
        Receive<Wake>(_ =>
        {
            _wakeAt = null;
            if (_book.Recover(Now))
            {
                _log.Info("Veo quota back-off easing: {0} of {1} generations may start at once", _book.Limit, _book.Capacity);
            }

            GrantFreeSlots();
        });

        // A task that stops while waiting or holding a slot (crash, passivation, node shutdown) gives its place back.
        Receive<Terminated>(t =>
        {
            if (_byRef.TryGetValue(t.ActorRef, out var taskId))
            {
                Forget(taskId);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => _clock.GetUtcNow();

    private void OnRequest(RequestSlot request)
    {
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
        _book.Reclaim(reclaim.TaskId);
        Track(reclaim.TaskId, reclaim.Model, Sender);
        Sender.Tell(new SlotReclaimed(reclaim.TaskId, _durations.Expected(reclaim.Model)));
        Publish();
    }

    private void OnQuotaExceeded(QuotaExceeded quota)
    {
        var before = _book.Limit;
        _book.QuotaExceeded(quota.TaskId, quota.Priority, quota.SubmittedAt, quota.RetryAt, Now, quota.RetryDelay);
        if (_book.Limit < before)
        {
            _log.Warning("Veo refused a start for quota; {0} of {1} generations may start at once for a while", _book.Limit, _book.Capacity);
        }

        GrantFreeSlots();
    }

    private void Forget(string taskId)
    {
        if (_members.Remove(taskId, out var member))
        {
            _byRef.Remove(member.Ref);
            Context.Unwatch(member.Ref);
        }

        if (_book.Release(taskId))
        {
            GrantFreeSlots();
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
        var now = Now;
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

    /// <summary>Wakes up for the next quota retry time or limit recovery step, whichever comes first.</summary>
    private void ScheduleWake(DateTimeOffset now)
    {
        var next = Earliest(_book.NextEligibleAt(now), _book.NextRecoveryAt);
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
