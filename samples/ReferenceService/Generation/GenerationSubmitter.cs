using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ReferenceService.Callers;
using ReferenceService.Contracts;
using ReferenceService.Http;
using ReferenceService.Webhooks;
using Veo.Sdk.Akka;

namespace ReferenceService.Generation;

/// <summary>The outcome of a submit: accepted, or the response that rejects it.</summary>
public sealed class Submission<T>
    where T : class
{
    internal Submission(T? accepted, ValidationProblem? invalid, ProblemHttpResult? refused) => (Accepted, Invalid, Refused) = (accepted, invalid, refused);

    /// <summary>What was submitted, when the submit went through.</summary>
    public T? Accepted { get; }

    /// <summary>A 400 naming the invalid fields.</summary>
    public ValidationProblem? Invalid { get; }

    /// <summary>A 422 (idempotency key reused for another request), 429 (rate limit) or 503 (queue full, with <c>Retry-After</c> already set).</summary>
    public ProblemHttpResult? Refused { get; }

    public static implicit operator Submission<T>(ValidationProblem invalid) => new(null, invalid, null);

    public static implicit operator Submission<T>(ProblemHttpResult refused) => new(null, null, refused);
}

/// <summary>Creates accepted submissions.</summary>
public static class Submission
{
    public static Submission<T> Of<T>(T accepted)
        where T : class => new(accepted, null, null);
}

/// <summary>A batch that went through: its id and the engine's answer per task, in request order.</summary>
public sealed record BatchSubmission(string BatchId, IReadOnlyList<SubmitResult> Tasks, bool AlreadyExisted);

