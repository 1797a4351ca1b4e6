using Akka.Actor;
using Akka.Event;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Storage;

namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// The result: what Veo's finished operation means for the task. A video is saved to the video store (downloaded, or taken
/// from where Vertex AI wrote it), then its generation row written, and only then is the task a success; both steps are
/// retried (<see cref="RetryPolicy.AfterTransferFailure"/>).
/// </summary>
internal sealed partial class VideoTaskActor
{
    private const string IoRetryTimer = "io-retry";

    /// <summary>Downloading or saving once Veo is done; <see langword="null"/> before (and after the task ended).</summary>
    private VideoTaskStage? _runningStage;

    private GeneratedVideo? _video;
    private StoredVideo? _stored;

    /// <summary>Attempts at the current step (download or save).</summary>
    private int _ioAttempts;

    private bool _transferInFlight;

    private void OnVeoDone(GenerateVideoResult? result)
    {
        switch (result)
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

    private void Download()
    {
        var video = _video!;
        var store = _services.Videos;
        var client = _services.Client;
        var taskId = TaskId;
        var token = _io.Token;
        _transferInFlight = true;
        Guard(() => store.SaveAsync(taskId, video, client, token))
            .PipeTo(Self, success: stored => new Downloaded(stored), failure: ex => new TransferFailed(ex, Saving: false));
    }

    private void OnDownloaded(Downloaded downloaded)
    {
        _transferInFlight = false;
        if (_task.Phase != TaskPhase.Running)
        {
            DeleteVideo(downloaded.Video.Location);   // revoked while downloading: discard
            ScheduleIdlePassivation();
            return;
        }

        _stored = downloaded.Video;
        _runningStage = VideoTaskStage.Saving;
        _ioAttempts = 0;
        PushToWatchers();
        Save();
    }

    private void Save()
    {
        var request = _task.Request!;
        var stored = _stored!;
        var now = Now;
        var generation = new NewGeneration(
            TaskId,
            request.AdId,
            request.Veo.Prompt ?? string.Empty,
            request.ModelKey,
            request.Veo.Model,
            request.Veo.Seed,
            request.Veo.AspectRatio,
            stored.Location,
            stored.SizeBytes,
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

    /// <summary>Best effort, off the actor: a discarded video left behind costs storage, never the task.</summary>
    private void DeleteVideo(string location)
    {
        var log = _log;
        var taskId = TaskId;
        var store = _services.Videos;
        Guard(async () =>
        {
            await store.DeleteAsync(location, CancellationToken.None).ConfigureAwait(false);
            return true;
        }).ContinueWith(
            deleted => log.Warning("Task {TaskId}: could not delete the discarded video {Location}: {Reason}", taskId, location, deleted.Exception?.GetBaseException().Message),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private sealed record Downloaded(StoredVideo Video) : INoSerializationVerificationNeeded;

    private sealed record Saved(GenerationRecord Record) : INoSerializationVerificationNeeded;

    private sealed record TransferFailed(Exception Cause, bool Saving) : INoSerializationVerificationNeeded;

    private sealed class RetryTransfer : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly RetryTransfer Instance = new();
    }
}
