using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ReferenceService.Callers;
using ReferenceService.Contracts;
using ReferenceService.Generation;
using Veo.Sdk.Akka;

namespace ReferenceService.Webhooks;

/// <summary>
/// Watches every subscribed task until its final state, queues the callback in the outbox, and delivers the outbox with
/// back-off. At least once: a delivery is marked done only after the receiver answered 2xx, and its <c>webhook-id</c> is
/// the same on every attempt, so receivers drop repeats by it.
/// </summary>
public sealed partial class WebhookDispatcher(
    WebhookStore store,
    IVideoGenerationService engine,
    ApiLinks links,
    IHttpClientFactory httpClients,
    IOptions<WebhookOptions> options,
    IOptions<CallerOptions> callers,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    private readonly SemaphoreSlim _wake = new(0);
    private CancellationToken _stopping = CancellationToken.None;

    /// <summary>The key that signs callbacks for a caller: its own secret, else the service's.</summary>
    public byte[]? SigningKeyFor(string caller)
    {
        var own = callers.Value.Find(caller)?.WebhookSecret;
        return WebhookSigner.ParseSecret(own ?? options.Value.SigningSecret);
    }

    /// <summary>Starts watching a task whose subscription has just been stored.</summary>
    public void Watch(WebhookSubscription subscription) => _ = WatchAsync(subscription, fromStart: false);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            foreach (var subscription in await RetryAsync(store.SubscriptionsAsync, stoppingToken))
            {
                _ = WatchAsync(subscription, fromStart: true);
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan wait;
                try
                {
                    await DeliverDueAsync(stoppingToken);
                    var next = await store.NextDueAsync(stoppingToken);
                    wait = next is { } at ? Clamp(at - time.GetUtcNow()) : TimeSpan.FromSeconds(30);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogOutboxFailed(logger, exception);
                    wait = TimeSpan.FromSeconds(2);
                }

                await _wake.WaitAsync(wait, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static TimeSpan Clamp(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait > TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : wait;

    private async Task WatchAsync(WebhookSubscription subscription, bool fromStart)
    {
        var stopping = _stopping;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var seen = false;
                await foreach (var status in engine.WatchAsync(subscription.TaskId, stopping))
                {
                    seen = true;
                    if (status.IsFinal)
                    {
                        await EnqueueAsync(subscription, status, stopping);
                        return;
                    }
                }

                if (!seen)
                {
                    // No such task: its submit was refused, or the service stopped before the engine took it.
                    LogSubscriptionDropped(logger, subscription.TaskId, fromStart);
                    await store.UnsubscribeAsync(subscription.TaskId, stopping);
                    return;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogWatchFailed(logger, exception, subscription.TaskId);
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task EnqueueAsync(WebhookSubscription subscription, VideoTaskStatus status, CancellationToken cancellationToken)
    {
        var payload = new WebhookPayload
        {
            Type = EventType(status.State),
            Timestamp = status.CompletedAt ?? time.GetUtcNow(),
            Data = status.ToResponse(id => links.VideoUrl(subscription.BaseUrl, id)),
        };
        var body = JsonSerializer.Serialize(payload, json.Value.SerializerOptions);
        await store.EnqueueAsync(new WebhookDelivery(WebhookIdOf(subscription.TaskId), subscription.TaskId, subscription.Url, subscription.Caller, body, 0), time.GetUtcNow(), cancellationToken);
        _wake.Release();
    }

    /// <summary>The same id for every attempt of a task's final callback.</summary>
    public static string WebhookIdOf(string taskId) => "msg_" + taskId;

    public static string EventType(VideoTaskState state) => state switch
    {
        VideoTaskState.Success => "video.task.succeeded",
        VideoTaskState.Failure => "video.task.failed",
        _ => "video.task.revoked",
    };

    private async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        while (true)
        {
            var due = await store.DueAsync(time.GetUtcNow(), 64, cancellationToken);
            if (due.Count == 0)
            {
                return;
            }

            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.MaxParallelDeliveries), CancellationToken = cancellationToken }, DeliverAsync);
            if (due.Count < 64)
            {
                return;
            }
        }
    }

    private async ValueTask DeliverAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        string? error;
        if (SigningKeyFor(delivery.Caller) is not { } key)
        {
            error = "No signing secret is configured (Webhooks:SigningSecret).";
        }
        else
        {
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
            {
                Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("webhook-id", delivery.WebhookId);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", WebhookSigner.Sign(key, delivery.WebhookId, timestamp, delivery.Payload));
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
                using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    await store.RecordAttemptAsync(delivery.WebhookId, delivered: true, null, null, CancellationToken.None);
                    LogDelivered(logger, delivery.WebhookId, delivery.TaskId, delivery.Attempts + 1);
                    return;
                }

                error = $"The receiver answered {(int)response.StatusCode} {response.ReasonPhrase}.";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = $"The receiver did not answer within {settings.TimeoutSeconds} s.";
            }
            catch (HttpRequestException exception)
            {
                error = exception.Message;
            }
        }

        var delays = settings.EffectiveRetryDelays;
        DateTimeOffset? retryAt = delivery.Attempts < delays.Count ? time.GetUtcNow().AddSeconds(delays[delivery.Attempts]) : null;
        await store.RecordAttemptAsync(delivery.WebhookId, delivered: false, retryAt, error, CancellationToken.None);
        if (retryAt is null)
        {
            LogGivenUp(logger, delivery.WebhookId, delivery.TaskId, delivery.Attempts + 1, error);
        }
        else
        {
            LogRetrying(logger, delivery.WebhookId, delivery.TaskId, delivery.Attempts + 1, error, retryAt.Value);
        }
    }

    private static async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await action(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} for task {TaskId} delivered (attempt {Attempt})")]
    private static partial void LogDelivered(ILogger logger, string webhookId, string taskId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} for task {TaskId} failed (attempt {Attempt}): {Error}; next attempt at {RetryAt}")]
    private static partial void LogRetrying(ILogger logger, string webhookId, string taskId, int attempt, string? error, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {WebhookId} for task {TaskId} given up after {Attempts} attempts: {Error}")]
    private static partial void LogGivenUp(ILogger logger, string webhookId, string taskId, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped the webhook subscription of task {TaskId}, which the engine does not know (found at start: {AtStart})")]
    private static partial void LogSubscriptionDropped(ILogger logger, string taskId, bool atStart);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching task {TaskId} for its webhook failed; trying again")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string taskId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The webhook outbox could not be read; trying again")]
    private static partial void LogOutboxFailed(ILogger logger, Exception exception);
}
