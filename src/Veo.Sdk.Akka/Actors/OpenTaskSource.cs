using Akka.Actor;
using Akka.Hosting;
using Veo.Sdk.Akka.Storage;

namespace Veo.Sdk.Akka.Actors;

/// <summary>What the dispatcher's recovery walk reads: the open-task table, and the shard region that wakes the tasks.</summary>
internal sealed class OpenTaskSource(IGenerationRecorder recorder, Func<Task<IActorRef>> region)
{
    public OpenTaskSource(IGenerationRecorder recorder, IActorRegistry registry)
        : this(recorder, () => registry.GetAsync<VideoGenerationRegion>())
    {
    }

    public Task<IReadOnlyList<string>> ListAsync() => recorder.ListOpenTasksAsync();

    public Task<IActorRef> RegionAsync() => region();
}
