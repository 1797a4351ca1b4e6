using Akka.Actor;

namespace Veo.Sdk.Akka.Actors;

/// <summary>What the engine's actors need to know about the node they run on.</summary>
internal static class NodeLifecycle
{
    /// <summary>Whether coordinated shutdown has begun on this node (tasks are being handed off or stopped).</summary>
    public static bool IsShuttingDown(ActorSystem system) => CoordinatedShutdown.Get(system).ShutdownReason is not null;
}

/// <summary>When this node became an Up member of its cluster (set once, by the cluster's member-up callback).</summary>
internal sealed class NodeUptime
{
    /// <summary>A dispatcher that starts this long after its node came up replaces one that ran elsewhere; one that starts with the cluster does so within a second or two.</summary>
    public static readonly TimeSpan TakeoverThreshold = TimeSpan.FromSeconds(5);

    private long _upAtTicks;

    public void MarkUp(DateTimeOffset at) => Interlocked.CompareExchange(ref _upAtTicks, at.UtcTicks, 0);

    /// <summary>Whether the node has been up longer than <see cref="TakeoverThreshold"/> at <paramref name="now"/>.</summary>
    public bool UpLongerThanThreshold(DateTimeOffset now)
    {
        var ticks = Interlocked.Read(ref _upAtTicks);
        return ticks != 0 && now.UtcTicks - ticks > TakeoverThreshold.Ticks;
    }
}
