using Akka.Actor;
using Akka.Event;
using Veo.Sdk.Akka.Generation;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Status broadcasting: status replies, and the watchers that get every change pushed until the final status. A waiting
/// task's queue position lives in the dispatcher, so its status is answered once the dispatcher has told it.
/// </summary>
internal sealed partial class VideoTaskActor
{
    private const string RefreshTimer = "watch-refresh";
    private const string QueueInfoTimer = "queue-info";

    /// <summary>
    /// How long a status read of a waiting task waits for the dispatcher's word on the queue before answering with what the
    /// task last heard: the dispatcher may be on a node that is being lost, and a status must not wait for that.
    /// </summary>
    private static readonly TimeSpan QueueInfoWait = TimeSpan.FromMilliseconds(500);

    private readonly HashSet<IActorRef> _watchers = [];

    /// <summary>Status reads of the waiting task that wait for the dispatcher's <see cref="QueueInfo"/>.</summary>
    private readonly List<IActorRef> _queueInfoReaders = [];
    private readonly StatusVersions _versions = new();
    private long _lastPushedVersion;

    private void OnSubscribe(WatchProtocol.Subscribe subscribe)
    {
        if (!_task.Exists)
        {
            subscribe.Subscriber.Tell(new VideoTaskReplies.StatusReply(_task.Id, null));
            PassivateIfUnknown();
            return;
        }

        if (!_task.HasEnded && _watchers.Add(subscribe.Subscriber))
        {
            Context.Watch(subscribe.Subscriber);
            if (_watchers.Count == 1)
            {
                Timers.StartPeriodicTimer(RefreshTimer, RefreshTick.Instance, _settings.WatchRefreshInterval);
            }
        }

        Describe(subscribe.Subscriber);
    }

    private void RemoveWatcher(IActorRef watcher)
    {
        if (_watchers.Remove(watcher))
        {
            Context.Unwatch(watcher);
        }

        if (_watchers.Count == 0)
        {
            Timers.Cancel(RefreshTimer);
        }
    }

    private void Describe(IActorRef replyTo)
    {
        if (!_task.Exists)
        {
            replyTo.Tell(new VideoTaskReplies.StatusReply(_task.Id, null));
            PassivateIfUnknown();
            return;
        }

        if (_task.Phase == TaskPhase.Waiting)
        {
            // The queue position lives in the dispatcher; it answers with QueueInfo and we reply from there.
            _queueInfoReaders.Add(replyTo);
            if (_queueInfoReaders.Count == 1)
            {
                _dispatcher.Tell(new GetQueueInfo(TaskId, _task.Model));
                Timers.StartSingleTimer(QueueInfoTimer, QueueInfoOverdue.Instance, QueueInfoWait);
            }

            return;
        }

        replyTo.Tell(new VideoTaskReplies.StatusReply(_task.Id, CurrentStatus()));
    }

    private void OnQueueInfo(QueueInfo info)
    {
        RememberQueue(info.Position, info.QueueLength, info.Concurrency, info.Expected);
        if (_queueInfoReaders.Count > 0)
        {
            AnswerQueueInfoReaders();
        }
        else
        {
            PushToWatchers();
        }
    }

    /// <summary>Answers the status reads waiting for the queue with what the task knows now.</summary>
    private void AnswerQueueInfoReaders()
    {
        if (_queueInfoReaders.Count == 0)
        {
            return;
        }

        Timers.Cancel(QueueInfoTimer);
        var reply = new VideoTaskReplies.StatusReply(_task.Id, CurrentStatus());
        foreach (var reader in _queueInfoReaders)
        {
            reader.Tell(reply);
        }

        _queueInfoReaders.Clear();
    }

    /// <summary>The status now, versioned by <see cref="StatusVersions"/>.</summary>
    private VideoTaskStatus CurrentStatus()
    {
        var status = _task.ToStatus(new LiveView(Now, _runningStage, _expected, _task.Phase == TaskPhase.Waiting ? _queuePosition : null, _queueLength, _concurrency, 0));
        return _versions.Stamp(status, LastSequenceNr);
    }

    private void PushToWatchers()
    {
        if (_watchers.Count == 0)
        {
            return;
        }

        var status = CurrentStatus();
        if (status.Version == _lastPushedVersion)
        {
            return;
        }

        _lastPushedVersion = status.Version;
        var reply = new VideoTaskReplies.StatusReply(_task.Id, status);
        foreach (var watcher in _watchers)
        {
            watcher.Tell(reply);
        }

        if (status.IsFinal)
        {
            // Subscribers end with the final status; nothing more will come.
            foreach (var watcher in _watchers)
            {
                Context.Unwatch(watcher);
            }

            _watchers.Clear();
            Timers.Cancel(RefreshTimer);
        }
    }

    /// <summary>Watched tasks refresh what changes without events: queue position and the estimated percentage.</summary>
    private void Refresh()
    {
        if (_watchers.Count == 0 || _task.HasEnded)
        {
            Timers.Cancel(RefreshTimer);
            return;
        }

        if (_task.Phase == TaskPhase.Waiting)
        {
            _dispatcher.Tell(new GetQueueInfo(TaskId, _task.Model));
        }
        else
        {
            PushToWatchers();
        }
    }

    /// <summary>The seconds a submitter is told to expect: the status's estimate, or the expected duration before there is one.</summary>
    private int EstimatedSeconds()
    {
        if (_task.HasEnded)
        {
            return 0;
        }

        var left = _task.Exists
            ? _task.ToStatus(new LiveView(Now, _runningStage, _expected, _queuePosition, _queueLength, _concurrency, 0)).EstimatedTimeLeft
            : null;
        return (int)Math.Ceiling((left ?? _expected.Duration).TotalSeconds);
    }

    private sealed class RefreshTick : INoSerializationVerificationNeeded, IDeadLetterSuppression, INotInfluenceReceiveTimeout
    {
        public static readonly RefreshTick Instance = new();
    }

    private sealed class QueueInfoOverdue : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly QueueInfoOverdue Instance = new();
    }
}
