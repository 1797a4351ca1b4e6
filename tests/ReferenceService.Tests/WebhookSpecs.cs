using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace ReferenceService.Tests;

/// <summary>
/// Signed callbacks on a task's final state, to a real receiver on loopback that verifies every signature, answers 500
/// a few times and is down across a service restart.
/// </summary>
public sealed class WebhookSpecs : IAsyncLifetime
{
    private static readonly string Secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly TempFolder _data = new();
    private readonly WebhookReceiver _receiver = new(Secret);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _receiver.StopAsync();
        _data.Delete();
    }

    [Fact]
    public async Task Should_call_back_a_signed_final_status_with_the_same_webhook_id_until_the_receiver_accepts()
    {
        // arrange
        await _receiver.StartAsync();
        _receiver.FailNext(2);
        await using var service = await ServiceHost.StartAsync(_data.Path, Settings());

        // act
        var taskId = await service.Client.SubmitAsync(WithWebhook(Api.SeedRequest(601), _receiver.Url));
        await service.Client.WaitForSuccessAsync(taskId);
        await Eventually.Async(() => Task.FromResult(_receiver.Received.Any(r => r.AnsweredWith == 204)), TimeSpan.FromSeconds(30), () => $"an accepted delivery (got {string.Join(", ", _receiver.Received.Select(r => r.AnsweredWith))})");

        // assert
        var calls = _receiver.Received;
        Assert.Equal([500, 500, 204], calls.Select(c => c.AnsweredWith));
        Assert.All(calls, call => Assert.True(call.SignatureValid, $"signature of {call.Id} did not verify"));
        Assert.Single(calls.Select(c => c.Id).Distinct());
        using var payload = JsonDocument.Parse(calls[^1].Body);
        Assert.Equal("video.task.succeeded", payload.RootElement.GetProperty("type").GetString());
        var data = payload.RootElement.GetProperty("data");
        Assert.Equal(taskId, data.GetProperty("task_id").GetString());
        Assert.Equal("SUCCESS", data.GetProperty("state").GetString());
        var video = await service.Client.GetByteArrayAsync(new Uri(data.GetProperty("result").GetProperty("video_url").GetString()!));
        Assert.Equal("ftyp"u8.ToArray(), video[4..8]);
    }

    [Fact]
    public async Task Should_deliver_after_a_restart_when_the_receiver_was_down_while_the_task_ended()
    {
        // arrange: the receiver is down when the task ends, and the service stops before it comes back
        var settings = Settings();
        string taskId;
        await using (var before = await ServiceHost.StartAsync(_data.Path, settings))
        {
            taskId = await before.Client.SubmitAsync(WithWebhook(Api.SeedRequest(602), _receiver.Url));
            await before.Client.WaitForSuccessAsync(taskId);
            await Task.Delay(TimeSpan.FromSeconds(1.5));   // at least one attempt refused by the closed port
        }

        // act
        await _receiver.StartAsync();
        await using var after = await ServiceHost.StartAsync(_data.Path, settings);

        // assert
        await Eventually.Async(() => Task.FromResult(_receiver.Received.Any(r => r.AnsweredWith == 204)), TimeSpan.FromSeconds(30), () => "the delivery after the restart");
        var call = Assert.Single(_receiver.Received);
        Assert.True(call.SignatureValid);
        Assert.Equal("msg_" + taskId, call.Id);
    }

    [Fact]
    public async Task Should_call_back_every_task_of_a_batch_at_the_batch_url()
    {
        // arrange
        await _receiver.StartAsync();
        await using var service = await ServiceHost.StartAsync(_data.Path, Settings());

        // act
        using var response = await service.Client.PostAsync(Api.BatchPath, Api.Json(new { requests = new[] { Api.SeedRequest(603), Api.SeedRequest(604) }, webhook_url = _receiver.Url }));
        var batch = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // assert
        var taskIds = batch.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("task_id").GetString()!).ToArray();
        await Eventually.Async(() => Task.FromResult(_receiver.Received.Count(r => r.AnsweredWith == 204) == 2), TimeSpan.FromSeconds(60), () => "two deliveries");
        Assert.Equal(taskIds.Select(id => "msg_" + id).Order(), _receiver.Received.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task Should_call_back_a_callers_default_url_signed_with_the_callers_own_secret()
    {
        // arrange: alice has a default receiver and her own secret
        var aliceSecret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var aliceReceiver = new WebhookReceiver(aliceSecret);
        await aliceReceiver.StartAsync();
        var settings = Settings();
        settings["Callers:ApiKeys:0:Name"] = "alice";
        settings["Callers:ApiKeys:0:Sha256"] = CallerServiceFixture.Hash(CallerServiceFixture.AliceKey);
        settings["Callers:ApiKeys:0:WebhookUrl"] = aliceReceiver.Url;
        settings["Callers:ApiKeys:0:WebhookSecret"] = aliceSecret;
        try
        {
            await using var service = await ServiceHost.StartAsync(_data.Path, settings);
            using var alice = new HttpClient { BaseAddress = service.BaseAddress };
            alice.DefaultRequestHeaders.Add("X-API-Key", CallerServiceFixture.AliceKey);

            // act: a submit that names no webhook_url
            var taskId = await alice.SubmitAsync(Api.SeedRequest(610));
            await Eventually.Async(() => Task.FromResult(aliceReceiver.Received.Any(r => r.AnsweredWith == 204)), TimeSpan.FromSeconds(30), () => "alice's delivery");

            // assert: verified with alice's secret, which the service-wide one is not
            var call = Assert.Single(aliceReceiver.Received);
            Assert.True(call.SignatureValid);
            Assert.Equal("msg_" + taskId, call.Id);
            Assert.Empty(_receiver.Received);
        }
        finally
        {
            await aliceReceiver.StopAsync();
        }
    }

    [Theory]
    [InlineData("http://example.com/hook", "https")]
    [InlineData("https://10.1.2.3/hook", "Private")]
    [InlineData("https://169.254.169.254/latest/meta-data", "Private")]
    [InlineData("https://[fd00::1]/hook", "Private")]
    [InlineData("ftp://example.com/hook", "http(s)")]
    [InlineData("https://user:pass@example.com/hook", "credentials")]
    public async Task Should_refuse_a_webhook_url_the_service_must_not_call_with_400_naming_the_field(string url, string reason)
    {
        // arrange
        await using var service = await ServiceHost.StartAsync(_data.Path, Settings());
        var startedBefore = service.EmbeddedSimulator.GetStats().OperationsStarted;

        // act
        using var single = await service.Client.PostAsync(Api.SubmitPath, Api.Json(WithWebhook(Api.SeedRequest(605), url)));
        using var batch = await service.Client.PostAsync(Api.BatchPath, Api.Json(new { requests = new[] { Api.SeedRequest(606), WithWebhook(Api.SeedRequest(607), url) } }));

        // assert
        var problem = await single.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty("webhook_url")[0].GetString(), StringComparison.Ordinal);
        var batchProblem = await batch.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(batchProblem.GetProperty("errors").TryGetProperty("requests[1].webhook_url", out _), batchProblem.ToString());
        Assert.Equal(startedBefore, service.EmbeddedSimulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_refuse_loopback_receivers_and_webhooks_without_a_signing_secret_unless_configured()
    {
        // arrange: defaults, so no loopback and no secret
        await using var service = await ServiceHost.StartAsync(_data.Path, new Dictionary<string, string?>());

        // act
        using var loopback = await service.Client.PostAsync(Api.SubmitPath, Api.Json(WithWebhook(Api.SeedRequest(608), _receiver.Url)));
        using var noSecret = await service.Client.PostAsync(Api.SubmitPath, Api.Json(WithWebhook(Api.SeedRequest(609), "https://hooks.example.com/veo")));

        // assert
        Assert.Contains("AllowLoopback", (await loopback.ReadProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("webhook_url")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("SigningSecret", (await noSecret.ReadProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("webhook_url")[0].GetString(), StringComparison.Ordinal);
    }

    private static Dictionary<string, object?> WithWebhook(object request, string url)
    {
        var fields = JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(request))!;
        fields["webhook_url"] = url;
        return fields;
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Webhooks:SigningSecret"] = Secret,
        ["Webhooks:AllowLoopback"] = "true",
        ["Webhooks:RetryDelaysSeconds:0"] = "0.2",
        ["Webhooks:RetryDelaysSeconds:1"] = "0.2",
        ["Webhooks:RetryDelaysSeconds:2"] = "0.5",
        ["Webhooks:RetryDelaysSeconds:3"] = "1",
        ["Webhooks:RetryDelaysSeconds:4"] = "1",
        ["Webhooks:RetryDelaysSeconds:5"] = "1",
        ["Webhooks:RetryDelaysSeconds:6"] = "1",
        ["Webhooks:RetryDelaysSeconds:7"] = "1",
    };
}