/// <summary>
/// The one path every submit takes (async, deprecated sync, batch): idempotency key, validation, rate limit, engine.
/// Invalid input and refused submits never reach the engine, so they create no task and cost no Veo call.
/// </summary>
public sealed partial class GenerationSubmitter(
    IVideoGenerationService engine,
    GenerationRequestValidator validator,
    SubmitRateLimiter rateLimiter,
    BatchStore batches,
    CallerAccess access,
    WebhookStore webhooks,
    WebhookDispatcher webhookDispatcher,
    IOptions<WebhookOptions> webhookOptions,
    IOptions<CallerOptions> callerOptions,
    ApiLinks links,
    IOptions<ApiOptions> apiOptions,
    ILogger<GenerationSubmitter> logger)
{
    /// <summary>Submits one task.</summary>
    public async Task<Submission<SubmitResult>> SubmitAsync(GenerateVideoBody? body, HttpContext context)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var idempotencyKey = ReadIdempotencyKey(context, errors);
        var request = validator.Validate(body, fieldPrefix: "", errors);
        var webhookUrl = ResolveWebhook(context, body?.WebhookUrl, "webhook_url", errors);
        if (errors.Count > 0 || request is null)
        {
            return TypedResults.ValidationProblem(errors, detail: "The request is invalid; nothing was submitted.");
        }

        var client = ClientIdentity.Of(context);
        if (RefuseOverLimit(context, client, tasks: 1) is { } limited)
        {
            return limited;
        }

        if (idempotencyKey is not null)
        {
            request = request with { TaskId = TaskIds.FromIdempotencyKey("task", client, idempotencyKey) };
        }
        else if (access.KeysRequired || webhookUrl is not null)
        {
            request = request with { TaskId = TaskIds.New() };
        }

        // The owner is recorded before the task exists, so no moment shows it to every caller.
        await access.ClaimAsync(context, CallerAccess.TaskKind, request.TaskId ?? "");
        var subscription = await SubscribeAsync(context, request.TaskId, webhookUrl);

        SubmitResult result;
        try
        {
            result = await engine.SubmitAsync(request, context.RequestAborted);
        }
        catch (GenerationQueueFullException exception)
        {
            await UnsubscribeAsync(subscription);
            return QueueFull(context, exception);
        }
        catch (TaskIdConflictException)
        {
            // The earlier task of this key keeps its own subscription.
            return KeyReused(idempotencyKey);
        }
        catch (ArgumentException exception)
        {
            await UnsubscribeAsync(subscription);
            return EngineRejected(exception, fieldPrefix: "");
        }

        if (subscription is not null)
        {
            webhookDispatcher.Watch(subscription);
        }

        using (logger.BeginScope("Task {TaskId}", result.TaskId))
        {
            LogSubmitted(logger, result.TaskId, request.ModelKey, request.AdId, request.Priority, result.AlreadyExisted, client);
        }

        return Submission.Of(result);
    }

    /// <summary>Submits several tasks as one batch: all are validated first, and either all are queued or none stays queued.</summary>
    public async Task<Submission<BatchSubmission>> SubmitBatchAsync(GenerateVideosBody? body, HttpContext context)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var idempotencyKey = ReadIdempotencyKey(context, errors);
        var maxBatchSize = apiOptions.Value.MaxBatchSize;
        if (body?.Requests is not { Count: > 0 } items)
        {
            errors["requests"] = ["A non-empty array of requests is required."];
            return TypedResults.ValidationProblem(errors, detail: "The request is invalid; nothing was submitted.");
        }

        if (items.Count > Math.Min(maxBatchSize, rateLimiter.MaxPermitsPerCall))
        {
            errors["requests"] = [$"A batch holds at most {Math.Min(maxBatchSize, rateLimiter.MaxPermitsPerCall)} requests; this one has {items.Count}."];
            return TypedResults.ValidationProblem(errors, detail: "The request is invalid; nothing was submitted.");
        }

        var requests = new VideoGenerationRequest?[items.Count];
        var webhookUrls = new string?[items.Count];
        var batchWebhookUrl = ResolveWebhook(context, body.WebhookUrl, "webhook_url", errors);
        for (var index = 0; index < items.Count; index++)
        {
            requests[index] = validator.Validate(items[index], $"requests[{index}]", errors);
            webhookUrls[index] = items[index]?.WebhookUrl is { } own ? ResolveWebhook(context, own, $"requests[{index}].webhook_url", errors) : batchWebhookUrl;
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "At least one request is invalid; nothing was submitted.");
        }

        var client = ClientIdentity.Of(context);
        if (RefuseOverLimit(context, client, items.Count) is { } limited)
        {
            return limited;
        }

        var batchId = idempotencyKey is null ? TaskIds.New() : TaskIds.FromIdempotencyKey("batch", client, idempotencyKey);
        if (idempotencyKey is not null && await batches.GetAsync(batchId, context.RequestAborted) is { } earlier && earlier.TaskIds.Count != items.Count)
        {
            return KeyReused(idempotencyKey);   // the same items compare below, task by task; a different count cannot be the same batch
        }

        await access.ClaimAsync(context, CallerAccess.BatchKind, batchId);
        for (var index = 0; index < requests.Length; index++)
        {
            await access.ClaimAsync(context, CallerAccess.TaskKind, TaskIds.ForBatchItem(batchId, index));
        }

        var results = new List<SubmitResult>(items.Count);
        var subscriptions = new List<WebhookSubscription>(items.Count);
        using var scope = logger.BeginScope("Batch {BatchId}", batchId);
        for (var index = 0; index < requests.Length; index++)
        {
            var request = requests[index]! with { TaskId = TaskIds.ForBatchItem(batchId, index) };
            if (await SubscribeAsync(context, request.TaskId, webhookUrls[index]) is { } subscription)
            {
                subscriptions.Add(subscription);
            }

            try
            {
                results.Add(await engine.SubmitAsync(request, context.RequestAborted));
            }
            catch (GenerationQueueFullException exception)
            {
                // All or nothing: take back what this call queued so the client can retry the whole batch later.
                await RollBackAsync(results, batchId, items.Count);
                await DropSubscriptionsAsync(subscriptions, results);
                return QueueFull(context, exception);
            }
            catch (TaskIdConflictException)
            {
                // The key named an earlier batch with other requests: nothing of this call may stay queued, and the
                // earlier task under this id keeps its own subscription.
                await RollBackAsync(results, batchId, items.Count);
                subscriptions.RemoveAll(subscription => subscription.TaskId == request.TaskId);
                await DropSubscriptionsAsync(subscriptions, results);
                return KeyReused(idempotencyKey);
            }
            catch (ArgumentException exception)
            {
                await DropSubscriptionsAsync(subscriptions, results);
                return EngineRejected(exception, $"requests[{index}]");
            }
        }

        foreach (var subscription in subscriptions)
        {
            webhookDispatcher.Watch(subscription);
        }

        await batches.SaveAsync(new BatchRecord(batchId, DateTimeOffset.UtcNow, results.Select(r => r.TaskId).ToArray()), CancellationToken.None);
        var alreadyExisted = results.All(r => r.AlreadyExisted);
        LogBatchSubmitted(logger, batchId, results.Count, alreadyExisted, client);
        return Submission.Of(new BatchSubmission(batchId, results, alreadyExisted));
    }

    private async Task RollBackAsync(List<SubmitResult> results, string batchId, int taskCount)
    {
        foreach (var queued in results.Where(r => !r.AlreadyExisted))
        {
            try
            {
                await engine.CancelAsync(queued.TaskId, CancellationToken.None);
            }
            catch (Exception cancelFailure) when (cancelFailure is not OperationCanceledException)
            {
                LogRollbackFailed(logger, cancelFailure, queued.TaskId, batchId);
            }
        }

        LogBatchRolledBack(logger, batchId, results.Count, taskCount);
    }

    /// <summary>The callback URL a submit asks for (or its caller's default), refused into <paramref name="errors"/> when the service may not call it.</summary>
    private string? ResolveWebhook(HttpContext context, string? requested, string field, Dictionary<string, string[]> errors)
    {
        var caller = WebhookCaller(context);
        var url = requested ?? callerOptions.Value.Find(caller)?.WebhookUrl;
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        if (webhookOptions.Value.Refusal(url) is { } refusal)
        {
            errors[field] = [refusal];
            return null;
        }

        if (webhookDispatcher.SigningKeyFor(caller) is null)
        {
            errors[field] = ["This service has no webhook signing secret (Webhooks:SigningSecret), so it sends no webhooks."];
            return null;
        }

        return url;
    }

    private async Task<WebhookSubscription?> SubscribeAsync(HttpContext context, string? taskId, string? webhookUrl)
    {
        if (webhookUrl is null || taskId is null)
        {
            return null;
        }

        // Stored before the task exists: a crash right after the submit still calls back once the task ends.
        var subscription = new WebhookSubscription(taskId, webhookUrl, WebhookCaller(context), links.BaseUrl(context.Request));
        await webhooks.SubscribeAsync(subscription, CancellationToken.None);
        return subscription;
    }

    private async Task UnsubscribeAsync(WebhookSubscription? subscription)
    {
        if (subscription is not null)
        {
            await webhooks.UnsubscribeAsync(subscription.TaskId, CancellationToken.None);
        }
    }

    /// <summary>Forgets the subscriptions of a refused batch, but not those of tasks an earlier call created.</summary>
    private async Task DropSubscriptionsAsync(List<WebhookSubscription> subscriptions, List<SubmitResult> results)
    {
        var earlier = results.Where(r => r.AlreadyExisted).Select(r => r.TaskId).ToHashSet(StringComparer.Ordinal);
        foreach (var subscription in subscriptions.Where(s => !earlier.Contains(s.TaskId)))
        {
            await UnsubscribeAsync(subscription);
        }
    }

    private static string WebhookCaller(HttpContext context) => CallerAccess.CallerName(context.User) ?? "";

    /// <summary>The IETF idempotency-key draft's answer to a key reused with another payload: 422, and nothing changes.</summary>
    private static ProblemHttpResult KeyReused(string? idempotencyKey) => TypedResults.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "Idempotency-Key reused for a different request",
        detail: "This Idempotency-Key was used before with a different request; nothing was submitted. Use a new key for a new request.",
        extensions: new Dictionary<string, object?> { ["idempotency_key"] = idempotencyKey });

    private static string? ReadIdempotencyKey(HttpContext context, Dictionary<string, string[]> errors)
    {
        if (!context.Request.Headers.TryGetValue(TaskIds.IdempotencyKeyHeader, out var values))
        {
            return null;
        }

        if (values.Count != 1)
        {
            errors[TaskIds.IdempotencyKeyHeader] = ["Send at most one Idempotency-Key header."];
            return null;
        }

        var key = values[0]!;
        if (TaskIds.ValidateIdempotencyKey(key) is { } error)
        {
            errors[TaskIds.IdempotencyKeyHeader] = [error];
            return null;
        }

        return key;
    }

    private ProblemHttpResult? RefuseOverLimit(HttpContext context, string client, int tasks)
    {
        var (acquired, retryAfter) = rateLimiter.TryAcquire(client, tasks);
        if (acquired)
        {
            return null;
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        LogRateLimited(logger, client, tasks, seconds);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many submits",
            detail: $"This client has used its submit allowance; try again in {seconds} s. Nothing was submitted.",
            extensions: new Dictionary<string, object?> { ["retry_after_seconds"] = seconds });
    }

    private static ProblemHttpResult QueueFull(HttpContext context, GenerationQueueFullException exception)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(exception.RetryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Generation queue is full",
            detail: exception.Message,
            extensions: new Dictionary<string, object?> { ["retry_after_seconds"] = seconds, ["max_queue_length"] = exception.MaxQueueLength });
    }

    private static ValidationProblem EngineRejected(ArgumentException exception, string fieldPrefix)
    {
        var field = GenerationRequestValidator.FieldOf(exception.ParamName);
        var key = fieldPrefix.Length == 0 ? field : $"{fieldPrefix}.{field}";
        return TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [key] = [exception.Message] },
            detail: "The engine rejected the request; nothing was submitted.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Submitted task {TaskId} (model key {ModelKey}, ad {AdId}, priority {Priority}, already existed: {AlreadyExisted}) for {Client}")]
    private static partial void LogSubmitted(ILogger logger, string taskId, string? modelKey, long? adId, TaskPriority priority, bool alreadyExisted, string client);

    [LoggerMessage(Level = LogLevel.Information, Message = "Submitted batch {BatchId} of {TaskCount} tasks (already existed: {AlreadyExisted}) for {Client}")]
    private static partial void LogBatchSubmitted(ILogger logger, string batchId, int taskCount, bool alreadyExisted, string client);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch {BatchId} was refused midway (queue full or a reused key): cancelled the {QueuedCount} of {TaskCount} tasks it had queued")]
    private static partial void LogBatchRolledBack(ILogger logger, string batchId, int queuedCount, int taskCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not cancel task {TaskId} while taking back batch {BatchId}; it stays queued")]
    private static partial void LogRollbackFailed(ILogger logger, Exception exception, string taskId, string batchId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {TaskCount} submits from {Client}: rate limit, retry after {RetryAfterSeconds} s")]
    private static partial void LogRateLimited(ILogger logger, string client, int taskCount, int retryAfterSeconds);
}
