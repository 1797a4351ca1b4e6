using Akka.Actor;
using Akka.Event;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Storage;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// The start call and its receipts: Veo is asked to start once the intent is stored; its answer goes to the journal and,
/// at once, to a start receipt. A task recovered inside its start call looks for that receipt before deciding.
/// </summary>
internal sealed partial class VideoTaskActor
{
    private const string ReceiptTimer = "receipt-lookup";

    /// <summary>Lookups of the start receipt that failed so far (see <see cref="RetryPolicy.AfterReceiptLookupFailure"/>).</summary>
    private int _receiptLookups;

    /// <summary>The task is waiting for an earlier incarnation's start call to store its receipt (logged once).</summary>
    private bool _awaitingReceipt;

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
            _dispatcher.Tell(new QuotaExceeded(TaskId, _task.Priority, _task.SubmittedAt ?? Now, quota.RetryAt, _task.Model));
            _holdsSlot = false;
            _awaitingGrant = true;
            AwaitRegistration();   // answered with SlotQueued
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
                if (_holdsSlot)
                {
                    ResumePolling();   // the slot was reclaimed while the receipt was looked up
                }
                else if (!_reclaimPending)
                {
                    ReclaimSlot();     // (a reclaim still unanswered starts the polls when its answer comes)
                }

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
            ReleaseSlot();
            Store(indeterminate);
        }
        else
        {
            _log.Warning("Task {TaskId} was recovered inside its start call and no answer of Veo was stored; starting it again (Generation:RestartIndeterminateStarts is on)", TaskId);
            ReleaseSlot();   // the slot counted while the receipt was awaited; it asks again in its old place
            _reclaimPending = false;
            RequestSlot(enforceQueueLimit: false, recovered: true);
        }
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
}
