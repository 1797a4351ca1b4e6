using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using ReferenceService.Callers;
using ReferenceService.Extensions;
using ReferenceService.Generation;
using ReferenceService.Http;
using Veo.Sdk.Akka;

namespace ReferenceService.Endpoints;

/// <summary>
/// One WebSocket for many tasks: the client sends <c>{"subscribe": ["id", …]}</c> (and <c>{"unsubscribe": [...]}</c>) at any
/// time; the server sends <c>{"type": "status", "data": {status}}</c> for the current status of each subscribed task and for
/// every change until it ends, <c>{"type": "subscribed", "task_ids": [...]}</c> as acknowledgement and
/// <c>{"type": "error", "task_id"?, "error": {"code", "message"}}</c> for unknown tasks or bad messages, and
/// <c>{"type": "unavailable", "task_id", "message"}</c> once while a task cannot be reached (its node was lost, its shard is
/// moving); its statuses follow on their own when it answers again.
/// </summary>
public static partial class TaskStreamEndpoints
{
    public const string Path = ApiLinks.ApiRoot + "/tasks/ws";
    private const int MaxMessageBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapTaskStreamEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, AcceptAsync)
            .WithTags("Tasks")
            .WithName("StreamTasksOverWebSocket")
            .WithSummary("WebSocket: status changes of several tasks over one connection")
            .WithDescription("Send {\"subscribe\": [\"<task_id>\", ...]}; receive {\"type\": \"status\", \"data\": <status JSON>} now and on every change until each task ends.")
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> AcceptAsync(
        HttpContext context,
        IVideoGenerationService engine,
        CallerAccess access,
        ApiLinks links,
        IOptions<JsonOptions> jsonOptions,
        IOptions<ApiOptions> apiOptions,
        IConfiguration configuration,
        ILoggerFactory loggerFactory)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket expected", detail: "Connect with a WebSocket client (ws:// or wss://).");
        }

        // Browsers let any page open a WebSocket to any host and CORS does not apply, so check the origin here.
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsAllowedOrigin(context.Request, origin, CorsExtensions.FrontendOrigins(configuration)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Origin not allowed", detail: $"WebSocket connections from '{origin}' are not allowed.");
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new Connection(
            socket,
            engine,
            taskId => access.CanSeeAsync(context, CallerAccess.TaskKind, taskId),
            id => links.VideoUrl(context.Request, id),
            jsonOptions.Value.SerializerOptions,
            apiOptions.Value.MaxWebSocketSubscriptions,
            loggerFactory.CreateLogger(typeof(TaskStreamEndpoints).FullName!));
        await connection.RunAsync(context.RequestAborted);
        return TypedResults.Empty;
    }

    private static bool IsAllowedOrigin(HttpRequest request, string origin, string[] allowed)
        => allowed.Contains(origin.TrimEnd('/'), StringComparer.OrdinalIgnoreCase)
           || string.Equals(origin.TrimEnd('/'), $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);

    private sealed record ClientMessage(IReadOnlyList<string>? Subscribe, IReadOnlyList<string>? Unsubscribe);

    private sealed partial class Connection(
        WebSocket socket,
        IVideoGenerationService engine,
        Func<string, Task<bool>> canSee,
        Func<long, string> videoUrl,
        JsonSerializerOptions json,
        int maxSubscriptions,
        ILogger logger)
    {
        private readonly Channel<object> _outbox = Channel.CreateBounded<object>(new BoundedChannelOptions(1024) { SingleReader = true });
        private readonly ConcurrentDictionary<string, CancellationTokenSource> _watches = new(StringComparer.Ordinal);

        public async Task RunAsync(CancellationToken requestAborted)
        {
            using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
            var sending = SendLoopAsync(lifetime.Token);
            try
            {
                await ReceiveLoopAsync(lifetime.Token);
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
            {
                LogConnectionLost(logger, exception.Message);
            }
            finally
            {
                foreach (var watch in _watches.Values)
                {
                    await watch.CancelAsync();
                }

                _outbox.Writer.TryComplete();
                await lifetime.CancelAsync();
                await sending;
            }

            if (socket.State is WebSocketState.CloseReceived or WebSocketState.Open)
            {
                using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", closing.Token);
                }
                catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
                {
                    LogConnectionLost(logger, exception.Message);
                }
            }
        }

        private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
        {
            var buffer = new ArrayBufferWriter<byte>(4096);
            while (socket.State == WebSocketState.Open)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.GetMemory(4096), cancellationToken);
                    buffer.Advance(received.Count);
                    if (buffer.WrittenCount > MaxMessageBytes)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"Messages are limited to {MaxMessageBytes} bytes.", cancellationToken);
                        return;
                    }
                }
                while (!received.EndOfMessage);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                await HandleAsync(buffer.WrittenMemory, cancellationToken);
            }
        }

        private async Task HandleAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            ClientMessage? parsed;
            try
            {
                parsed = JsonSerializer.Deserialize<ClientMessage>(message.Span, json);
            }
            catch (JsonException exception)
            {
                await SendErrorAsync(null, "BAD_MESSAGE", $"Not a JSON message of the form {{\"subscribe\": [\"<task_id>\"]}}: {exception.Message}", cancellationToken);
                return;
            }

            if (parsed is null || (parsed.Subscribe is null && parsed.Unsubscribe is null))
            {
                await SendErrorAsync(null, "BAD_MESSAGE", "Send {\"subscribe\": [\"<task_id>\", ...]} or {\"unsubscribe\": [...]}.", cancellationToken);
                return;
            }

            foreach (var taskId in parsed.Unsubscribe ?? [])
            {
                if (_watches.TryRemove(taskId, out var watch))
                {
                    await watch.CancelAsync();
                }
            }

            var subscribed = new List<string>();
            foreach (var taskId in (parsed.Subscribe ?? []).Distinct(StringComparer.Ordinal))
            {
                if (_watches.ContainsKey(taskId))
                {
                    subscribed.Add(taskId);
                    continue;
                }

                if (_watches.Count >= maxSubscriptions)
                {
                    await SendErrorAsync(taskId, "TOO_MANY_SUBSCRIPTIONS", $"One connection watches at most {maxSubscriptions} tasks; unsubscribe from ended ones first.", cancellationToken);
                    continue;
                }

                var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                _watches[taskId] = watch;
                subscribed.Add(taskId);
                _ = WatchAsync(taskId, watch);
            }

            await _outbox.Writer.WriteAsync(new SubscribedMessage("subscribed", subscribed), cancellationToken);
        }

        private async Task WatchAsync(string taskId, CancellationTokenSource watch)
        {
            try
            {
                if (!await canSee(taskId) || await TaskEndpoints.FindAsync(engine, taskId, watch.Token) is null)
                {
                    await SendErrorAsync(taskId, "TASK_NOT_FOUND", $"There is no task '{TaskEndpoints.Shorten(taskId)}'.", watch.Token);
                    return;
                }

                await foreach (var watched in engine.WatchEventsAsync(taskId, watch.Token))
                {
                    if (watched is VideoTaskUnreachableEvent unreachable)
                    {
                        var unavailable = Contracts.TaskUnavailableEvent.From(unreachable);
                        await _outbox.Writer.WriteAsync(new UnavailableMessage("unavailable", unavailable.TaskId, unavailable.Message), watch.Token);
                        continue;
                    }

                    if (watched is not VideoTaskStatusEvent { Status: var status })
                    {
                        continue;
                    }

                    await _outbox.Writer.WriteAsync(new StatusMessage("status", status.ToResponse(videoUrl)), watch.Token);
                    if (status.IsFinal)
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // unsubscribed or disconnected
            }
            catch (ChannelClosedException)
            {
                // disconnected
            }
            finally
            {
                if (_watches.TryGetValue(taskId, out var current) && current == watch)
                {
                    _watches.TryRemove(taskId, out _);
                }

                watch.Dispose();
            }
        }

        private async Task SendErrorAsync(string? taskId, string code, string message, CancellationToken cancellationToken)
            => await _outbox.Writer.WriteAsync(new ErrorMessage("error", taskId, new ErrorBody(code, message)), cancellationToken);

        private async Task SendLoopAsync(CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var message in _outbox.Reader.ReadAllAsync(cancellationToken))
                {
                    var bytes = JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), json);
                    await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                }
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
            {
                LogConnectionLost(logger, exception.Message);
            }
        }

        [LoggerMessage(Level = LogLevel.Debug, Message = "WebSocket task stream ended: {Reason}")]
        private static partial void LogConnectionLost(ILogger logger, string reason);
    }

    private sealed record StatusMessage(string Type, Contracts.TaskStatusResponse Data);

    private sealed record SubscribedMessage(string Type, IReadOnlyList<string> TaskIds);

    private sealed record UnavailableMessage(string Type, string TaskId, string Message);

    private sealed record ErrorMessage(string Type, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? TaskId, ErrorBody Error);

    private sealed record ErrorBody(string Code, string Message);
}
