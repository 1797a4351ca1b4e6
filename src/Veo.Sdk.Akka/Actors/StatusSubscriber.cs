using System.Threading.Channels;
using Akka.Actor;
using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Lives for one <c>WatchAsync</c> enumeration: subscribes to a task through the shard region and writes each status it
/// receives into a channel the facade reads. If the task's actor stops before the task ends (a rebalance, a restart, its
/// node lost), it subscribes again through the region, which brings the task back; a subscription that is not answered
/// (sent to a node that was being lost) is sent again every two seconds. Stopping it (the enumerator was disposed)
/// unsubscribes.
/// </summary>
internal sealed class StatusSubscriber : ReceiveActor, IWithTimers
{
    private const string ResubscribeTimer = "resubscribe";
    private static readonly TimeSpan ResubscribeDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan UnansweredSubscriptionDelay = TimeSpan.FromSeconds(2);

    private readonly VideoTaskId _taskId;
    private readonly IActorRef _region;
    private readonly ChannelWriter<VideoTaskStatus> _writer;
    private IActorRef? _task;
    private long _lastVersion = -1;

    public StatusSubscriber(VideoTaskId taskId, IActorRef region, ChannelWriter<VideoTaskStatus> writer)
    {
        _taskId = taskId;
        _region = region;
        _writer = writer;

        Receive<VideoTaskReplies.StatusReply>(OnStatus);
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_task))
            {
                _task = null;
                Timers.StartSingleTimer(ResubscribeTimer, Resubscribe.Instance, ResubscribeDelay);
            }
        });
        Receive<Resubscribe>(_ => Subscribe());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Subscribe();

    private void Subscribe()
    {
        _region.Tell(new WatchProtocol.Subscribe(_taskId, Self));
        Timers.StartSingleTimer(ResubscribeTimer, Resubscribe.Instance, UnansweredSubscriptionDelay);
    }

    protected override void PostStop()
    {
        _task?.Tell(new WatchProtocol.Unsubscribe(_taskId, Self));
        _writer.TryComplete();
    }

    private void OnStatus(VideoTaskReplies.StatusReply reply)
    {
        Timers.Cancel(ResubscribeTimer);
        if (reply.Status is not { } status)
        {
            Context.Stop(Self);   // no such task: the enumeration is empty
            return;
        }

        if (!Sender.Equals(_task) && !Sender.IsNobody())
        {
            if (_task is not null)
            {
                Context.Unwatch(_task);
            }

            _task = Sender;
            Context.Watch(_task);
        }

        // After a resubscribe the current status comes again; only news are passed on.
        if (status.Version != _lastVersion || status.IsFinal)
        {
            _lastVersion = status.Version;
            _writer.TryWrite(status);
        }

        if (status.IsFinal)
        {
            Context.Stop(Self);
        }
    }

    private sealed class Resubscribe : INoSerializationVerificationNeeded
    {
        public static readonly Resubscribe Instance = new();
    }
}
