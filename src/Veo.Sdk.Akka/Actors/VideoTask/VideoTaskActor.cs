using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Storage;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Owns one generation task: its journal (what was asked, whether Veo was asked, which operation Veo named, how it
/// ended), its slot at the cluster's <see cref="GenerationDispatcher"/>, and the Veo calls made for it. Decisions are the pure
/// <see cref="VideoTaskDecisions"/>, retries and waits the pure policies beside them (<see cref="RetryPolicy"/>,
/// <see cref="ReceiptWaitPolicy"/>, <see cref="TimeLimitPolicy"/>); this actor sequences them with I/O, timers and persistence.
/// </summary>
/// <remarks>
/// <para>
/// Never starts a generation twice: <see cref="VideoTaskEvents.StartRequested"/> is journaled before the start call and
/// <see cref="VideoTaskEvents.Started"/> (the operation name) as soon as Veo answers, so a recovered task resumes polling
/// the same operation. Veo's answer is also written at once as a <see cref="StartReceipt"/>, outside the journal's queue;
/// a task recovered with an intent but no operation name resumes from its receipt, and only without one follows
/// <see cref="DecisionRules.RestartIndeterminateStarts"/>.
/// </para>
/// <para>
/// One concern per file: this one holds the journal, recovery and the routing of messages; <c>.Admission</c> (submits),
/// <c>.Cancellation</c>, <c>.Slots</c> (the dispatcher), <c>.Start</c> (the start call and its receipts), <c>.Polling</c>,
/// <c>.Result</c> (Veo's outcome, the download and the generation row), <c>.Limits</c> (time limits),
/// <c>.StatusBroadcast</c> (status replies and watchers) and <c>.Ending</c> (ending and passivation). Each keeps the
/// in-memory state it owns.
/// </para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "An actor's resources are released in PostStop, not by Dispose.")]
internal sealed partial class VideoTaskActor : ReceivePersistentActor, IWithTimers
{
    private readonly TaskServices _services;
    private readonly EngineSettings _settings;
    private readonly IActorRef _dispatcher;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Cancelled when this incarnation stops: its waits for Veo and the stores end with it.</summary>
    private readonly CancellationTokenSource _io = new();

    /// <summary>The fold of the journal; everything else this actor holds is what the incarnation knows beyond it.</summary>
    private VideoTask _task;

    public VideoTaskActor(string entityId, TaskServices services, IActorRef dispatcher, IActorRef? region = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
        _settings = services.Settings;
        _dispatcher = dispatcher;
        _region = region;
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
        Command<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_dispatcherSeen))
            {
                OnDispatcherLost();
            }
            else
            {
                RemoveWatcher(t.ActorRef);
            }
        });
        Command<RegistrationUnanswered>(_ => OnRegistrationUnanswered());
        Command<VideoTaskCommands.Wake>(_ => OnWake());
        Command<TaskHandOff>(_ => OnHandOff());
        Command<OpenRowWritten>(OnOpenRowWritten);
        Command<RetryOpenRow>(_ => OnRetryOpenRow());
        Command<DormancyAccepted>(_ => OnDormancyAccepted());

        Command<SlotGranted>(OnSlotGranted);
        Command<SlotReclaimed>(OnSlotReclaimed);
        Command<SlotQueued>(OnSlotQueued);
        Command<QueueInfo>(OnQueueInfo);
        Command<QueueInfoOverdue>(_ => AnswerQueueInfoReaders());

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

    /// <summary>Recovery is complete: pick up where the journal left the task.</summary>
    private void OnResume()
    {
        switch (_task.Phase)
        {
            case TaskPhase.New:
                // Any message that woke us was handled before this one (a lookup of an unknown id, or a wake-up for an
                // open-task row whose submit was never journaled). Leave again.
                ScheduleIdlePassivation();
                break;

            case TaskPhase.Waiting:
                EnsureOpenRow();
                RequestSlot(enforceQueueLimit: false, recovered: true);
                ArmQueueTimeLimit();
                break;

            case TaskPhase.Starting:
                // The start call may have reached Veo: count the slot while the receipt decides. Veo's answer may have
                // been stored as a receipt although the journal never got the operation name.
                EnsureOpenRow();
                ReclaimSlot();
                LookUpStartReceipt();
                break;

            case TaskPhase.Running:
                // Generating at Veo right now, slot or no slot: count it, and go on polling the same operation.
                EnsureOpenRow();
                _recoveredRunning = true;
                ReclaimSlot();
                break;

            case TaskPhase.Succeeded or TaskPhase.Failed or TaskPhase.Revoked:
                // Woken for a status read (or by recovery, across a crash just as it ended): answer, then leave memory.
                ScheduleIdlePassivation();
                break;
        }
    }

    // ---- storing decisions -------------------------------------------------------------------------------------------

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

    // ---- helpers -------------------------------------------------------------------------------------------------------

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

    private sealed class Resume : INoSerializationVerificationNeeded
    {
        public static readonly Resume Instance = new();
    }
}
