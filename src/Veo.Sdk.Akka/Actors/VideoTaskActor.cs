using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Serialization;
using Veo.Sdk.Akka.Storage;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Owns one generation task: its journal (what was asked, whether Veo was asked, which operation Veo named, how it
/// ended), its slot at the node's <see cref="GenerationDispatcher"/>, and the Veo calls made for it. Decisions are the pure
/// <see cref="VideoTaskDecisions"/>; this actor sequences them with I/O, timers and persistence.
/// </summary>
/// <remarks>
/// Never starts a generation twice: <see cref="VideoTaskEvents.StartRequested"/> is journaled before the start call and
/// <see cref="VideoTaskEvents.Started"/> (the operation name) as soon as Veo answers, so a recovered task resumes polling
/// the same operation. Veo's answer is also written at once as a <see cref="StartReceipt"/>, outside the journal's queue;
/// a task recovered with an intent but no operation name resumes from its receipt, and only without one follows
/// <see cref="DecisionRules.RestartIndeterminateStarts"/>.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "An actor's resources are released in PostStop, not by Dispose.")]
internal sealed class VideoTaskActor : ReceivePersistentActor, IWithTimers
{
    private const string PollTimer = "poll";
    private const string SoftLimitTimer = "soft-limit";
    private const string HardLimitTimer = "hard-limit";
    private const string QueueLimitTimer = "queue-limit";
    private const string RefreshTimer = "watch-refresh";
    private const string IoRetryTimer = "io-retry";
    private const string ReceiptTimer = "receipt-lookup";
    private const long MaxChangesPerEvent = (1 << 20) - 1;

    private readonly TaskServices _services;
    private readonly EngineSettings _settings;
    private readonly IActorRef _dispatcher;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _io = new();
    private readonly HashSet<IActorRef> _watchers = [];
    private VideoTask _task;

    // What this incarnation knows beyond the journal.
    private bool _awaitingGrant;
    private bool _holdsSlot;
    private bool _recoveredRunning;
    private bool _passivating;
    private ExpectedDuration _expected;
    private VideoTaskStage? _runningStage;
    private int? _queuePosition;
    private int _queueLength;
    private int _concurrency;
    private GeneratedVideo? _video;
    private long _videoSize;
    private int _polls;
    private int _misses;
    private int _failedPolls;
    private int _ioAttempts;
    private int _receiptLookups;
    private bool _awaitingReceipt;
    private bool _pollInFlight;
    private bool _transferInFlight;
    private DateTimeOffset? _lastRunningPollAt;
    private DateTimeOffset? _veoFinishedAt;
    private VideoTaskStatus? _lastStatus;
    private long _versionSequenceNr = -1;
    private long _changesSinceEvent;
    private long _lastPushedVersion;
    private IActorRef? _pendingSubmitter;

    public VideoTaskActor(string entityId, TaskServices services, IActorRef dispatcher)
    {
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
        _settings = services.Settings;
        _dispatcher = dispatcher;
        _task = VideoTask.Empty(VideoTaskId.Parse(entityId, nameof(entityId)));
        _expected = new ExpectedDuration(_settings.DefaultExpectedDuration, false);
        _concurrency = _settings.MaxConcurrency;
        PersistenceId = PersistenceIdFor(entityId);

        Recover<IVideoTaskEvent>(e => _task = _task.Apply(e));
        Recover<RecoveryCompleted>(_ => Self.Tell(Resume.Instance));
        Ready();
    }

    public override string PersistenceId { get; }

    /// <summary>A handful of events per task and no snapshots ever taken: recovery must not spend a query looking for one.</summary>
    public override Recovery Recovery => new(SnapshotSelectionCriteria.None);

    public ITimerScheduler Timers { get; set; } = null!;

    public static string PersistenceIdFor(string taskId) => "video-task-" + taskId;

    private DateTimeOffset Now => _services.Clock.GetUtcNow();

    private string TaskId => _task.Id.Value;

    private void Ready()
    {
        // Passivation is under way: the shard buffers what we hand back and gives it to our next incarnation.
        Command<IWithTaskId>(m => Context.Parent.Forward(m), _ => _passivating);
        Command<Resume>(_ => OnResume());
        Command<VideoTaskCommands.Submit>(OnSubmit);
        Command<VideoTaskCommands.GetStatus>(_ => Describe(Sender));
        Command<VideoTaskCommands.Cancel>(OnCancel);
        Command<WatchProtocol.Subscribe>(OnSubscribe);
        Command<WatchProtocol.Unsubscribe>(u => RemoveWatcher(u.Subscriber));
        Command<Terminated>(t => RemoveWatcher(t.ActorRef));

        Command<SlotGranted>(OnSlotGranted);
        Command<SlotReclaimed>(OnSlotReclaimed);
        Command<SlotQueued>(q => RememberQueue(q.Position, q.QueueLength, q.Concurrency, q.Expected));
        Command<QueueInfo>(OnQueueInfo);

        Command<StartAnswered>(OnStartAnswered);
        Command<StartFailed>(OnStartFailed);
        Command<StartReceiptLookedUp>(OnStartReceiptLookedUp);
        Command<RetryReceiptLookup>(_ => LookUpStartReceipt());
        Command<StartReceiptFailed>(f => _log.Warning("Task {TaskId}: its start receipt could not be written ({Reason}); the journal alone records the operation name", TaskId, f.Cause.Message));
        Command<PollTick>(_ => Poll());
        Command<PollAnswered>(OnPollAnswered);
        Command<PollFailed>(OnPollFailed);
        Command<Downloaded>(OnDownloaded);
        Command<TransferFailed>(OnTransferFailed);
        Command<Saved>(OnSaved);
        Command<RetryTransfer>(_ => RetryTransferNow());

        Command<LimitTick>(OnLimitTick);
        Command<RefreshTick>(_ => Refresh());
        Command<ReceiveTimeout>(_ => OnIdle());
    }

    // ---- facade commands ----------------------------------------------------------------------------------------

    private void OnSubmit(VideoTaskCommands.Submit submit)
    {
        if (_task.Exists)
        {
            // An id is an idempotency key: the same request again is the same task, a different one is a mistake to report.
            var resubmitted = submit.Request with { TaskId = TaskId };
            Sender.Tell(_task.Request is { } original && !BinaryFormat.SameContent(original, resubmitted)
                ? new VideoTaskReplies.TaskIdConflict(_task.Id)
                : new VideoTaskReplies.SubmitAccepted(_task.Id, AlreadyExisted: true, EstimatedSeconds()));
            return;
        }

        // Admission first: a full queue refuses the task before anything is journaled.
        _pendingSubmitter = Sender;
        var request = submit.Request with { TaskId = TaskId };
        var submittedAt = Now;   // the queue orders by this time; the journal keeps the same one for recoveries
        _dispatcher.Tell(new RequestSlot(TaskId, request.Priority, submittedAt, null, request.Veo.Model, EnforceQueueLimit: true));
        Become(() => Admitting(request, submittedAt));
    }

    private void Admitting(VideoGenerationRequest request, DateTimeOffset submittedAt)
    {
        Command<Resume>(_ => { });   // a new task has nothing to resume
        Command<SlotQueued>(queued =>
        {
            RememberQueue(queued.Position, queued.QueueLength, queued.Concurrency, queued.Expected);
            var decision = _task.Decide(new TaskFacts.Admitted(request), submittedAt, _settings.Rules);
            var submitter = _pendingSubmitter!;   // captured before the persist callback
            Store(decision, () =>
            {
                _pendingSubmitter = null;
                _awaitingGrant = true;            // the admission request is our place in the queue
                _services.Metrics.TaskSubmitted();
                submitter.Tell(new VideoTaskReplies.SubmitAccepted(_task.Id, AlreadyExisted: false, EstimatedSeconds()));
                Context.SetReceiveTimeout(null);
                ArmQueueTimeLimit();
                Become(Ready);
                Stash.UnstashAll();
            });
        });
        Command<QueueIsFull>(full =>
        {
            _pendingSubmitter?.Tell(new VideoTaskReplies.QueueFull(_task.Id, full.MaxQueueLength, full.RetryAfter.TotalSeconds));
            _pendingSubmitter = null;
            Become(Ready);
            Stash.UnstashAll();
            Passivate();
        });
        CommandAny(_ => Stash.Stash());
    }

    private void OnCancel(VideoTaskCommands.Cancel cancel)
    {
        if (_runningStage == VideoTaskStage.Saving)
        {
            // The row is being written right now; answer once the task has ended (it will be AlreadyEnded).
            Stash.Stash();
            return;
        }

        var wasWaiting = _task.Phase == TaskPhase.Waiting;
        var decision = _task.Decide(cancel, Now);
        if (decision.Events.Count == 0)
        {
            Sender.Tell(decision.Reply);
            PassivateIfUnknown();
            return;
        }

        var replyTo = Sender;
        Store(decision, () =>
        {
            replyTo.Tell(decision.Reply);
            if (wasWaiting)
            {
                // Leaves the queue; a grant already on its way is handed back in OnSlotGranted.
                ReleaseSlot();
            }
            else
            {
                _log.Info("Task {TaskId} revoked while running; operation {OperationName} is left to finish at Veo and its result will be discarded", TaskId, _task.OperationName ?? "(not named yet)");
            }

            OnEnded();
        });
    }

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

    // ---- status ----------------------------------------------------------------------------------------------------

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
            _dispatcher.Tell(new GetQueueInfo(TaskId, _task.Model, replyTo));
            return;
        }

        replyTo.Tell(new VideoTaskReplies.StatusReply(_task.Id, CurrentStatus()));
    }

    private void OnQueueInfo(QueueInfo info)
    {
        RememberQueue(info.Position, info.QueueLength, info.Concurrency, info.Expected);
        if (info.Correlation is { } replyTo)
        {
            replyTo.Tell(new VideoTaskReplies.StatusReply(_task.Id, CurrentStatus()));
        }
        else
        {
            PushToWatchers();
        }
    }

    private void RememberQueue(int? position, int queueLength, int concurrency, ExpectedDuration expected)
    {
        _queuePosition = position;
        _queueLength = queueLength;
        _concurrency = concurrency;
        _expected = expected;
    }

    /// <summary>
    /// The status now. Its version is the journal's sequence number in the high bits and a count of changes readers can
    /// see since that event in the low bits: it grows with every change, and a final status has the same version whether
    /// it is read live or recovered from the journal later.
    /// </summary>
    private VideoTaskStatus CurrentStatus()
    {
        var status = _task.ToStatus(new LiveView(Now, _runningStage, _expected, _task.Phase == TaskPhase.Waiting ? _queuePosition : null, _queueLength, _concurrency, 0));
        if (LastSequenceNr != _versionSequenceNr)
        {
            _versionSequenceNr = LastSequenceNr;
            _changesSinceEvent = 0;
        }
        else if (_lastStatus is not null && !SameForReaders(_lastStatus, status) && _changesSinceEvent < MaxChangesPerEvent)
        {
            _changesSinceEvent++;
        }

        status = status with { Version = (_versionSequenceNr << 20) | _changesSinceEvent };
        _lastStatus = status;
        return status;
    }

    private static bool SameForReaders(VideoTaskStatus a, VideoTaskStatus b)
        => a.State == b.State && a.Stage == b.Stage && a.Progress == b.Progress && a.QueuePosition == b.QueuePosition
           && a.StatusText == b.StatusText && a.Warnings.Count == b.Warnings.Count;

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
            _dispatcher.Tell(new GetQueueInfo(TaskId, _task.Model, null));
        }
        else
        {
            PushToWatchers();
        }
    }

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

    // ---- slots -----------------------------------------------------------------------------------------------------

    private void RequestSlot(bool enforceQueueLimit, bool recovered)
    {
        _awaitingGrant = true;
        _dispatcher.Tell(new RequestSlot(TaskId, _task.Priority, _task.SubmittedAt ?? Now, _task.RetryNotBefore, _task.Model, enforceQueueLimit, recovered));
    }

    private void ReleaseSlot()
    {
        if (_holdsSlot || _awaitingGrant)
        {
            _dispatcher.Tell(new ReleaseSlot(TaskId));
        }

        _holdsSlot = false;
        _awaitingGrant = false;
    }

    private void OnSlotGranted(SlotGranted granted)
    {
        if (_holdsSlot)
        {
            return;   // a repeated grant of the slot we hold (we asked again after a restart of this actor)
        }

        if (!_awaitingGrant || _task.Phase is not (TaskPhase.Waiting or TaskPhase.Starting)
            || NodeLifecycle.IsShuttingDown(Context.System))
        {
            // Cancelled, timed out or ended while the grant was on its way, or the node is shutting down (persisting the
            // start intent now would leave an indeterminate start behind): hand the slot back.
            _dispatcher.Tell(new ReleaseSlot(TaskId));
            return;
        }

        _awaitingGrant = false;
        _holdsSlot = true;
        _expected = granted.Expected;
        Timers.Cancel(QueueLimitTimer);
        var decision = _task.Decide(new TaskFacts.SlotGranted(), Now, _settings.Rules);
        if (decision.Events.Count == 0)
        {
            ReleaseSlot();
            return;
        }

        // KEY PATTERN: the intent is stored before Veo is called; a crash after this line is the only duplicate window.
        Store(decision, () =>
        {
            if (decision.Events.Any(e => e is VideoTaskEvents.StartRequested { AfterIndeterminateStart: true }))
            {
                _log.Warning("Task {TaskId}: starting again after a crash inside the start call; Veo may run this generation twice", TaskId);
            }

            ArmTimeLimits(afterRecovery: false);
            CallStart();
            PushToWatchers();
        });
    }

    private void OnSlotReclaimed(SlotReclaimed reclaimed)
    {
        _holdsSlot = true;
        _expected = reclaimed.Expected;
        if (_task.Phase != TaskPhase.Running)
        {
            ReleaseSlot();
            return;
        }

        ArmTimeLimits(afterRecovery: true);
        var elapsed = Now - (_task.OperationStartedAt ?? Now);
        SchedulePoll(_settings.Polls.FirstDelay(_expected, elapsed));
    }

    // ---- Veo: start ------------------------------------------------------------------------------------------------

    private void CallStart()
    {
        _services.Metrics.StartCalled();
        var request = _task.Request!.Veo;
        var client = _services.Client;
        var taskId = TaskId;
        var clock = _services.Clock;
        var store = _services.Generations;
        var inFlight = _services.StartCalls;
        var timeout = _settings.StartCallTimeout;
        var self = Self;

        // Not tied to this actor's life: a start call outlives a hand-off or a graceful stop, so Veo's answer still reaches
        // the receipt; the timeout bounds how long a recovered incarnation must wait for it.
        inFlight.Enter();
        _ = StartAsync(client, request, new StartReceiptContext(taskId, store, self, clock), timeout, inFlight);
    }

    private static async Task StartAsync(IVeoClient client, GenerateVideoRequest request, StartReceiptContext receipt, TimeSpan timeout, StartCallsInFlight inFlight)
    {
        try
        {
            using var deadline = new CancellationTokenSource(timeout, receipt.Clock);
            GenerateVideoOperation operation;
            try
            {
                operation = await client.StartGenerateVideoAsync(request, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                receipt.Self.Tell(new StartFailed(ex));
                return;
            }

            receipt.Self.Tell(new StartAnswered(operation.Name));

            // KEY PATTERN: the receipt is written from here, not after a trip through the mailbox, and races the journal
            // write of Started; whichever is stored first closes the duplicate window. The journal batches behind every
            // other task's events; the receipt is one small insert of its own.
            try
            {
                await receipt.Store.RecordStartAsync(new StartReceipt(receipt.TaskId, operation.Name, receipt.Clock.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                receipt.Self.Tell(new StartReceiptFailed(ex));   // the journal still stores the operation name
            }
        }
        finally
        {
            inFlight.Exit();
        }
    }

    private void OnStartAnswered(StartAnswered answered)
    {
        var decision = _task.Decide(new TaskFacts.StartAccepted(answered.OperationName), Now, _settings.Rules);
        if (decision.Events.Count == 0)
        {
            // Ended meanwhile (hard limit): nobody polls this operation, so its slot is free again.
            ReleaseSlot();
            return;
        }

        Store(decision, () =>
        {
            _log.Debug("Task {TaskId} started Veo operation {OperationName}", TaskId, answered.OperationName);
            SchedulePoll(_settings.Polls.FirstDelay(_expected, Now - (_task.OperationStartedAt ?? Now)));
            PushToWatchers();
        });
    }

    private void OnStartFailed(StartFailed failed)
    {
        if (IsShutdown(failed.Cause))
        {
            return;
        }

        var rejected = VeoFailures.StartRejected(failed.Cause);
        var decision = _task.Decide(rejected, Now, _settings.Rules);
        if (decision.Events.Count == 0)
        {
            ReleaseSlot();   // revoked or ended while starting; Veo started nothing
            return;
        }

        if (decision.Events.OfType<VideoTaskEvents.QuotaDeferred>().FirstOrDefault() is { } quota)
        {
            // The slot goes back at once (in memory, not after the journal write), and we wait in our old place.
            var delay = quota.RetryAt - quota.At;
            _dispatcher.Tell(new QuotaExceeded(TaskId, _task.Priority, _task.SubmittedAt ?? Now, quota.RetryAt, delay));
            _holdsSlot = false;
            _awaitingGrant = true;
            _services.Metrics.QuotaDeferred();
            CancelTimeLimits();
            _log.Info("Task {TaskId}: Veo quota exceeded ({ErrorCode}); waiting to retry after {RetryAt}", TaskId, quota.ErrorCode ?? quota.HttpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture), quota.RetryAt);
        }
        else
        {
            ReleaseSlot();
            _log.Warning("Task {TaskId}: Veo refused the start: {Reason}", TaskId, rejected.Message);
        }

        Store(decision);
    }

    // ---- Veo: polling ----------------------------------------------------------------------------------------------

    private void SchedulePoll(TimeSpan delay)
        => Timers.StartSingleTimer(PollTimer, PollTick.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.FromMilliseconds(1));

    private void Poll()
    {
        if (_pollInFlight || _task.OperationName is not { } operation || !_holdsSlot)
        {
            return;
        }

        _pollInFlight = true;
        _polls++;
        _services.Metrics.Polled();
        var client = _services.Client;
        var token = _io.Token;
        Guard(() => client.GetOperationStatusAsync(operation, token))
            .PipeTo(Self, success: s => new PollAnswered(s), failure: ex => new PollFailed(ex));
    }

    private void OnPollAnswered(PollAnswered answered)
    {
        _pollInFlight = false;
        _failedPolls = 0;
        var now = Now;
        var status = answered.Status;
        var startedAt = _task.OperationStartedAt ?? _task.StartRequestedAt ?? now;
        if (!status.HasCompleted)
        {
            _misses++;
            _lastRunningPollAt = now;
            SchedulePoll(_settings.Polls.NextDelay(_expected, now - startedAt, _misses, status.SuggestedPollDelay));
            return;
        }

        // Veo is done. It finished somewhere between the last poll that saw it running and this one.
        var duration = _settings.Polls.ObservedDuration(_expected, _lastRunningPollAt - startedAt, now - startedAt);
        var finishedAt = startedAt + duration;
        _veoFinishedAt = finishedAt;
        if (!_recoveredRunning)
        {
            // An upper bound when the first poll already found it done; that pulls a too-high estimate down.
            _dispatcher.Tell(new GenerationObserved(_task.Model, duration));
        }

        _services.Metrics.GenerationCompleted(_task.Model, _polls, duration);

        // KEY PATTERN: the slot is handed over now, in memory, before any download or journal write.
        ReleaseSlot();

        if (_task.Phase != TaskPhase.Running)
        {
            ScheduleIdlePassivation();   // revoked: the result is discarded
            return;
        }

        switch (status.Result)
        {
            case GenerateVideoResult.Succeeded { Videos.Count: > 0 } succeeded:
                _video = succeeded.Videos[0];
                _runningStage = VideoTaskStage.Downloading;
                _ioAttempts = 0;
                PushToWatchers();
                Download();
                break;
            case GenerateVideoResult.Filtered filtered:
                DecideAndStore(new TaskFacts.GenerationFiltered(filtered.FilteredCount, filtered.Reasons));
                break;
            case GenerateVideoResult.Failed failedResult:
                DecideAndStore(new TaskFacts.GenerationFailed(failedResult.Error.Code, failedResult.Error.Message));
                break;
            default:
                DecideAndStore(new TaskFacts.GenerationFailed(2, "Veo reported the operation done without any video, filter result or error."));
                break;
        }
    }

    private void OnPollFailed(PollFailed failed)
    {
        _pollInFlight = false;
        if (IsShutdown(failed.Cause))
        {
            return;
        }

        _failedPolls++;
        var elapsed = Now - (_task.OperationStartedAt ?? Now);
        var next = RetryPolicy.AfterPollFailure(VeoFailures.Poll(failed.Cause), _failedPolls, _settings.MaxConsecutivePollFailures, _settings.Polls, _expected, elapsed, _misses);
        if (next is RetryDecision.Again again)
        {
            _log.Warning("Task {TaskId}: poll {Poll} of operation {OperationName} failed ({FailedPolls} in a row), polling on: {Reason}", TaskId, _polls, _task.OperationName, _failedPolls, failed.Cause.Message);
            SchedulePoll(again.Delay);
            return;
        }

        ReleaseSlot();
        if (_task.Phase != TaskPhase.Running)
        {
            ScheduleIdlePassivation();
            return;
        }

        if (next is RetryDecision.GiveUp { Fact: { } gaveUp })
        {
            DecideAndStore(gaveUp);
        }
    }

    // ---- result: download, then the generation row ----------------------------------------------------------------

    private void Download()
    {
        var video = _video!;
        var path = _services.Videos.PathFor(FolderVideoStore.LocationFor(TaskId));
        var client = _services.Client;
        var token = _io.Token;
        _transferInFlight = true;
        Guard(() => client.DownloadVideoToFileAsync(video, path, token))
            .PipeTo(Self, success: size => new Downloaded(size), failure: ex => new TransferFailed(ex, Saving: false));
    }

    private void OnDownloaded(Downloaded downloaded)
    {
        _transferInFlight = false;
        if (_task.Phase != TaskPhase.Running)
        {
            DeleteVideoFile();   // revoked while downloading: discard
            ScheduleIdlePassivation();
            return;
        }

        _videoSize = downloaded.SizeBytes;
        _runningStage = VideoTaskStage.Saving;
        _ioAttempts = 0;
        PushToWatchers();
        Save();
    }

    private void Save()
    {
        var request = _task.Request!;
        var now = Now;
        var generation = new NewGeneration(
            TaskId,
            request.AdId,
            request.Veo.Prompt ?? string.Empty,
            request.ModelKey,
            request.Veo.Model,
            request.Veo.Seed,
            request.Veo.AspectRatio,
            FolderVideoStore.LocationFor(TaskId),
            _videoSize,
            Math.Round((now - (_task.StartRequestedAt ?? now)).TotalSeconds, 3),
            _task.OperationName,
            _task.SubmittedAt ?? now,
            now);
        var store = _services.Generations;
        var token = _io.Token;
        _transferInFlight = true;
        Guard(() => store.InsertOrGetAsync(generation, token))
            .PipeTo(Self, success: row => new Saved(row), failure: ex => new TransferFailed(ex, Saving: true));
    }

    private void OnSaved(Saved saved)
    {
        _transferInFlight = false;
        var row = saved.Record;
        var decision = _task.Decide(new TaskFacts.GenerationSaved(row.GenerationId, row.VideoLocation, row.SizeBytes, row.GenerationTimeSeconds), Now, _settings.Rules);
        if (decision.Events.Count == 0)
        {
            return;
        }

        Store(decision, () =>
        {
            if (_veoFinishedAt is { } finished)
            {
                _services.Metrics.FinishedToSuccess(Now - finished);
            }

            OnEnded();
        });
    }

    private void OnTransferFailed(TransferFailed failed)
    {
        _transferInFlight = false;
        if (IsShutdown(failed.Cause) || _task.Phase != TaskPhase.Running)
        {
            return;
        }

        _ioAttempts++;
        switch (RetryPolicy.AfterTransferFailure(failed.Saving, failed.Cause.Message, _ioAttempts, _settings.MaxIoAttempts))
        {
            case RetryDecision.Again again:
                _log.Warning("Task {TaskId}: {Step} failed (attempt {Attempt}), retrying: {Reason}", TaskId, failed.Saving ? "saving the generation" : "downloading the video", _ioAttempts, failed.Cause.Message);
                Timers.StartSingleTimer(IoRetryTimer, RetryTransfer.Instance, again.Delay);
                break;
            case RetryDecision.GiveUp { Fact: { } gaveUp }:
                DecideAndStore(gaveUp);
                break;
        }
    }

    private void RetryTransferNow()
    {
        if (_task.Phase != TaskPhase.Running || _transferInFlight)
        {
            return;
        }

        if (_runningStage == VideoTaskStage.Saving)
        {
            Save();
        }
        else if (_runningStage == VideoTaskStage.Downloading)
        {
            Download();
        }
    }

    private void DeleteVideoFile()
    {
        try
        {
            File.Delete(_services.Videos.PathFor(FolderVideoStore.LocationFor(TaskId)));
        }
        catch (IOException ex)
        {
            _log.Warning("Task {TaskId}: could not delete the discarded video: {Reason}", TaskId, ex.Message);
        }
    }

    // ---- time limits -----------------------------------------------------------------------------------------------

    private void ArmTimeLimits(bool afterRecovery)
    {
        var now = Now;
        if (TimeLimitPolicy.UntilSoftLimit(_task, now, _settings.Rules) is { } soft)
        {
            Timers.StartSingleTimer(SoftLimitTimer, LimitTick.Soft, AtLeastOneMs(soft));
        }

        var hard = TimeLimitPolicy.UntilHardLimit(_task, now, _settings.Rules, _settings.Polls.PollInterval, afterRecovery);
        Timers.StartSingleTimer(HardLimitTimer, LimitTick.Hard, AtLeastOneMs(hard));
    }

    private void ArmQueueTimeLimit()
    {
        if (TimeLimitPolicy.UntilQueueLimit(_task, Now, _settings.Rules) is { } queue)
        {
            Timers.StartSingleTimer(QueueLimitTimer, LimitTick.Queue, AtLeastOneMs(queue));
        }
    }

    private void CancelTimeLimits()
    {
        Timers.Cancel(SoftLimitTimer);
        Timers.Cancel(HardLimitTimer);
    }

    private void OnLimitTick(LimitTick tick)
    {
        TaskFact fact = tick.Kind switch
        {
            LimitKind.Soft => new TaskFacts.SoftLimitReached(),
            LimitKind.Hard => new TaskFacts.HardLimitReached(),
            _ => new TaskFacts.QueueLimitReached(),
        };

        if (tick.Kind == LimitKind.Hard && _runningStage is not null)
        {
            return;   // Veo finished in time; only our download or save is left, and that is not the generation's time.
        }

        var decision = _task.Decide(fact, Now, _settings.Rules);
        if (decision.Events.Count == 0)
        {
            return;
        }

        if (tick.Kind != LimitKind.Soft)
        {
            ReleaseSlot();
            Timers.Cancel(PollTimer);
        }
        else
        {
            _log.Warning("Task {TaskId} passed the soft time limit of {LimitSeconds} s", TaskId, _settings.Rules.SoftTimeLimit.TotalSeconds);
        }

        Store(decision);
    }

    // ---- recovery and ending ---------------------------------------------------------------------------------------

    private void OnResume()
    {
        switch (_task.Phase)
        {
            case TaskPhase.New:
                // Any message that woke us was handled before this one. Nothing did: the shard restarted an id it
                // remembered although no task was ever stored under it (a crash during a lookup). Leave again.
                ScheduleIdlePassivation();
                break;

            case TaskPhase.Waiting:
                RequestSlot(enforceQueueLimit: false, recovered: true);
                ArmQueueTimeLimit();
                break;

            case TaskPhase.Starting:
                // Veo's answer may have been stored as a receipt although the journal never got the operation name.
                LookUpStartReceipt();
                break;

            case TaskPhase.Running:
                // Generating at Veo right now, slot or no slot: count it, and go on polling the same operation.
                _recoveredRunning = true;
                _dispatcher.Tell(new ReclaimSlot(TaskId, _task.Model));
                break;

            case TaskPhase.Succeeded or TaskPhase.Failed or TaskPhase.Revoked:
                // Woken for a status read (or remembered across a crash just as it ended): answer, then leave memory.
                ScheduleIdlePassivation();
                break;
        }
    }

    // ---- start receipts ----------------------------------------------------------------------------------------------

    private void LookUpStartReceipt()
    {
        var store = _services.Generations;
        var taskId = TaskId;
        var token = _io.Token;
        Guard(() => store.FindStartAsync(taskId, token))
            .PipeTo(Self, success: r => new StartReceiptLookedUp(r, null), failure: ex => new StartReceiptLookedUp(null, ex));
    }

    private void OnStartReceiptLookedUp(StartReceiptLookedUp lookup)
    {
        if (_task.Phase is not (TaskPhase.Starting or TaskPhase.Revoked) || _task.OperationName is not null)
        {
            return;   // ended meanwhile (e.g. cancelled and the operation name already known)
        }

        if (lookup.Failure is { } failure)
        {
            if (IsShutdown(failure))
            {
                return;
            }

            if (RetryPolicy.AfterReceiptLookupFailure(++_receiptLookups) is RetryDecision.Again again)
            {
                _log.Warning("Task {TaskId}: looking up its start receipt failed (attempt {Attempt}), trying again: {Reason}", TaskId, _receiptLookups, failure.Message);
                Timers.StartSingleTimer(ReceiptTimer, RetryReceiptLookup.Instance, again.Delay);
                return;
            }

            _log.Error(failure, "Task {TaskId}: its start receipt could not be read after {Attempts} attempts; treating its start as indeterminate", TaskId, _receiptLookups);
        }

        if (lookup.Receipt is { } receipt)
        {
            var decision = _task.Decide(new TaskFacts.StartAccepted(receipt.OperationName, receipt.StartedAt), Now, _settings.Rules);
            if (decision.Events.Count == 0)
            {
                return;
            }

            _log.Info("Task {TaskId} was recovered inside its start call; Veo had answered with operation {OperationName}, polling it", TaskId, receipt.OperationName);
            Store(decision, () =>
            {
                _recoveredRunning = true;
                _dispatcher.Tell(new ReclaimSlot(TaskId, _task.Model));
                PushToWatchers();
            });
            return;
        }

        if (_task.Phase != TaskPhase.Starting)
        {
            return;   // revoked while we looked: nothing to start or fail
        }

        // Another incarnation's start call (a node stopping gracefully, or before a rebalance) may still be answered and
        // store its receipt; only once it must have timed out is the start indeterminate.
        var now = Now;
        if (ReceiptWaitPolicy.AfterMissingReceipt(_task.StartRequestedAt ?? now, now, _settings.StartCallTimeout, lookup.Failure is not null) is ReceiptWait.LookAgain wait)
        {
            if (!_awaitingReceipt)
            {
                _awaitingReceipt = true;
                _log.Info("Task {TaskId} was recovered inside its start call; waiting up to {WaitSeconds:0.#} s for Veo's answer to be stored before deciding", TaskId, wait.Left.TotalSeconds);
            }

            Timers.StartSingleTimer(ReceiptTimer, RetryReceiptLookup.Instance, wait.Delay);
            return;
        }

        var indeterminate = _task.Decide(new TaskFacts.RecoveredInsideStart(), Now, _settings.Rules);
        if (indeterminate.Events.Count > 0)
        {
            _log.Warning("Task {TaskId} was recovered inside its start call and no answer of Veo was stored; failing it as INDETERMINATE_START (Generation:RestartIndeterminateStarts is off)", TaskId);
            Store(indeterminate);
        }
        else
        {
            _log.Warning("Task {TaskId} was recovered inside its start call and no answer of Veo was stored; starting it again (Generation:RestartIndeterminateStarts is on)", TaskId);
            RequestSlot(enforceQueueLimit: false, recovered: true);
        }
    }

    private void DecideAndStore(TaskFact fact)
    {
        var decision = _task.Decide(fact, Now, _settings.Rules);
        if (decision.Events.Count > 0)
        {
            Store(decision);
        }
    }

    /// <summary>Stores a decision's events, then ends the task if they ended it, or shows the change to watchers.</summary>
    private void Store(Decision decision) => Store(decision, () =>
    {
        if (_task.HasEnded)
        {
            OnEnded();
        }
        else
        {
            PushToWatchers();
        }
    });

    /// <summary>
    /// Stores every event of a decision (at least one) in one atomic write, folding each into the state as it is
    /// confirmed, and runs <paramref name="stored"/> once, after the last. Commands wait in the stash meanwhile.
    /// </summary>
    private void Store(Decision decision, Action stored)
    {
        var left = decision.Events.Count;
        PersistAll(decision.Events, e =>
        {
            _task = _task.Apply(e);
            if (--left == 0)
            {
                stored();
            }
        });
    }

    private void OnEnded()
    {
        CancelTimeLimits();
        Timers.Cancel(QueueLimitTimer);
        Timers.Cancel(IoRetryTimer);
        _runningStage = null;
        var state = _task.Phase switch
        {
            TaskPhase.Succeeded => VideoTaskState.Success,
            TaskPhase.Failed => VideoTaskState.Failure,
            _ => VideoTaskState.Revoked,
        };
        _services.Metrics.TaskEnded(state);
        if (state == VideoTaskState.Failure)
        {
            _log.Warning("Task {TaskId} failed: {ErrorCode} {Reason}", TaskId, _task.Error?.Code, _task.Error?.Message);
        }

        PushToWatchers();
        Stash.UnstashAll();
        ScheduleIdlePassivation();
    }

    /// <summary>
    /// An ended task stays a little while for status reads, then passivates (the shard stops remembering it). A revoked
    /// task still generating at Veo keeps polling until Veo is done, so that its slot stays counted until then.
    /// </summary>
    private void ScheduleIdlePassivation() => Context.SetReceiveTimeout(_settings.EndedTaskIdle);

    private void OnIdle()
    {
        if (!_task.Exists)
        {
            Passivate();
            return;
        }

        if (_task.HasEnded && !_holdsSlot && !_pollInFlight && !_transferInFlight)
        {
            Passivate();
        }
    }

    private void PassivateIfUnknown()
    {
        if (!_task.Exists && _pendingSubmitter is null)
        {
            Passivate();
        }
    }

    private void Passivate()
    {
        if (_passivating)
        {
            return;
        }

        _passivating = true;
        Context.SetReceiveTimeout(null);
        Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _pendingSubmitter?.Tell(new Status.Failure(cause));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _pendingSubmitter?.Tell(new Status.Failure(cause));
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    protected override void PostStop()
    {
        // Stops waiting for Veo (not the generation itself); the next incarnation resumes from the journal.
        _io.Cancel();
        _io.Dispose();
        base.PostStop();
    }

    private bool IsShutdown(Exception cause) => cause is OperationCanceledException && _io.IsCancellationRequested;

    private static TimeSpan AtLeastOneMs(TimeSpan delay) => delay > TimeSpan.FromMilliseconds(1) ? delay : TimeSpan.FromMilliseconds(1);

    /// <summary>Turns a synchronous throw of an async API into a faulted task, so it reaches the actor as a message.</summary>
    private static Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return call();
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }

    // ---- private messages ------------------------------------------------------------------------------------------

    private sealed class Resume : INoSerializationVerificationNeeded
    {
        public static readonly Resume Instance = new();
    }

    private sealed record StartAnswered(string OperationName) : INoSerializationVerificationNeeded;

    private sealed record StartFailed(Exception Cause) : INoSerializationVerificationNeeded;

    private sealed record StartReceiptLookedUp(StartReceipt? Receipt, Exception? Failure) : INoSerializationVerificationNeeded;

    private sealed record StartReceiptFailed(Exception Cause) : INoSerializationVerificationNeeded;

    /// <summary>What a start call's continuation needs to store the receipt; nothing of the actor's mutable state.</summary>
    private sealed record StartReceiptContext(string TaskId, IGenerationRecorder Store, IActorRef Self, TimeProvider Clock);

    private sealed class RetryReceiptLookup : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly RetryReceiptLookup Instance = new();
    }

    private sealed class PollTick : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly PollTick Instance = new();
    }

    private sealed record PollAnswered(VeoOperationStatus Status) : INoSerializationVerificationNeeded;

    private sealed record PollFailed(Exception Cause) : INoSerializationVerificationNeeded;

    private sealed record Downloaded(long SizeBytes) : INoSerializationVerificationNeeded;

    private sealed record Saved(GenerationRecord Record) : INoSerializationVerificationNeeded;

    private sealed record TransferFailed(Exception Cause, bool Saving) : INoSerializationVerificationNeeded;

    private sealed class RetryTransfer : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly RetryTransfer Instance = new();
    }

    private enum LimitKind
    {
        Soft,
        Hard,
        Queue,
    }

    private sealed record LimitTick(LimitKind Kind) : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly LimitTick Soft = new(LimitKind.Soft);
        public static readonly LimitTick Hard = new(LimitKind.Hard);
        public static readonly LimitTick Queue = new(LimitKind.Queue);
    }

    private sealed class RefreshTick : INoSerializationVerificationNeeded, IDeadLetterSuppression, INotInfluenceReceiveTimeout
    {
        public static readonly RefreshTick Instance = new();
    }
}
