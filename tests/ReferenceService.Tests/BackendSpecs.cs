using Veo.Sdk.Testing;

namespace ReferenceService.Tests;

/// <summary>
/// The real backends are a configuration change away: the same service against a standalone simulator speaking the Gemini
/// API (<c>Veo:Backend=GeminiApi</c>, <c>Veo:BaseUrl</c>, <c>Veo:ApiKey</c>) or Vertex AI (<c>Veo:Backend=VertexAi</c>,
/// a service-account key in <c>Veo:CredentialsFile</c>, or a quick-try <c>Veo:AccessToken</c>).
/// </summary>
public sealed class BackendSpecs : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private VeoSimulator _veo = null!;

    public async Task InitializeAsync()
        => _veo = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromSeconds(0.5) });

    public async Task DisposeAsync()
    {
        await _veo.DisposeAsync();
        _data.Delete();
    }

    [Fact]
    public async Task Should_generate_through_vertex_ai_when_the_backend_is_vertex()
    {
        // arrange
        await using var service = await ServiceHost.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Veo:Backend"] = "VertexAi",
            ["Veo:BaseUrl"] = _veo.BaseUrl.ToString(),
            ["Veo:ProjectId"] = "reference-service-tests",
            ["Veo:Location"] = "us-central1",
            ["Veo:AccessToken"] = _veo.Options.VertexAccessToken,
        });

        // act
        var taskId = await service.Client.SubmitAsync(Api.SeedRequest(adId: 95, modelKey: "veo_3_1_t2v_fast_portrait"));
        var done = await service.Client.WaitForSuccessAsync(taskId);

        // assert
        var result = done.GetProperty("result");
        Assert.Equal("veo-3.1-fast-generate-001", result.GetProperty("model").GetString());
        Assert.Contains("projects/reference-service-tests/locations/us-central1/", result.GetProperty("operation_name").GetString());
        var video = await service.Client.GetByteArrayAsync(new Uri(result.GetProperty("video_url").GetString()!));
        Assert.Equal("ftyp"u8.ToArray(), video[4..8]);
        Assert.Equal(1, _veo.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_have_vertex_write_the_video_to_the_bucket_and_copy_it_from_there_when_storage_names_one()
    {
        // arrange: a service-account key, and a bucket for Vertex AI to write the videos to
        var keyFile = Path.Combine(_data.Path, "service-account.json");
        await File.WriteAllTextAsync(keyFile, _veo.CreateServiceAccountKey("veo-service@reference-tests.iam.gserviceaccount.com", "reference-tests"));
        await using var service = await ServiceHost.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Veo:Backend"] = "VertexAi",
            ["Veo:BaseUrl"] = _veo.BaseUrl.ToString(),
            ["Veo:CredentialsFile"] = keyFile,
            ["Storage:VertexOutputUri"] = "gs://veo-service-output/renders",
        });

        // act
        var taskId = await service.Client.SubmitAsync(Api.SeedRequest(adId: 99));
        var done = await service.Client.WaitForSuccessAsync(taskId);

        // assert: the poll answer named a Cloud Storage object, which the engine read with the same credentials
        var result = done.GetProperty("result");
        var video = await service.Client.GetByteArrayAsync(new Uri(result.GetProperty("video_url").GetString()!));
        Assert.Equal("ftyp"u8.ToArray(), video[4..8]);
        Assert.Equal(1, _veo.GetStats().OperationsStarted);
        Assert.Equal(1, _veo.GetStats().Downloads);   // inline answers are not downloads; a Cloud Storage object is
        Assert.True(_veo.GetStats().TokenRequests >= 1);
    }

    [Fact]
    public async Task Should_refuse_to_start_when_the_vertex_output_uri_is_not_a_cloud_storage_prefix()
    {
        var start = () => ServiceHost.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Veo:Backend"] = "VertexAi",
            ["Veo:BaseUrl"] = _veo.BaseUrl.ToString(),
            ["Veo:AccessToken"] = _veo.Options.VertexAccessToken,
            ["Veo:ProjectId"] = "reference-service-tests",
            ["Storage:VertexOutputUri"] = "s3://not-google/renders",
        });

        var thrown = await Assert.ThrowsAnyAsync<Exception>(start);

        Assert.Contains("Storage", thrown.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_fail_the_task_naming_the_error_when_the_gemini_api_key_is_wrong()
    {
        // arrange
        await using var service = await ServiceHost.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Veo:Backend"] = "GeminiApi",
            ["Veo:BaseUrl"] = _veo.BaseUrl.ToString(),
            ["Veo:ApiKey"] = "not-the-key",
        });

        // act
        var taskId = await service.Client.SubmitAsync(Api.SeedRequest(adId: 96));
        var done = await service.Client.WaitForFinalAsync(taskId);

        // assert
        Assert.Equal("FAILURE", done.State());
        Assert.Equal("VEO_REQUEST_FAILED", done.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(0, _veo.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_sign_in_with_a_service_account_key_and_take_the_project_from_it_when_on_vertex()
    {
        // arrange: no token and no project in configuration, only the key file
        var keyFile = System.IO.Path.Combine(_data.Path, "service-account.json");
        await File.WriteAllTextAsync(keyFile, _veo.CreateServiceAccountKey("reference@key-project.iam.gserviceaccount.com", "key-project"));
        await using var service = await ServiceHost.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Veo:Backend"] = "VertexAi",
            ["Veo:BaseUrl"] = _veo.BaseUrl.ToString(),
            ["Veo:CredentialsFile"] = keyFile,
        });

        // act
        var taskId = await service.Client.SubmitAsync(Api.SeedRequest(adId: 97, modelKey: "veo_3_1_t2v_fast_portrait"));
        var done = await service.Client.WaitForSuccessAsync(taskId);

        var ready = await service.Client.GetFromJsonElementAsync("/health/ready");

        // assert
        Assert.Contains("projects/key-project/locations/us-central1/", done.GetProperty("result").GetProperty("operation_name").GetString());
        Assert.Equal(1, _veo.GetStats().TokenRequests);
        var credentials = ready.GetProperty("checks").GetProperty("veo-credentials");
        Assert.Equal("Healthy", credentials.GetProperty("status").GetString());
        Assert.Contains(keyFile, credentials.GetProperty("data").GetProperty("credential_source").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_fail_the_task_as_authentication_failed_naming_the_key_file_when_the_key_is_revoked()
    {
        // arrange
        var keyFile = System.IO.Path.Combine(_data.Path, "revoked.json");
        await File.WriteAllTextAsync(keyFile, _veo.CreateServiceAccountKey("revoked@key-project.iam.gserviceaccount.com", "key-project"));
        _veo.RevokeServiceAccount("revoked@key-project.iam.gserviceaccount.com");
        await using var service = await ServiceHost.StartAsync(_data.Path, new Dictionary<string, string?>
        {
            ["Veo:Backend"] = "VertexAi",
            ["Veo:BaseUrl"] = _veo.BaseUrl.ToString(),
            ["Veo:CredentialsFile"] = keyFile,
        }, unhealthyChecksAllowed: ["veo-credentials"]);

        // act
        var taskId = await service.Client.SubmitAsync(Api.SeedRequest(adId: 98));
        var done = await service.Client.WaitForFinalAsync(taskId);

        // assert
        Assert.Equal("FAILURE", done.State());
        var error = done.GetProperty("error");
        Assert.Equal("AUTHENTICATION_FAILED", error.GetProperty("code").GetString());
        Assert.Contains(keyFile, error.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", error.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0, _veo.GetStats().StartRequests);
        using var ready = await service.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("invalid_grant", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
