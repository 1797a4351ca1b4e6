using Akka.Actor;
using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Actors;

/// <summary>A message between a task and the <see cref="GenerationDispatcher"/>; it crosses nodes when they are apart (the engine's serializer writes it).</summary>
internal interface IDispatcherMessage;

/// <summary>
/// Messages between tasks and the cluster's <see cref="GenerationDispatcher"/> (a singleton: a task and the dispatcher are
/// often on different nodes). Replies come from the dispatcher itself, so a task may watch their sender.
/// </summary>
internal static class DispatcherProtocol
{
    /// <summary>
    /// Queue me. Answered with <see cref="SlotQueued"/> or <see cref="QueueIsFull"/>; a <see cref="SlotGranted"/> follows when a
    /// slot is free. <paramref name="Recovered"/> marks a task brought back by a restart or a rebalance.
    /// </summary>
    public sealed record RequestSlot(string TaskId, TaskPriority Priority, DateTimeOffset SubmittedAt, DateTimeOffset? NotBefore, string Model, bool EnforceQueueLimit, bool Recovered = false)
        : IDispatcherMessage;

    public sealed record SlotQueued(string TaskId, int? Position, int QueueLength, int Concurrency, ExpectedDuration Expected) : IDispatcherMessage;

    public sealed record QueueIsFull(string TaskId, int MaxQueueLength, TimeSpan RetryAfter) : IDispatcherMessage;

    /// <summary>A slot is yours: start the generation. Return it with <see cref="ReleaseSlot"/> when Veo is done (or if you no longer need it).</summary>
    public sealed record SlotGranted(string TaskId, ExpectedDuration Expected) : IDispatcherMessage;

    /// <summary>
    /// I am generating at Veo (found by recovery) or hold a slot that a previous dispatcher granted: count me as holding
    /// one. Answered with <see cref="SlotReclaimed"/>.
    /// </summary>
    public sealed record ReclaimSlot(string TaskId, string Model) : IDispatcherMessage;

    public sealed record SlotReclaimed(string TaskId, ExpectedDuration Expected) : IDispatcherMessage;

    /// <summary>
    /// I wait far back in the queue (at <paramref name="Position"/>, as I last heard it) and nobody asks after me: keep my
    /// place without me (I leave memory) and wake me through the shard region shortly before my slot comes. Answered with
    /// <see cref="DormancyAccepted"/>, or not at all (stay): the queue drains too fast for leaving to pay.
    /// </summary>
    public sealed record GoDormant(string TaskId, int Position) : IDispatcherMessage;

    public sealed record DormancyAccepted(string TaskId) : IDispatcherMessage;

    /// <summary>Answer to a wake-up: this id is not an unfinished task (it ended, or nothing was ever stored under it).</summary>
    public sealed record TaskNotOpen(string TaskId) : IDispatcherMessage;

    /// <summary>I no longer hold or want a slot.</summary>
    public sealed record ReleaseSlot(string TaskId) : IDispatcherMessage;

    /// <summary>Veo refused my start for quota: free my slot, queue me again (same place) until <paramref name="RetryAt"/>, and start no more at once than Veo was running when it refused. Answered with <see cref="SlotQueued"/>.</summary>
    public sealed record QuotaExceeded(string TaskId, TaskPriority Priority, DateTimeOffset SubmittedAt, DateTimeOffset RetryAt, string Model)
        : IDispatcherMessage;

    /// <summary>A generation of this model took this long at Veo.</summary>
    public sealed record GenerationObserved(string Model, TimeSpan Duration) : IDispatcherMessage;

    /// <summary>Where am I in the queue? Answered with <see cref="QueueInfo"/>.</summary>
    public sealed record GetQueueInfo(string TaskId, string Model) : IDispatcherMessage;

    public sealed record QueueInfo(string TaskId, int? Position, int QueueLength, int Concurrency, ExpectedDuration Expected) : IDispatcherMessage;

    public sealed record GetState : IDispatcherMessage
    {
        public static readonly GetState Instance = new();
    }

    public sealed record State(int Capacity, int Limit, int InUse, int Waiting, int MaxInUse, long QuotaDecreases, IReadOnlyList<string> Holders, int Parked = 0)
        : IDispatcherMessage;
}
