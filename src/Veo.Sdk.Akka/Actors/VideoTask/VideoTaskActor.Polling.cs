using Akka.Actor;
using Akka.Event;
using Veo.Sdk.Akka.Generation;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Polling: the task asks Veo about its operation on the <see cref="PollSchedule"/> until Veo is done, polls on through
/// transient failures (<see cref="RetryPolicy.AfterPollFailure"/>), and hands its slot back the moment Veo is done.
/// </summary>
internal sealed partial class VideoTaskActor
{
    private const string PollTimer = "poll";

    /// <summary>Recovery found the task generating: its generation time is not this incarnation's to learn from.</summary>
    private bool _recoveredRunning;

    private bool _pollInFlight;
    private int _polls;

    /// <summary>Answered polls that found the generation still running.</summary>
    private int _misses;

    /// <summary>Failed polls since the last answered one.</summary>
    private int _failedPolls;

    private DateTimeOffset? _lastRunningPollAt;

    /// <summary>When Veo finished, as well as the polls can tell; the time from there to success is a metric.</summary>
    private DateTimeOffset? _veoFinishedAt;

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

        OnVeoDone(status.Result);
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

    private sealed class PollTick : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly PollTick Instance = new();
    }

    private sealed record PollAnswered(VeoOperationStatus Status) : INoSerializationVerificationNeeded;

    private sealed record PollFailed(Exception Cause) : INoSerializationVerificationNeeded;
}
