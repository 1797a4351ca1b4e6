using System.Globalization;

namespace Veo.Sdk.Akka.Generation;

/// <summary>What the actor knows beyond the journal when it describes a task.</summary>
/// <param name="Now">The current time.</param>
/// <param name="RunningStage">Downloading or Saving once Veo has finished; <see langword="null"/> before.</param>
/// <param name="Expected">The expected generation duration of the task's model.</param>
/// <param name="QueuePosition">The 1-based position while waiting, when known.</param>
/// <param name="QueueLength">How many tasks wait on this node.</param>
/// <param name="Concurrency">How many generations may run at once right now (lowered after quota refusals).</param>
/// <param name="Version">The status version to report.</param>
internal sealed record LiveView(
    DateTimeOffset Now,
    VideoTaskStage? RunningStage,
    ExpectedDuration Expected,
    int? QueuePosition,
    int QueueLength,
    int Concurrency,
    long Version);

/// <summary>Turns a task's state into the status the facade reports (the original system's vocabulary).</summary>
internal static class StatusProjection
{
    public static VideoTaskStatus ToStatus(this VideoTask task, LiveView live)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(live);
        if (!task.Exists || task.Request is null || task.SubmittedAt is not { } createdAt)
        {
            throw new InvalidOperationException($"Task {task.Id} does not exist; it has no status.");
        }

        var status = new VideoTaskStatus
        {
            TaskId = task.Id.Value,
            State = VideoTaskState.Pending,
            Stage = VideoTaskStage.Queued,
            StatusText = string.Empty,
            Progress = 0,
            Priority = task.Priority,
            CreatedAt = createdAt,
            StartedAt = task.StartRequestedAt,
            CompletedAt = task.CompletedAt,
            Warnings = Warnings(task),
            Version = live.Version,
        };

        return task.Phase switch
        {
            TaskPhase.Waiting => Waiting(task, live, status),
            TaskPhase.Starting => status with
            {
                State = VideoTaskState.Progress,
                Stage = VideoTaskStage.Submitting,
                StatusText = "Submitting the request to Veo",
                Progress = ProgressModel.Submitting,
                ProgressIsEstimated = true,
                EstimatedTimeLeft = live.Expected.Duration,
            },
            TaskPhase.Running => Running(task, live, status),
            TaskPhase.Succeeded => status with
            {
                State = VideoTaskState.Success,
                Stage = VideoTaskStage.Done,
                StatusText = $"Video ready (generation {task.GenerationId})",
                Progress = 100,
                Result = new VideoTaskResult
                {
                    GenerationId = task.GenerationId ?? 0,
                    VideoLocation = task.VideoLocation ?? string.Empty,
                    SizeBytes = task.SizeBytes ?? 0,
                    GenerationTimeSeconds = task.GenerationTimeSeconds ?? 0,
                    OperationName = task.OperationName,
                    Request = task.Request,
                },
            },
            TaskPhase.Failed => status with
            {
                State = VideoTaskState.Failure,
                Stage = VideoTaskStage.Done,
                StatusText = $"Failed: {task.Error?.Message}",
                Progress = 100,
                Error = task.Error,
            },
            TaskPhase.Revoked => status with
            {
                State = VideoTaskState.Revoked,
                Stage = VideoTaskStage.Done,
                StatusText = task.RevokedWhileRunning
                    ? "Revoked while running; its result will be discarded (Veo may still finish and bill the generation)"
                    : "Revoked: removed from the queue before it reached Veo",
                Progress = 100,
            },
            _ => throw new InvalidOperationException($"Unexpected phase {task.Phase}."),
        };
    }

    private static VideoTaskStatus Waiting(VideoTask task, LiveView live, VideoTaskStatus status)
    {
        var position = live.QueuePosition;
        var text = task.RetryNotBefore is { } retryAt && retryAt > live.Now
            ? $"Waiting: Veo's quota was exceeded, retrying not before {retryAt.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC"
                + (position is { } p ? $" (position {p} in queue)" : string.Empty)
            : position is { } q
                ? $"Waiting in queue (position {q} of {Math.Max(q, live.QueueLength)})"
                : "Waiting in queue";
        return status with
        {
            StatusText = text,
            QueuePosition = position,
            EstimatedTimeLeft = ProgressModel.WaitingTimeLeft(position ?? live.QueueLength, live.Concurrency, live.Expected.Duration),
        };
    }

    private static VideoTaskStatus Running(VideoTask task, LiveView live, VideoTaskStatus status)
    {
        var status2 = status with { State = VideoTaskState.Progress, ProgressIsEstimated = true };
        switch (live.RunningStage)
        {
            case VideoTaskStage.Downloading:
                return status2 with { Stage = VideoTaskStage.Downloading, StatusText = "Downloading the video from Veo", Progress = ProgressModel.Downloading, EstimatedTimeLeft = TimeSpan.FromSeconds(1) };
            case VideoTaskStage.Saving:
                return status2 with { Stage = VideoTaskStage.Saving, StatusText = "Saving the video", Progress = ProgressModel.Saving, EstimatedTimeLeft = TimeSpan.FromSeconds(1) };
            default:
                var elapsed = live.Now - (task.StartRequestedAt ?? live.Now);
                var percent = ProgressModel.Generating(elapsed, live.Expected.Duration);
                return status2 with
                {
                    Stage = VideoTaskStage.Generating,
                    StatusText = $"Generating the video (about {percent}%, estimated)",
                    Progress = percent,
                    EstimatedTimeLeft = ProgressModel.GeneratingTimeLeft(elapsed, live.Expected.Duration),
                };
        }
    }

    private static List<string> Warnings(VideoTask task)
    {
        var warnings = new List<string>();
        if (task.QuotaDeferrals > 0)
        {
            warnings.Add($"Veo's quota was exceeded; the task went back to waiting {task.QuotaDeferrals} time(s).");
        }

        if (task.RestartedAfterIndeterminateStart)
        {
            warnings.Add("The engine stopped while starting this generation and started it again; Veo may have run (and billed) it twice.");
        }

        if (task.SoftLimitPassedSeconds is { } soft)
        {
            warnings.Add($"The generation passed the soft time limit of {soft.ToString("0.###", CultureInfo.InvariantCulture)} s.");
        }

        return warnings;
    }
}
