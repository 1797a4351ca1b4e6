using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Options;
using ReferenceService.Contracts;
using ReferenceService.Generation;
using ReferenceService.Http;
using Veo.Sdk.Akka;

namespace ReferenceService.Endpoints;

/// <summary>Submitting generations: the original async endpoint, its batch form, and the deprecated synchronous endpoint.</summary>
public static partial class GenerationEndpoints
{
    private const string AsyncPath = ApiLinks.ApiRoot + "/generate-video-async";

    public static RouteGroupBuilder MapGenerationEndpoints(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<ApiOptions>>().Value;
        var group = app.MapGroup(ApiLinks.ApiRoot).WithTags("Generation");

        group.MapPost("/generate-video-async", SubmitAsync)
            .WithName("GenerateVideoAsync")
            .WithSummary("Start generating a video; answers at once with a task id")
            .WithDescription("Send an Idempotency-Key header to make retries safe: the same key (from the same client) always names the same task. " +
                             "Reusing a key with a different request answers 422 and submits nothing.")
            .WithMetadata(new RequestBodyLimit(options.MaxRequestBodyBytes))
            .ProducesSubmitProblems();

        group.MapPost("/generate-videos-async", SubmitBatchAsync)
            .WithName("GenerateVideosAsync")
            .WithSummary("Start several generations at once; answers with a batch id and a task id per request")
            .WithDescription("All requests are validated before any is queued; if the queue fills up midway, the ones this call queued are cancelled and the answer is 503.")
            .WithMetadata(new RequestBodyLimit((long)options.MaxRequestBodyBytes * options.MaxBatchSize))
            .ProducesSubmitProblems();

        group.MapPost("/generate-video", GenerateAndWaitAsync)
            .WithName("GenerateVideo")
            .WithSummary("Deprecated: generate a video and wait for it")
            .WithDescription("Runs through the same engine as the async endpoint (same parallelism, visible in status) and answers when the task ends. " +
                             "If the caller disconnects, the task goes on. Use generate-video-async and the status or events endpoints instead.")
            .Deprecated(AsyncPath, "Use POST " + AsyncPath + ", then GET …/tasks/{task_id}/status or …/tasks/{task_id}/events.")
            .WithMetadata(new RequestBodyLimit(options.MaxRequestBodyBytes))
            .ProducesSubmitProblems()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);

