using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace ReferenceService.Tests;

/// <summary>Two callers and an admin, by API key hashes in configuration.</summary>
public sealed class CallerServiceFixture : ServiceFixture
{
    public const string AliceKey = "alice-key-0123456789";
    public const string BobKey = "bob-key-0123456789";
    public const string AdminKey = "admin-key-0123456789";
    public const string RevokedKey = "old-key-0123456789";

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Callers:ApiKeys:0:Name"] = "alice",
        ["Callers:ApiKeys:0:Sha256"] = Hash(AliceKey),
        ["Callers:ApiKeys:1:Name"] = "bob",
        ["Callers:ApiKeys:1:Sha256"] = Hash(BobKey),
        ["Callers:ApiKeys:2:Name"] = "ops",
        ["Callers:ApiKeys:2:Sha256"] = Hash(AdminKey),
        ["Callers:ApiKeys:2:Admin"] = "true",
        ["Callers:ApiKeys:3:Name"] = "carol",
        ["Callers:ApiKeys:3:Sha256"] = Hash(RevokedKey),
        ["Callers:ApiKeys:3:Revoked"] = "true",
    };

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public HttpClient As(string key, bool bearer = true)
    {
        var client = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        if (bearer)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }
        else
        {
            client.DefaultRequestHeaders.Add("X-API-Key", key);
        }

        return client;
    }
}

public sealed class CallerSpecs(CallerServiceFixture service) : IClassFixture<CallerServiceFixture>
{
    [Theory]
    [InlineData(null)]
    [InlineData("not-a-known-key")]
    [InlineData(CallerServiceFixture.RevokedKey)]
    public async Task Should_refuse_a_missing_unknown_or_revoked_key_with_401_problem_and_create_nothing(string? key)
    {
        // arrange
        using var client = key is null ? new HttpClient { BaseAddress = service.Host.BaseAddress } : service.As(key);
        var startedBefore = service.Simulator.GetStats().OperationsStarted;

        // act
        using var response = await client.PostAsync(Api.SubmitPath, Api.Json(Api.SeedRequest(401)));

        // assert
        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        using var ads = await service.As(CallerServiceFixture.AdminKey).GetAsync(new Uri("/api/v1/ads/401/generations", UriKind.Relative));
        Assert.Empty((await ads.ReadJsonAsync()).GetProperty("generations").EnumerateArray());
        Assert.Equal(startedBefore, service.Simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_answer_health_without_a_key()
    {
        using var client = new HttpClient { BaseAddress = service.Host.BaseAddress };
        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Should_show_a_task_to_its_creator_and_an_admin_and_answer_404_to_another_caller()
    {
        // arrange
        using var alice = service.As(CallerServiceFixture.AliceKey);
        using var bob = service.As(CallerServiceFixture.BobKey, bearer: false);
        using var admin = service.As(CallerServiceFixture.AdminKey);
        var taskId = await alice.SubmitAsync(Api.SeedRequest(402));

        // act
        var final = await alice.WaitForSuccessAsync(taskId);

        // assert
        using (var status = await bob.GetAsync(new Uri(Api.StatusPath(taskId), UriKind.Relative)))
        {
            await status.ReadProblemAsync(HttpStatusCode.NotFound);
        }

        using (var events = await bob.GetAsync(new Uri(Api.EventsPath(taskId), UriKind.Relative)))
        {
            await events.ReadProblemAsync(HttpStatusCode.NotFound);
        }

        using (var cancel = await bob.PostAsync(Api.CancelPath(taskId), Api.Json("{}")))
        {
            await cancel.ReadProblemAsync(HttpStatusCode.NotFound);
        }

        using (var bobsAds = await bob.GetAsync(new Uri("/api/v1/ads/402/generations", UriKind.Relative)))
        {
            Assert.Empty((await bobsAds.ReadJsonAsync()).GetProperty("generations").EnumerateArray());
        }

        Assert.Equal("SUCCESS", (await admin.StatusAsync(taskId)).State());

        // The signed link plays without any key, as a <video> tag would fetch it; a tampered one does not.
        var videoUrl = final.GetProperty("result").GetProperty("video_url").GetString()!;
        Assert.Contains("sig=", videoUrl, StringComparison.Ordinal);
        using var anonymous = new HttpClient();
        using (var video = await anonymous.GetAsync(new Uri(videoUrl)))
        {
            Assert.Equal(HttpStatusCode.OK, video.StatusCode);
            Assert.Equal("video/mp4", video.Content.Headers.ContentType?.MediaType);
        }

        using (var tampered = await anonymous.GetAsync(new Uri(videoUrl.Replace("expires=", "expires=1", StringComparison.Ordinal))))
        {
            await tampered.ReadProblemAsync(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task Should_keep_batches_to_their_creator_and_scope_idempotency_keys_by_caller()
    {
        // arrange
        using var alice = service.As(CallerServiceFixture.AliceKey);
        using var bob = service.As(CallerServiceFixture.BobKey);
        var body = new { requests = new[] { Api.SeedRequest(403, prompt: "batch of alice") } };
        using var submitted = await alice.PostAsync(Api.BatchPath, Api.Json(body));
        var batchId = (await submitted.ReadJsonAsync()).GetProperty("batch_id").GetString()!;

        // act
        using var bobsView = await bob.GetAsync(new Uri(Api.BatchStatusPath(batchId), UriKind.Relative));
        var aliceTask = await alice.SubmitAsync(Api.SeedRequest(404, prompt: "same key"), idempotencyKey: "k-1");
        var bobTask = await bob.SubmitAsync(Api.SeedRequest(404, prompt: "same key"), idempotencyKey: "k-1");

        // assert
        await bobsView.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.NotEqual(aliceTask, bobTask);
    }
}
