using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ReferenceService.Tests;

/// <summary>Live progress without polling: Server-Sent Events per task, and one WebSocket for many tasks.</summary>
public sealed class LiveProgressSpecs(LiveProgressSpecs.Fixture service) : IClassFixture<LiveProgressSpecs.Fixture>
{
    private readonly HttpClient _client = service.Client;

    public sealed class Fixture : ServiceFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Veo:Simulator:LatencySeconds"] = "1.5",
        };
    }

    [Fact]
    public async Task Should_stream_every_change_until_the_final_state_when_events_are_requested()
    {
        // arrange
        var taskId = await _client.SubmitAsync(Api.SeedRequest(adId: 11));

        // act
        using var response = await _client.GetAsync(new Uri(Api.EventsPath(taskId), UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        var events = await ReadEventsAsync(response);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.ContentType()?.MediaType);
        Assert.True(events.Count >= 2, $"expected the current status and at least one change, got {events.Count}");
        Assert.All(events, e => Assert.Equal("status", e.EventType));
        Assert.All(events, e => Assert.Equal(taskId, e.Status.GetProperty("task_id").GetString()));
        var versions = events.Select(e => e.Version).ToArray();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Length, versions.Distinct().Count());
        Assert.All(events, e => Assert.Equal(e.Version, e.Status.GetProperty("version").GetInt64()));
        Assert.All(events[..^1], e => Assert.Contains(e.Status.State(), new[] { "PENDING", "PROGRESS" }));
        var final = events[^1].Status;
        Assert.Equal("SUCCESS", final.State());
        Assert.StartsWith(service.Host.BaseAddress.ToString(), final.GetProperty("result").GetProperty("video_url").GetString());
    }

    [Fact]
    public async Task Should_skip_what_the_client_has_seen_when_it_reconnects_with_last_event_id()
    {
        // arrange: read the first event, then drop the connection
        var taskId = await _client.SubmitAsync(Api.SeedRequest(adId: 12));
        long firstVersion;
        using (var first = await _client.GetAsync(new Uri(Api.EventsPath(taskId), UriKind.Relative), HttpCompletionOption.ResponseHeadersRead))
        {
            firstVersion = (await ReadEventsAsync(first, take: 1))[0].Version;
        }

        // act
        using var resumed = await GetEventsAsync(taskId, lastEventId: firstVersion);
        var events = await ReadEventsAsync(resumed);

        // assert
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.True(e.Version > firstVersion, $"event {e.Version} was already seen ({firstVersion})"));
        Assert.Equal("SUCCESS", events[^1].Status.State());

        // a client that has seen the final status gets 204, which stops EventSource from reconnecting forever
        using var afterEnd = await GetEventsAsync(taskId, lastEventId: events[^1].Version);
        Assert.Equal(HttpStatusCode.NoContent, afterEnd.StatusCode);

        // a client that has not gets the final status at once
        using var late = await _client.GetAsync(new Uri(Api.EventsPath(taskId), UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        var lateEvents = await ReadEventsAsync(late);
        Assert.Equal(events[^1].Version, Assert.Single(lateEvents).Version);
    }

    [Fact]
    public async Task Should_stream_changes_of_several_tasks_over_one_websocket_when_subscribed()
    {
        // arrange
        var first = await _client.SubmitAsync(Api.SeedRequest(adId: 13));
        var second = await _client.SubmitAsync(Api.SeedRequest(adId: 13, prompt: "[sim:filtered] a second take"));
        const string unknown = "0000000000000000000000000000beef";
        using var socket = await ConnectAsync();

        // act
        await SendAsync(socket, new { subscribe = new[] { first, second, unknown } });
        var messages = await ReceiveUntilAsync(socket, received =>
            received.Count(m => m.GetProperty("type").GetString() == "status" && m.GetProperty("data").State() is "SUCCESS" or "FAILURE") == 2);

        // assert
        var acknowledged = messages.First(m => m.GetProperty("type").GetString() == "subscribed");
        Assert.Equal([first, second, unknown], acknowledged.GetProperty("task_ids").EnumerateArray().Select(e => e.GetString()));
        var notFound = messages.Single(m => m.GetProperty("type").GetString() == "error");
        Assert.Equal(unknown, notFound.GetProperty("task_id").GetString());
        Assert.Equal("TASK_NOT_FOUND", notFound.GetProperty("error").GetProperty("code").GetString());
        var statuses = messages.Where(m => m.GetProperty("type").GetString() == "status").Select(m => m.GetProperty("data")).ToArray();
        Assert.Equal("SUCCESS", statuses.Last(s => s.GetProperty("task_id").GetString() == first).State());
        var failed = statuses.Last(s => s.GetProperty("task_id").GetString() == second);
        Assert.Equal("FAILURE", failed.State());
        Assert.Equal("SAFETY_FILTERED", failed.GetProperty("error").GetProperty("code").GetString());
        foreach (var taskId in new[] { first, second })
        {
            var versions = statuses.Where(s => s.GetProperty("task_id").GetString() == taskId).Select(s => s.GetProperty("version").GetInt64()).ToArray();
            Assert.Equal(versions.Order(), versions);
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task Should_answer_an_error_and_stay_open_when_a_websocket_message_is_not_understood()
    {
        // arrange
        var taskId = await _client.SubmitAsync(Api.SeedRequest(adId: 14));
        using var socket = await ConnectAsync();

        // act
        await socket.SendAsync("this is not json"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        await SendAsync(socket, new { hello = "world" });
        await SendAsync(socket, new { subscribe = new[] { taskId } });
        var messages = await ReceiveUntilAsync(socket, received => received.Any(m => m.GetProperty("type").GetString() == "status" && m.GetProperty("data").State() == "SUCCESS"));

        // assert
        var errors = messages.Where(m => m.GetProperty("type").GetString() == "error").ToArray();
        Assert.Equal(2, errors.Length);
        Assert.All(errors, e => Assert.Equal("BAD_MESSAGE", e.GetProperty("error").GetProperty("code").GetString()));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task Should_refuse_a_websocket_when_a_browser_page_of_another_origin_opens_it()
    {
        // arrange
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "http://evil.example");
        socket.Options.CollectHttpResponseDetails = true;

        // act
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(service.Host.Url(Api.Root + "/tasks/ws", "ws"), CancellationToken.None));

        // assert
        Assert.NotNull(refused);
        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    private async Task<HttpResponseMessage> GetEventsAsync(string taskId, long lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Api.EventsPath(taskId));
        request.Headers.Add("Last-Event-ID", lastEventId.ToString(CultureInfo.InvariantCulture));
        return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private sealed record StatusEvent(string EventType, long Version, JsonElement Status);

    private static async Task<List<StatusEvent>> ReadEventsAsync(HttpResponseMessage response, int take = int.MaxValue)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var events = new List<StatusEvent>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(timeout.Token))
        {
            events.Add(new StatusEvent(item.EventType, long.Parse(item.EventId!, CultureInfo.InvariantCulture), JsonDocument.Parse(item.Data).RootElement.Clone()));
            if (events.Count == take)
            {
                break;
            }
        }

        return events;
    }

    private async Task<ClientWebSocket> ConnectAsync()
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(service.Host.Url(Api.Root + "/tasks/ws", "ws"), CancellationToken.None);
        return socket;
    }

    private static Task SendAsync(WebSocket socket, object message)
        => socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<List<JsonElement>> ReceiveUntilAsync(WebSocket socket, Func<List<JsonElement>, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var messages = new List<JsonElement>();
        var buffer = new byte[64 * 1024];
        while (!done(messages))
        {
            using var message = new MemoryStream();
            ValueWebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            Assert.NotEqual(WebSocketMessageType.Close, received.MessageType);
            messages.Add(JsonDocument.Parse(Encoding.UTF8.GetString(message.ToArray())).RootElement.Clone());
        }

        return messages;
    }
}
