using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ReferenceService.Callers;
using ReferenceService.Contracts;
using ReferenceService.Generation;
using Veo.Sdk.Akka;

namespace ReferenceService.Endpoints;

/// <summary>Following and cancelling tasks: status polling, Server-Sent Events, cancel, and batch status.</summary>
public static class TaskEndpoints
{
    public static RouteGroupBuilder MapTaskEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ApiLinks.ApiRoot).WithTags("Tasks");

        group.MapGet("/tasks/{task_id}/status", GetStatusAsync)
            .WithName("GetTaskStatus")
            .WithSummary("A task's state, progress, queue position, ETA, and its result or error")
            .WithDescription("503 with Retry-After when the task cannot answer in time (Generation:ReadAskTimeoutSeconds), for example while its shard moves to another node: ask again.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/tasks/{task_id}/events", StreamEventsAsync)
            .WithName("StreamTaskEvents")
            .WithSummary("Server-Sent Events: the task's status now and on every change, ending after the final state")
            .WithDescription("Each event is `event: status`, `id: <version>`, `data: <the status JSON>`. Reconnect with Last-Event-ID to skip what you have seen; " +
                             "when the task has ended and you have seen its final status the answer is 204, which stops EventSource from reconnecting. " +
                             "While the task cannot be reached (its node was lost, its shard is moving) an `event: unavailable` with `data: {\"task_id\", \"message\"}` comes once; " +
                             "keep the stream open: the current status follows when the task answers again.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/tasks/{task_id}/cancel", CancelAsync)
            .WithName("CancelTask")
            .WithSummary("Cancel a task: a waiting task never reaches Veo; a running one is revoked (Veo may still bill it)")
            .WithDescription("503 with Retry-After when the task cannot answer in time: nothing was cancelled yet; send the cancel again.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/batches/{batch_id}/status", GetBatchStatusAsync)
            .WithName("GetBatchStatus")
            .WithSummary("A batch's tasks, counted per state, and whether all have settled")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    private static async Task<Results<Ok<TaskStatusResponse>, ProblemHttpResult>> GetStatusAsync(
        [FromRoute(Name = "task_id")] string taskId,
        HttpContext context,
        IVideoGenerationService engine,
        CallerAccess access,
        ApiLinks links)
    {
        var status = await access.CanSeeAsync(context, CallerAccess.TaskKind, taskId) ? await FindAsync(engine, taskId, context.RequestAborted) : null;
        return status is null
            ? TaskNotFound(taskId)
            : TypedResults.Ok(status.ToResponse(id => links.VideoUrl(context.Request, id)));
    }

    private static async Task<Results<ServerSentEventsResult<object>, NoContent, ProblemHttpResult>> StreamEventsAsync(
        [FromRoute(Name = "task_id")] string taskId,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        HttpContext context,
        IVideoGenerationService engine,
        CallerAccess access,
        ApiLinks links)
    {
        var current = await access.CanSeeAsync(context, CallerAccess.TaskKind, taskId) ? await FindAsync(engine, taskId, context.RequestAborted) : null;
        if (current is null)
        {
            return TaskNotFound(taskId);
        }

        var seenVersion = long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : -1;
        if (current.IsFinal && current.Version <= seenVersion)
        {
            return TypedResults.NoContent();
        }

        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(Events(engine, taskId, seenVersion, id => links.VideoUrl(context.Request, id), context.RequestAborted));
    }

    private static async IAsyncEnumerable<SseItem<object>> Events(
        IVideoGenerationService engine,
        string taskId,
        long seenVersion,
        Func<long, string> videoUrl,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var resuming = false;
        await foreach (var watched in engine.WatchEventsAsync(taskId, cancellationToken))
        {
            if (watched is VideoTaskUnreachableEvent unreachable)
            {
                resuming = true;
                yield return new SseItem<object>(TaskUnavailableEvent.From(unreachable), "unavailable");
                continue;
            }

            if (watched is not VideoTaskStatusEvent { Status: var status })
            {
                continue;
            }

            // The first status after an interruption comes even when nothing changed: it says the stream goes on.
            if (status.Version > seenVersion || resuming)
            {
                resuming = false;
                seenVersion = Math.Max(seenVersion, status.Version);
                yield return new SseItem<object>(status.ToResponse(videoUrl), "status")
                {
                    EventId = status.Version.ToString(CultureInfo.InvariantCulture),
                };
            }

            if (status.IsFinal)
            {
                yield break;
            }
        }
    }

    private static async Task<Results<Ok<CancelTaskResponse>, ProblemHttpResult>> CancelAsync(
        [FromRoute(Name = "task_id")] string taskId,
        HttpContext context,
        IVideoGenerationService engine,
        CallerAccess access)
    {
        if (!TaskIds.IsWellFormed(taskId) || !await access.CanSeeAsync(context, CallerAccess.TaskKind, taskId))
        {
            return TaskNotFound(taskId);
        }

        var outcome = await engine.CancelAsync(taskId, context.RequestAborted);
        if (outcome is CancelOutcome.NotFound)
        {
            return TaskNotFound(taskId);
        }

        var after = await engine.GetStatusAsync(taskId, context.RequestAborted);
        var message = outcome switch
        {
            CancelOutcome.RemovedFromQueue => "The task was waiting; it was removed from the queue and never reached Veo.",
            CancelOutcome.RevokedWhileRunning => "The task was running; it is revoked and its result will be discarded. Veo cannot stop a generation it has started, so it may still be billed.",
            _ => "The task had already ended; nothing changed.",
        };
        return TypedResults.Ok(new CancelTaskResponse(taskId, StatusMapping.OutcomeName(outcome), message, after is null ? null : StatusMapping.StateName(after.State)));
    }

    private static async Task<Results<Ok<BatchStatusResponse>, ProblemHttpResult>> GetBatchStatusAsync(
        [FromRoute(Name = "batch_id")] string batchId,
        HttpContext context,
        IVideoGenerationService engine,
        BatchStore batches,
        CallerAccess access,
        ApiLinks links)
    {
        if (!TaskIds.IsWellFormed(batchId) || !await access.CanSeeAsync(context, CallerAccess.BatchKind, batchId) || await batches.GetAsync(batchId, context.RequestAborted) is not { } batch)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Batch not found", detail: $"There is no batch '{Shorten(batchId)}'.");
        }

        var statuses = await Task.WhenAll(batch.TaskIds.Select(id => engine.GetStatusAsync(id, context.RequestAborted)));
        var tasks = statuses.OfType<VideoTaskStatus>().Select(status => status.ToResponse(id => links.VideoUrl(context.Request, id))).ToArray();
        int Count(VideoTaskState state) => statuses.Count(status => status?.State == state);
        return TypedResults.Ok(new BatchStatusResponse
        {
            BatchId = batch.BatchId,
            CreatedAt = batch.CreatedAt,
            Total = batch.TaskIds.Count,
            Counts = new BatchCountsResponse(
                Count(VideoTaskState.Pending),
                Count(VideoTaskState.Progress),
                Count(VideoTaskState.Success),
                Count(VideoTaskState.Failure),
                Count(VideoTaskState.Revoked)),
            AllSettled = statuses.All(status => status is null || status.IsFinal),
            Progress = tasks.Length == 0 ? 0 : (int)Math.Round(tasks.Average(task => task.Progress)),
            Tasks = tasks,
        });
    }

    /// <summary>Reads a status, treating ids this service could never have handed out as unknown.</summary>
    internal static async Task<VideoTaskStatus?> FindAsync(IVideoGenerationService engine, string taskId, CancellationToken cancellationToken)
    {
        if (!TaskIds.IsWellFormed(taskId))
        {
            return null;
        }

        try
        {
            return await engine.GetStatusAsync(taskId, cancellationToken);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    internal static ProblemHttpResult TaskNotFound(string taskId)
        => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Task not found", detail: $"There is no task '{Shorten(taskId)}'.");

    /// <summary>Echoes at most 100 characters of a caller's id.</summary>
    internal static string Shorten(string value) => value.Length <= 100 ? value : value[..100] + "…";
}
