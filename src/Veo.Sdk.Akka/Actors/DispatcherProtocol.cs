using Akka.Actor;
using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Messages between tasks and their node's <see cref="GenerationDispatcher"/>. Both live on the same node (a task asks
/// the dispatcher of the node it runs on), so none of these is ever serialized.
/// </summary>
internal static class DispatcherProtocol
{
    /// <summary>Queue me. Answered with <see cref="SlotQueued"/> or <see cref="QueueIsFull"/>; a <see cref="SlotGranted"/> follows when a slot is free.</summary>
    public sealed record RequestSlot(string TaskId, TaskPriority Priority, DateTimeOffset SubmittedAt, DateTimeOffset? NotBefore, string Model, bool EnforceQueueLimit)
        : INoSerializationVerificationNeeded;

    public sealed record SlotQueued(string TaskId, int? Position, int QueueLength, int Concurrency, ExpectedDuration Expected) : INoSerializationVerificationNeeded;

    public sealed record QueueIsFull(string TaskId, int MaxQueueLength, TimeSpan RetryAfter) : INoSerializationVerificationNeeded;

    /// <summary>A slot is yours: start the generation. Return it with <see cref="ReleaseSlot"/> when Veo is done (or if you no longer need it).</summary>
    public sealed record SlotGranted(string TaskId, ExpectedDuration Expected) : INoSerializationVerificationNeeded;

    /// <summary>Recovery found me generating at Veo: count me as holding a slot. Answered with <see cref="SlotReclaimed"/>.</summary>
    public sealed record ReclaimSlot(string TaskId, string Model) : INoSerializationVerificationNeeded;

    public sealed record SlotReclaimed(string TaskId, ExpectedDuration Expected) : INoSerializationVerificationNeeded;

    /// <summary>I no longer hold or want a slot.</summary>
    public sealed record ReleaseSlot(string TaskId) : INoSerializationVerificationNeeded;

    /// <summary>Veo refused my start for quota: free my slot, queue me again (same place) until <paramref name="RetryAt"/>, and start fewer at once for a while.</summary>
    public sealed record QuotaExceeded(string TaskId, TaskPriority Priority, DateTimeOffset SubmittedAt, DateTimeOffset RetryAt, TimeSpan RetryDelay)
        : INoSerializationVerificationNeeded;

    /// <summary>A generation of this model took this long at Veo.</summary>
    public sealed record GenerationObserved(string Model, TimeSpan Duration) : INoSerializationVerificationNeeded;

    /// <summary>Where am I in the queue? Answered with <see cref="QueueInfo"/> carrying <paramref name="Correlation"/> back.</summary>
    public sealed record GetQueueInfo(string TaskId, string Model, IActorRef? Correlation) : INoSerializationVerificationNeeded;

    public sealed record QueueInfo(string TaskId, int? Position, int QueueLength, int Concurrency, ExpectedDuration Expected, IActorRef? Correlation)
        : INoSerializationVerificationNeeded;

    public sealed record GetState : INoSerializationVerificationNeeded
    {
        public static readonly GetState Instance = new();
    }

    public sealed record State(int Capacity, int Limit, int InUse, int Waiting, int MaxInUse, long QuotaDecreases, IReadOnlyList<string> Holders)
        : INoSerializationVerificationNeeded;
}
