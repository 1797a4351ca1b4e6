using Akka.Actor;
using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Actors;

/// <summary>Status subscriptions (the facade's WatchAsync). They may cross nodes, so the serializer owns them.</summary>
internal static class WatchProtocol
{
    /// <summary>
    /// Send me your status now and after every change, as <see cref="VideoTaskReplies.StatusReply"/>, until you end.
    /// An unknown task answers one <see cref="VideoTaskReplies.StatusReply"/> without a status.
    /// </summary>
    public sealed record Subscribe(VideoTaskId TaskId, IActorRef Subscriber) : IWithTaskId, IVideoTaskProtocol;

    /// <summary>Stop sending me statuses.</summary>
    public sealed record Unsubscribe(VideoTaskId TaskId, IActorRef Subscriber) : IWithTaskId, IVideoTaskProtocol;
}