        return group;
    }

    /// <summary>What every submit may answer besides its success and a 400: body limits, a reused idempotency key, rate limit, full queue.</summary>
    private static RouteHandlerBuilder ProducesSubmitProblems(this RouteHandlerBuilder builder)
    {
        return builder
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<Results<Accepted<GenerateVideoAsyncResponse>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] GenerateVideoBody body,
        HttpContext context,
        GenerationSubmitter submitter,
        ApiLinks links)
    {
        var submission = await submitter.SubmitAsync(body, context);
        if (submission.Accepted is not { } submitted)
        {
            return submission.Invalid is { } invalid ? invalid : submission.Refused!;
        }

        var message = submitted.AlreadyExisted
            ? "This Idempotency-Key was used before; here is the task it started."
            : "Video generation started. Poll the status endpoint (or stream its events) with the task_id.";
        return TypedResults.Accepted(
            links.Absolute(context.Request, ApiLinks.StatusPath(submitted.TaskId)),
            new GenerateVideoAsyncResponse(true, submitted.TaskId, message, submitted.EstimatedTimeSeconds));
    }

    private static async Task<Results<Accepted<GenerateVideosAsyncResponse>, ValidationProblem, ProblemHttpResult>> SubmitBatchAsync(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] GenerateVideosBody body,
        HttpContext context,
        GenerationSubmitter submitter,
        ApiLinks links)
    {
        var submission = await submitter.SubmitBatchAsync(body, context);
        if (submission.Accepted is not { } batch)
        {
            return submission.Invalid is { } invalid ? invalid : submission.Refused!;
        }

        var tasks = batch.Tasks.Select(task => new BatchTaskResponse(task.TaskId, task.EstimatedTimeSeconds)).ToArray();
        var message = batch.AlreadyExisted
            ? "This Idempotency-Key was used before; here is the batch it started."
            : $"{tasks.Length} video generations started. Poll the batch status for all of them, or each task's status.";
        return TypedResults.Accepted(
            links.Absolute(context.Request, ApiLinks.BatchStatusPath(batch.BatchId)),
            new GenerateVideosAsyncResponse(true, batch.BatchId, tasks, message, tasks.Max(task => task.EstimatedTimeSeconds)));
    }

    private static async Task<Results<Ok<GenerateVideoSyncResponse>, ValidationProblem, ProblemHttpResult, EmptyHttpResult>> GenerateAndWaitAsync(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] GenerateVideoBody body,
        HttpContext context,
        GenerationSubmitter submitter,
        IVideoGenerationService engine,
        ApiLinks links,
        IOptions<ApiOptions> options,
        ILoggerFactory loggerFactory)
    {
        var submission = await submitter.SubmitAsync(body, context);
        if (submission.Accepted is not { } submitted)
        {
            return submission.Invalid is { } invalid ? invalid : submission.Refused!;
        }

        var logger = loggerFactory.CreateLogger(typeof(GenerationEndpoints).FullName!);
        using var scope = logger.BeginScope("Task {TaskId}", submitted.TaskId);
        var timeout = TimeSpan.FromSeconds(options.Value.SyncTimeoutSeconds);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(timeout);

        VideoTaskStatus? last = null;
        try
        {
            // Waiting is all this request does: a disconnect or the deadline stops the wait, never the task.
            await foreach (var status in engine.WatchAsync(submitted.TaskId, deadline.Token))
            {
                last = status;
                if (status.IsFinal)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            LogCallerLeft(logger, submitted.TaskId);
            return TypedResults.Empty;
        }
        catch (OperationCanceledException)
        {
            // the deadline passed; answered below
        }

        var statusUrl = links.Absolute(context.Request, ApiLinks.StatusPath(submitted.TaskId));
        var facts = new Dictionary<string, object?> { ["task_id"] = submitted.TaskId, ["status_url"] = statusUrl };
        switch (last)
        {
            case { State: VideoTaskState.Success, Result: { } result }:
                var video = result.ToResponse(id => links.VideoUrl(context.Request, id));
                return TypedResults.Ok(new GenerateVideoSyncResponse
                {
                    Success = true,
                    TaskId = submitted.TaskId,
                    VideoUrl = video.VideoUrl,
                    GenerationId = video.GenerationId,
                    GenerationTime = video.GenerationTime,
                    SizeBytes = video.SizeBytes,
                    Prompt = video.Prompt,
                    VideoModelKey = video.VideoModelKey,
                    Model = video.Model,
                    AspectRatio = video.AspectRatio,
                    Seed = video.Seed,
                    AdId = video.AdId,
                });
            case { State: VideoTaskState.Failure } failed:
                facts["error"] = failed.Error is { } error ? new TaskErrorResponse(error.Code, error.Message, error.Details) : null;
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status502BadGateway,
                    title: "Video generation failed",
                    detail: failed.Error?.Message ?? failed.StatusText,
                    extensions: facts);
            case { State: VideoTaskState.Revoked }:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Video generation was cancelled",
                    detail: "The task was cancelled before it finished.",
                    extensions: facts);
            case null:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status500InternalServerError,
                    title: "Task not found after submit",
                    detail: "The engine accepted the task but has no status for it.",
                    extensions: facts);
            default:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status504GatewayTimeout,
                    title: "Video generation is taking longer than this endpoint waits",
                    detail: $"The task is still running after {timeout.TotalSeconds:0} s; it goes on. Follow it at status_url.",
                    extensions: facts);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The caller of the synchronous endpoint left before task {TaskId} ended; the task goes on")]
    private static partial void LogCallerLeft(ILogger logger, string taskId);
}
