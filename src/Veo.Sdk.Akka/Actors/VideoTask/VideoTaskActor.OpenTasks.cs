using Akka.Actor;
using Akka.Event;
using Veo.Sdk.Akka.Generation;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Open tasks: a submitted, unfinished task has a row in the open-task table, which recovery walks to bring it back after a
/// restart or a node loss (the engine does not use remember-entities, whose two journal writes per task and per-shard
/// recovery cost more). The row is written while <see cref="VideoTaskEvents.Submitted"/> is journaled and the submit is
/// answered once both are durable; it is removed when the task ends. A task whose shard moves asks its region to wake it
/// at the new home.
/// </summary>
internal sealed partial class VideoTaskActor
{
    private const string OpenRowTimer = "open-row";
    private static readonly TimeSpan OpenRowRetryDelay = TimeSpan.FromSeconds(1);

    private readonly IActorRef? _region;

    /// <summary>The submitter whose answer waits for the open-task row (the event is already journaled).</summary>
    private IActorRef? _submitterAwaitingRow;

    /// <summary>Writes the open-task row; the answer arrives as <see cref="OpenRowWritten"/>.</summary>
    private Task<bool> WriteOpenRow()
    {
        var written = Guard(async () =>
        {
            await _services.Generations.OpenTaskAsync(TaskId, _io.Token).ConfigureAwait(false);
            return true;
        });
        written.ContinueWith(t => new OpenRowWritten(t.Exception?.GetBaseException()), TaskScheduler.Default).PipeTo(Self);
        return written;
    }

    /// <summary>Recovery found the task unfinished: make sure the walk finds it next time (a crash may have beaten the row).</summary>
    private void EnsureOpenRow() => WriteOpenRow();

    private void OnOpenRowWritten(OpenRowWritten written)
    {
        if (written.Cause is { } cause)
        {
            if (IsShutdown(cause))
            {
                return;
            }

            _log.Warning("Task {TaskId}: its open-task row could not be written ({Reason}); trying again", TaskId, cause.Message);
            Timers.StartSingleTimer(OpenRowTimer, RetryOpenRow.Instance, OpenRowRetryDelay);
            if (_submitterAwaitingRow is null)
            {
                return;
            }
        }

        if (_submitterAwaitingRow is { } submitter)
        {
            // The event is journaled either way: the task exists and runs. A row still missing is retried until written.
            _submitterAwaitingRow = null;
            submitter.Tell(new VideoTaskReplies.SubmitAccepted(_task.Id, AlreadyExisted: false, EstimatedSeconds()));
            if (_task.Phase == TaskPhase.Waiting)
            {
                LeaveMemoryIfFarBack();
            }
        }
    }

    private void OnRetryOpenRow()
    {
        if (_task.Exists && !_task.HasEnded)
        {
            WriteOpenRow();
        }
    }

    private void CloseOpenRow()
    {
        Timers.Cancel(OpenRowTimer);
        var log = _log;
        var taskId = TaskId;
        Guard(async () =>
        {
            await _services.Generations.CloseTaskAsync(taskId).ConfigureAwait(false);
            return true;
        }).ContinueWith(
            t => log.Warning("Task {TaskId}: its open-task row could not be removed ({Reason}); the next recovery wakes it once more for nothing", taskId, t.Exception?.GetBaseException().Message),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
    }

    /// <summary>The dispatcher's recovery walk (or this task's own hand-off) woke us.</summary>
    private void OnWake()
    {
        if (!_task.Exists || _task.HasEnded)
        {
            // Not unfinished: the row is a leftover (a crash after the end, or before the submit was journaled).
            _dispatcher.Tell(new TaskNotOpen(TaskId));
            CloseOpenRow();
            return;
        }

        if (_holdsSlot || _awaitingGrant)
        {
            Register("the dispatcher's recovery asked after it");
        }

        // Otherwise recovery's own report is on its way (or a start receipt is being looked up, which ends in one).
    }

    /// <summary>The shard is handing this task to another node: stop, and have the region wake us at the new home.</summary>
    private void OnHandOff()
    {
        if (_task.Exists && !_task.HasEnded && _region is not null)
        {
            _region.Tell(new VideoTaskCommands.Wake(_task.Id));
        }

        Context.Stop(Self);
    }

    private sealed record OpenRowWritten(Exception? Cause) : INoSerializationVerificationNeeded;

    private sealed class RetryOpenRow : INoSerializationVerificationNeeded
    {
        public static readonly RetryOpenRow Instance = new();
    }
}

/// <summary>The shard's hand-off stop message for task actors (instead of a poison pill): the task asks to be woken where its shard goes.</summary>
internal sealed class TaskHandOff : INoSerializationVerificationNeeded
{
    public static readonly TaskHandOff Instance = new();

    private TaskHandOff()
    {
    }
}
