using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ReferenceService.Tests;

/// <summary>The service's routes and the calls the tests make, spelled as a client would.</summary>
public static class Api
{
    public const string Root = "/api/v1/settings/ai/veo";
    public const string SubmitPath = Root + "/generate-video-async";
    public const string SyncPath = Root + "/generate-video";
    public const string BatchPath = Root + "/generate-videos-async";

    public static string StatusPath(string taskId) => $"{Root}/tasks/{Uri.EscapeDataString(taskId)}/status";

    public static string EventsPath(string taskId) => $"{Root}/tasks/{Uri.EscapeDataString(taskId)}/events";

    public static string CancelPath(string taskId) => $"{Root}/tasks/{Uri.EscapeDataString(taskId)}/cancel";

    public static string BatchStatusPath(string batchId) => $"{Root}/batches/{Uri.EscapeDataString(batchId)}/status";

    /// <summary>The original system's request, with a unique prompt so tasks are told apart.</summary>
    public static object SeedRequest(long adId, string? prompt = null, string modelKey = "veo_3_1_t2v_portrait", string aspectRatio = "VIDEO_ASPECT_RATIO_PORTRAIT", long seed = 9831)
        => new { prompt = prompt ?? $"A lighthouse at dawn, ad {adId}", aspect_ratio = aspectRatio, video_model_key = modelKey, seed, ad_id = adId };

    public static StringContent Json(object body) => Json(JsonSerializer.Serialize(body));

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<HttpResponseMessage> PostAsync(this HttpClient client, string path, HttpContent content, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request, cancellationToken);
    }

    /// <summary>Submits and returns the task id, failing the test unless the answer is 202.</summary>
    public static async Task<string> SubmitAsync(this HttpClient client, object body, string? idempotencyKey = null)
    {
        using var response = await client.PostAsync(SubmitPath, Json(body), idempotencyKey);
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"submit answered {(int)response.StatusCode}: {json}");
        return json.GetProperty("task_id").GetString()!;
    }

    public static async Task<JsonElement> StatusAsync(this HttpClient client, string taskId)
        => (await client.ReadStatusAsync(taskId, unavailableIsNotYet: false))!.Value;

    /// <summary>The status, which must be 200; with <paramref name="unavailableIsNotYet"/> a 503 with Retry-After is <see langword="null"/> ("not yet").</summary>
    private static async Task<JsonElement?> ReadStatusAsync(this HttpClient client, string taskId, bool unavailableIsNotYet)
    {
        using var response = await client.GetAsync(new Uri(StatusPath(taskId), UriKind.Relative));
        if (unavailableIsNotYet && response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null)
        {
            return null;
        }

        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"status of {taskId} answered {(int)response.StatusCode}: {json}");
        return json;
    }

    /// <summary>Polls the status endpoint (as the original frontend did) until <paramref name="until"/> holds.</summary>
    public static async Task<JsonElement> WaitForStatusAsync(this HttpClient client, string taskId, Func<JsonElement, bool> until, string description, TimeSpan? timeout = null)
    {
        JsonElement last = default;
        await Eventually.Async(
            async () =>
            {
                // A 503 (the task could not answer in time) is "not yet" to a poller, as to the frontend.
                if (await client.ReadStatusAsync(taskId, unavailableIsNotYet: true) is not { } json)
                {
                    return false;
                }

                last = json;
                return until(last);
            },
            timeout ?? TimeSpan.FromSeconds(60),
            () => $"task {taskId} to be {description} (last status {last})");
        return last;
    }

    public static Task<JsonElement> WaitForFinalAsync(this HttpClient client, string taskId, TimeSpan? timeout = null)
        => client.WaitForStatusAsync(taskId, status => status.State() is "SUCCESS" or "FAILURE" or "REVOKED", "final", timeout);

    public static async Task<JsonElement> WaitForSuccessAsync(this HttpClient client, string taskId, TimeSpan? timeout = null)
    {
        var status = await client.WaitForFinalAsync(taskId, timeout);
        Assert.True(status.State() == "SUCCESS", $"task {taskId} ended {status}");
        return status;
    }

    public static string? State(this JsonElement status) => status.GetProperty("state").GetString();

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException($"Expected JSON from {response.RequestMessage?.RequestUri} ({(int)response.StatusCode}), got: {text}");
        }
    }

    /// <summary>Reads an RFC 9457 problem and checks its content type and status.</summary>
    public static async Task<JsonElement> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {problem}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    public static IReadOnlyList<string> PropertyNames(this JsonElement element)
        => element.EnumerateObject().Select(property => property.Name).ToArray();

    public static MediaTypeHeaderValue? ContentType(this HttpResponseMessage response) => response.Content.Headers.ContentType;
}

/// <summary>Awaits a condition with a bound, instead of sleeping for a guessed time.</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public static async Task Async(Func<Task<bool>> condition, TimeSpan timeout, Func<string> description)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if (await condition())
            {
                return;
            }

            try
            {
                await Task.Delay(Interval, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {description()}.");
            }
        }
    }

    public static Task True(Func<bool> condition, TimeSpan timeout, Func<string> description)
        => Async(() => Task.FromResult(condition()), timeout, description);
}
