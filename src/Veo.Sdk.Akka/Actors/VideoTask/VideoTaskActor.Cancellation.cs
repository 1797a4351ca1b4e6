using Akka.Actor;
using Akka.Event;
using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Actors;

/// <summary>Cancellation: a waiting task leaves the queue; a running one is revoked and its result discarded.</summary>
internal sealed partial class VideoTaskActor
{
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
}
