namespace Veo.Sdk.Akka.Generation;

/// <summary>The outcome of asking for a slot.</summary>
internal enum SlotRequestOutcome
{
    Queued = 0,
    AlreadyHolding = 1,
    QueueFull = 2,
}

/// <summary>
/// The bookkeeping behind the cluster's bounded parallelism, free of actors so it can be tested alone: who holds one of the
/// slots, who waits (priority lane first, then submission time, then id — all from the journal, so the order survives
/// restarts), and how many slots may be used right now. A quota refusal lowers the limit to what Veo was running for us
/// when it refused (the slots still held once the refused one is freed), so the limit learns the quota instead of
/// halving past it; one recovery interval after the last change it rises by one, and each rise costs at most one refused
/// start when the quota has not grown.
/// </summary>
/// <remarks>
/// Each priority lane is its own ordered set, so a task's queue position is the waiters of the lanes before its own plus
/// its rank in its lane. A fresh submit is the newest of its lane (its tail), whose rank is the lane's count: O(log n)
/// per submit rather than a walk of the queue, which made a burst of N submits O(N²). Only a task placed inside its lane
/// (re-queued after a quota refusal or a restart, or a clock that stepped back) is counted by walking its lane.
/// </remarks>
internal sealed class SlotBook
{
    // Indexed by the priority's value, which is also the order lanes are served in (High = 0 first).
    private readonly SortedSet<Waiter>[] _lanes = [new(WaiterOrder.Instance), new(WaiterOrder.Instance), new(WaiterOrder.Instance)];
    private readonly Dictionary<string, Waiter> _waitingById = new(StringComparer.Ordinal);
    private readonly HashSet<string> _holders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _parkedUntil = new(StringComparer.Ordinal);
    private readonly TimeSpan _recoveryInterval;
    private DateTimeOffset _lastLimitChange = DateTimeOffset.MinValue;

