using Akka.Actor;

namespace Veo.Sdk.Akka.Actors;

/// <summary>What the engine's actors need to know about the node they run on.</summary>
internal static class NodeLifecycle
{
    /// <summary>Whether coordinated shutdown has begun on this node (tasks are being handed off or stopped).</summary>
    public static bool IsShuttingDown(ActorSystem system) => CoordinatedShutdown.Get(system).ShutdownReason is not null;
}
