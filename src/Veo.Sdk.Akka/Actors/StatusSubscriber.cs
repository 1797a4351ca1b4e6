using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Lives for one watch (<c>WatchAsync</c> or <c>WatchEventsAsync</c>): subscribes to a task through the shard region and
/// writes each status it receives into a channel the facade reads. If the task's actor stops before the task ends (a
/// rebalance, a restart, its node lost), it subscribes again through the region, which brings the task back; a
/// subscription that is not answered (sent to a node that was being lost) is sent again every two seconds. While the task
/// cannot be reached (its actor stopped, its node stopped answering, a subscription went unanswered) the watch is told
/// once, and the task's current status follows when it answers again. Stopping it (the enumerator was disposed)
/// unsubscribes.
/// </summary>
internal sealed class StatusSubscriber : ReceiveActor, IWithTimers
{
    private const string ResubscribeTimer = "resubscribe";
    private static readonly TimeSpan ResubscribeDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan UnansweredSubscriptionDelay = TimeSpan.FromSeconds(2);

    private readonly VideoTaskId _taskId;
    private readonly IActorRef _region;
    private readonly ChannelWriter<VideoTaskWatchEvent> _writer;
    private IActorRef? _task;
    private long _lastVersion = -1;
    private bool _awaitingAnswer;
    private bool _unreachable;

    public StatusSubscriber(VideoTaskId taskId, IActorRef region, ChannelWriter<VideoTaskWatchEvent> writer)
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
                Unreachable("its actor stopped before the task ended (its node was lost or its shard is moving); resuming");
                Timers.StartSingleTimer(ResubscribeTimer, Resubscribe.Instance, ResubscribeDelay);
            }
        });
        Receive<Resubscribe>(_ =>
        {
            if (_awaitingAnswer)
            {
                Unreachable("it did not answer the subscription in time (its node may be lost or its shard moving); asking again");
            }

            Subscribe();
        });
        Receive<ClusterEvent.UnreachableMember>(u =>
        {
            if (IsOnNode(u.Member))
            {
                Unreachable($"its node {u.Member.Address} stopped answering; resuming once it answers again or the task moves");
            }
        });
        Receive<ClusterEvent.ReachableMember>(r =>
        {
            if (_unreachable && IsOnNode(r.Member))
            {
                Subscribe();   // nothing may have changed meanwhile: ask for the current status to say the watch goes on
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IReachabilityEvent));
        Subscribe();
    }

    private bool IsOnNode(Member member) => _task is { } task && task.Path.Address.Equals(member.Address);

    private void Subscribe()
    {
        _awaitingAnswer = true;
        _region.Tell(new WatchProtocol.Subscribe(_taskId, Self));
        Timers.StartSingleTimer(ResubscribeTimer, Resubscribe.Instance, UnansweredSubscriptionDelay);
    }

    /// <summary>Tells the watch once per interruption; the next status ends it.</summary>
    private void Unreachable(string reason)
    {
        if (!_unreachable)
        {
            _unreachable = true;
            _writer.TryWrite(new VideoTaskUnreachableEvent(_taskId.Value, reason));
        }
    }

    protected override void PostStop()
    {
        Cluster.Get(Context.System).Unsubscribe(Self);
        _task?.Tell(new WatchProtocol.Unsubscribe(_taskId, Self));
        _writer.TryComplete();
    }

    private void OnStatus(VideoTaskReplies.StatusReply reply)
    {
        Timers.Cancel(ResubscribeTimer);
        _awaitingAnswer = false;
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

        // After a resubscribe the current status comes again; only news are passed on, and the first answer after the task
        // was unreachable, which says the watch goes on.
        if (status.Version != _lastVersion || status.IsFinal || _unreachable)
        {
            _unreachable = false;
            _lastVersion = status.Version;
            _writer.TryWrite(new VideoTaskStatusEvent(status));
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