    public SlotBook(int capacity, int maxQueueLength, TimeSpan recoveryInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueueLength, 0);
        Capacity = capacity;
        Limit = capacity;
        MaxQueueLength = maxQueueLength;
        _recoveryInterval = recoveryInterval;
    }

    /// <summary>The configured number of slots (<c>Generation:MaxConcurrency</c>).</summary>
    public int Capacity { get; }

    /// <summary>How many slots may be held right now: the capacity, or less for a while after quota refusals.</summary>
    public int Limit { get; private set; }

    public int MaxQueueLength { get; }

    public int InUse => _holders.Count;

    public int Waiting => _waitingById.Count;

    /// <summary>The most slots held at once since start (a number tests and benchmarks compare with the capacity).</summary>
    public int MaxInUse { get; private set; }

    public long QuotaDecreases { get; private set; }

    public IReadOnlyCollection<string> Holders => _holders;

    /// <summary>Slots kept for holders whose actor stopped without giving them back (a node lost, a shard moving).</summary>
    public int Parked => _parkedUntil.Count;

    public bool IsHolding(string taskId) => _holders.Contains(taskId);

    public bool IsWaiting(string taskId) => _waitingById.ContainsKey(taskId);

    /// <summary>The waiting tasks in the order they would be granted (priority lane, then submission time; quota retry times aside).</summary>
    public IEnumerable<string> WaitingInOrder()
    {
        foreach (var lane in _lanes)
        {
            foreach (var waiter in lane)
            {
                yield return waiter.TaskId;
            }
        }
    }

    /// <summary>Puts a task in the queue. A queue at <see cref="MaxQueueLength"/> refuses new tasks when <paramref name="enforceQueueLimit"/> (tasks coming back after a restart or a quota refusal are always taken).</summary>
    public SlotRequestOutcome Request(string taskId, TaskPriority priority, DateTimeOffset submittedAt, DateTimeOffset? notBefore, bool enforceQueueLimit)
    {
        if (!Enum.IsDefined(priority))
        {
            throw new ArgumentOutOfRangeException(nameof(priority), priority, "Not one of the priority lanes High, Normal, Low.");
        }

        if (_holders.Contains(taskId))
        {
            _parkedUntil.Remove(taskId);
            return SlotRequestOutcome.AlreadyHolding;
        }

        if (_waitingById.Remove(taskId, out var existing))
        {
            LaneOf(existing.Priority).Remove(existing);
        }
        else if (enforceQueueLimit && _waitingById.Count >= MaxQueueLength)
        {
            return SlotRequestOutcome.QueueFull;
        }

        var waiter = new Waiter(taskId, priority, submittedAt, notBefore);
        LaneOf(priority).Add(waiter);
        _waitingById[taskId] = waiter;
        return SlotRequestOutcome.Queued;
    }

    /// <summary>Counts a task that is already generating at Veo (found by recovery) as holding a slot, even above the limit: it runs whether we count it or not.</summary>
    public void Reclaim(string taskId)
    {
        if (_waitingById.Remove(taskId, out var waiter))
        {
            LaneOf(waiter.Priority).Remove(waiter);
        }

        _parkedUntil.Remove(taskId);
        _holders.Add(taskId);
        MaxInUse = Math.Max(MaxInUse, _holders.Count);
    }

    /// <summary>
    /// Keeps a holder's slot although its actor is gone: its generation may still be running at Veo (the actor's node was
    /// lost, or its shard is moving), so the slot stays counted until the task comes back (<see cref="Reclaim"/> or
    /// <see cref="Request"/> adopt it, <see cref="Release"/> frees it) or <paramref name="until"/> passes.
    /// </summary>
    /// <returns>Whether the task held a slot.</returns>
    public bool Park(string taskId, DateTimeOffset until)
    {
        if (!_holders.Contains(taskId))
        {
            return false;
        }

        _parkedUntil[taskId] = until;
        return true;
    }

    /// <summary>Frees the parked slots whose task has not come back by <paramref name="now"/>.</summary>
    /// <returns>The tasks whose slots were freed.</returns>
    public IReadOnlyList<string> ReleaseExpiredParked(DateTimeOffset now)
    {
        if (_parkedUntil.Count == 0)
        {
            return [];
        }

        var expired = _parkedUntil.Where(p => p.Value <= now).Select(p => p.Key).ToList();
        foreach (var taskId in expired)
        {
            _parkedUntil.Remove(taskId);
            _holders.Remove(taskId);
        }

        return expired;
    }

    /// <summary>When the first parked slot is freed unless its task comes back.</summary>
    public DateTimeOffset? NextParkExpiry => _parkedUntil.Count == 0 ? null : _parkedUntil.Values.Min();

    /// <summary>Frees the task's slot or removes it from the queue.</summary>
    /// <returns>Whether the task held a slot or waited.</returns>
    public bool Release(string taskId)
    {
        if (_holders.Remove(taskId))
        {
            _parkedUntil.Remove(taskId);
            return true;
        }

        if (_waitingById.Remove(taskId, out var waiter))
        {
            LaneOf(waiter.Priority).Remove(waiter);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Veo refused the task's start for quota: the slot is freed, the task waits again in its old place until
    /// <paramref name="retryAt"/>, and the limit drops to the slots still held — what Veo was running (or being asked to
    /// run) for us when it said no. It never rises here: refusals of a burst each lower it to what is left.
    /// </summary>
    /// <returns>Whether the limit was lowered.</returns>
    public bool QuotaExceeded(string taskId, TaskPriority priority, DateTimeOffset submittedAt, DateTimeOffset retryAt, DateTimeOffset now)
    {
        _holders.Remove(taskId);
        _parkedUntil.Remove(taskId);
        Request(taskId, priority, submittedAt, retryAt, enforceQueueLimit: false);
        var learned = Math.Max(1, _holders.Count);
        _lastLimitChange = now;
        if (learned >= Limit)
        {
            return false;
        }

        Limit = learned;
        QuotaDecreases++;
        return true;
    }

    /// <summary>Raises the limit by one when a recovery interval has passed since the last change.</summary>
    /// <returns>Whether the limit changed.</returns>
    public bool Recover(DateTimeOffset now)
    {
        if (Limit >= Capacity || now - _lastLimitChange < _recoveryInterval)
        {
            return false;
        }

        Limit++;
        _lastLimitChange = now;
        return true;
    }

    /// <summary>When <see cref="Recover"/> should run next, if the limit is lowered.</summary>
    public DateTimeOffset? NextRecoveryAt => Limit < Capacity ? _lastLimitChange + _recoveryInterval : null;

    /// <summary>Grants free slots to the first eligible waiters, in order. Each granted task moves from waiting to holding.</summary>
    public IReadOnlyList<string> Grant(DateTimeOffset now)
    {
        if (_holders.Count >= Limit || _waitingById.Count == 0)
        {
            return [];
        }

        var granted = new List<Waiter>();
        foreach (var lane in _lanes)
        {
            if (_holders.Count + granted.Count >= Limit)
            {
                break;
            }

            foreach (var waiter in lane)
            {
                if (_holders.Count + granted.Count >= Limit)
                {
                    break;
                }

                if (waiter.NotBefore is { } notBefore && notBefore > now)
                {
                    continue;
                }

                granted.Add(waiter);
            }
        }

        var ids = new List<string>(granted.Count);
        foreach (var waiter in granted)
        {
            LaneOf(waiter.Priority).Remove(waiter);
            _waitingById.Remove(waiter.TaskId);
            _holders.Add(waiter.TaskId);
            ids.Add(waiter.TaskId);
        }

        MaxInUse = Math.Max(MaxInUse, _holders.Count);
        return ids;
    }

    /// <summary>The earliest time a waiter held back by a quota retry time becomes eligible, when a slot is free for it.</summary>
    public DateTimeOffset? NextEligibleAt(DateTimeOffset now)
    {
        if (_holders.Count >= Limit)
        {
            return null;
        }

        DateTimeOffset? earliest = null;
        foreach (var waiter in _waitingById.Values)
        {
            if (waiter.NotBefore is { } nb && nb > now && (earliest is null || nb < earliest))
            {
                earliest = nb;
            }
        }

        return earliest;
    }

    /// <summary>The task's 1-based position in the queue, or <see langword="null"/> when it does not wait.</summary>
    public int? PositionOf(string taskId)
    {
        if (!_waitingById.TryGetValue(taskId, out var target))
        {
            return null;
        }

        var ahead = 0;
        for (var before = 0; before < (int)target.Priority; before++)
        {
            ahead += _lanes[before].Count;
        }

        var lane = LaneOf(target.Priority);
        if (ReferenceEquals(lane.Max, target))
        {
            return ahead + lane.Count;   // the newest of its lane: every fresh submit
        }

        // Placed inside its lane: count the waiters before it (no view: a SortedSet view counts its range on creation).
        foreach (var waiter in lane)
        {
            ahead++;
            if (ReferenceEquals(waiter, target))
            {
                break;
            }
        }

        return ahead;
    }

    private SortedSet<Waiter> LaneOf(TaskPriority priority) => _lanes[(int)priority];

    private sealed record Waiter(string TaskId, TaskPriority Priority, DateTimeOffset SubmittedAt, DateTimeOffset? NotBefore);

    private sealed class WaiterOrder : IComparer<Waiter>
    {
        public static readonly WaiterOrder Instance = new();

        public int Compare(Waiter? x, Waiter? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null)
            {
                return -1;
            }

            if (y is null)
            {
                return 1;
            }

            var byLane = x.Priority.CompareTo(y.Priority);
            if (byLane != 0)
            {
                return byLane;
            }

            var byTime = x.SubmittedAt.UtcTicks.CompareTo(y.SubmittedAt.UtcTicks);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.TaskId, y.TaskId);
        }
    }
}
