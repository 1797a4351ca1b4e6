using Akka.Cluster.Sharding;
using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Actors;

/// <summary>Routes every <see cref="IWithTaskId"/> message to the task's entity.</summary>
internal sealed class VideoTaskMessageExtractor() : HashCodeMessageExtractor(ShardCount)
{
    /// <summary>
    /// About ten shards per node at the largest cluster we plan for (Akka.NET sharding guidance). Never change it on a
    /// running system: remembered entities are stored per shard id.
    /// </summary>
    public const int ShardCount = 100;

    public override string? EntityId(object message) => message is IWithTaskId m ? m.TaskId.Value : null;
}

/// <summary>The <c>ActorRegistry</c> key of the shard region "video-generation" (a marker; the entity type stays private).</summary>
internal sealed class VideoGenerationRegion
{
    private VideoGenerationRegion()
    {
    }
}

/// <summary>The <c>ActorRegistry</c> key of the proxy to the cluster's <see cref="GenerationDispatcher"/> singleton.</summary>
internal sealed class GenerationDispatcherKey
{
    private GenerationDispatcherKey()
    {
    }
}
