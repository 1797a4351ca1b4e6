using Akka.Actor;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Serialization;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Actors;

/// <summary>Admission: a submit creates the task once the dispatcher has queued it, or answers for the task that exists.</summary>
internal sealed partial class VideoTaskActor
{
    /// <summary>Who submitted the task being admitted; answered once <see cref="VideoTaskEvents.Submitted"/> is stored.</summary>
    private IActorRef? _pendingSubmitter;

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
        var admission = new RequestSlot(TaskId, request.Priority, submittedAt, null, request.Veo.Model, EnforceQueueLimit: true);
        _dispatcher.Tell(admission);
        AwaitRegistration();
        Become(() => Admitting(request, submittedAt, admission));
    }

    private void Admitting(VideoGenerationRequest request, DateTimeOffset submittedAt, RequestSlot admission)
    {
        Command<Resume>(_ => { });   // a new task has nothing to resume
        Command<RegistrationUnanswered>(_ =>
        {
            // The dispatcher is moving (or its node was lost with the request): ask the one that takes over.
            if (BackOffRegistration() is not null)
            {
                _dispatcher.Tell(admission);
                AwaitRegistration();
            }
        });
        Command<SlotQueued>(queued =>
        {
            OnSlotQueued(queued);
            var decision = _task.Decide(new TaskFacts.Admitted(request), submittedAt, _settings.Rules);
            var submitter = _pendingSubmitter!;   // captured before the persist callback

            // The open-task row is written beside the journal's write; the submit is answered once both are durable.
            var openRow = WriteOpenRow();
            Store(decision, () =>
            {
                _pendingSubmitter = null;
                _awaitingGrant = true;            // the admission request is our place in the queue
                _services.Metrics.TaskSubmitted();
                if (openRow.IsCompletedSuccessfully)
                {
                    submitter.Tell(new VideoTaskReplies.SubmitAccepted(_task.Id, AlreadyExisted: false, EstimatedSeconds()));
                }
                else
                {
                    _submitterAwaitingRow = submitter;
                }

                LeaveMemoryIfFarBack();
                ArmQueueTimeLimit();
                Become(Ready);
                Stash.UnstashAll();
            });
        });
        Command<QueueIsFull>(full =>
        {
            DispatcherAnswered(Sender);
            _pendingSubmitter?.Tell(new VideoTaskReplies.QueueFull(_task.Id, full.MaxQueueLength, full.RetryAfter.TotalSeconds));
            _pendingSubmitter = null;
            Become(Ready);
            Stash.UnstashAll();
            Passivate();
        });
        CommandAny(_ => Stash.Stash());
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
}
