using System.Threading.Channels;
using Akka.Actor;
using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Creates a task actor by a plain constructor call. <c>Props.Create(() => new VideoTaskActor(...))</c> compiles (and
/// JIT-compiles) an expression for every entity, about half a millisecond of CPU per task plus finalizer work.
/// </summary>
internal sealed class VideoTaskActorProducer(string entityId, TaskServices services, IActorRef dispatcher, IActorRef? region = null) : IIndirectActorProducer
{
    public Type ActorType => typeof(VideoTaskActor);

    public ActorBase Produce() => new VideoTaskActor(entityId, services, dispatcher, region);

    public void Release(ActorBase actor)
    {
        // Nothing to give back: the actor owns no resource the producer handed it.
    }
}

/// <summary>Creates a status subscriber (one per watch) without compiling an expression each time.</summary>
internal sealed class StatusSubscriberProducer(VideoTaskId taskId, IActorRef region, ChannelWriter<VideoTaskWatchEvent> writer) : IIndirectActorProducer
{
    public Type ActorType => typeof(StatusSubscriber);

    public ActorBase Produce() => new StatusSubscriber(taskId, region, writer);

    public void Release(ActorBase actor)
    {
        // Nothing to give back.
    }
}
