using System.Security.Cryptography;
using System.Text.Json;
using Veo.Sdk.Testing;

namespace Veo.Sdk.Tests;

/// <summary>
/// Vertex AI credentials for real: a throwaway service-account key, signed JWT assertions sent to the simulator's OAuth 2.0
/// token endpoint, tokens cached, refreshed and refused over loopback HTTP.
/// </summary>
public sealed class CredentialsTests : IAsyncLifetime
{
    private const string ClientEmail = "veo-runner@key-project.iam.gserviceaccount.com";
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("veo-credentials-");
    private VeoSimulator _simulator = null!;

    private string KeyFile => Path.Combine(_folder.FullName, "service-account.json");

    public async Task InitializeAsync()
    {
        _simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(400) });
        await File.WriteAllTextAsync(KeyFile, _simulator.CreateServiceAccountKey(ClientEmail, "key-project"));
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Should_generate_with_a_service_account_key_file_and_take_the_project_from_it()
    {
        // arrange
        var client = new VeoClient(Options(o => o.CredentialsFile = KeyFile));

        // act
        var operation = await client.StartGenerateVideoAsync(TestClients.Request(model: VeoModels.Veo31FastVertex));
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert
        Assert.IsType<GenerateVideoResult.Succeeded>(result);
        Assert.StartsWith("projects/key-project/locations/us-central1/", operation.Name, StringComparison.Ordinal);
        Assert.Equal(1, _simulator.GetStats().TokenRequests);
    }

    [Fact]
    public async Task Should_fetch_one_token_for_many_concurrent_calls()
    {
        // arrange
        var client = new VeoClient(Options(o => o.CredentialsJson = File.ReadAllText(KeyFile)));

        // act
        var operations = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => client.StartGenerateVideoAsync(TestClients.Request($"boat {i}", VeoModels.Veo31FastVertex))));

        // assert
        Assert.Equal(24, operations.Select(o => o.Name).Distinct().Count());
        Assert.Equal(1, _simulator.GetStats().TokenRequests);
        Assert.Equal(24, _simulator.GetStats().OperationsStarted);
    }

    [Fact]
    public async Task Should_refresh_the_token_and_go_on_when_it_expires_mid_generation()
    {
        // arrange
        var client = new VeoClient(Options(o => o.CredentialsFile = KeyFile));
        var operation = await client.StartGenerateVideoAsync(TestClients.Request(model: VeoModels.Veo31Vertex));

        // act: Google stops accepting the token before the client thinks it has expired
        _simulator.ExpireAccessTokens();
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // assert: one 401, one refresh, the poll sent again once; no second generation
        Assert.IsType<GenerateVideoResult.Succeeded>(result);
        var stats = _simulator.GetStats();
        Assert.Equal(2, stats.TokenRequests);
        Assert.Equal(1, stats.OperationsStarted);
    }

    [Fact]
    public async Task Should_fail_naming_the_credential_source_and_not_the_key_when_the_key_is_revoked()
    {
        // arrange
        var client = new VeoClient(Options(o => o.CredentialsFile = KeyFile));
        var operation = await client.StartGenerateVideoAsync(TestClients.Request(model: VeoModels.Veo31Vertex));
        _simulator.RevokeServiceAccount(ClientEmail);

        // act
        var error = await Assert.ThrowsAsync<VeoAuthenticationException>(() => operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        // assert
        Assert.Contains(KeyFile, error.CredentialSource, StringComparison.Ordinal);
        Assert.Contains(KeyFile, error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid_grant", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        var privateKey = JsonDocument.Parse(File.ReadAllText(KeyFile)).RootElement.GetProperty("private_key").GetString()!;
        Assert.DoesNotContain(privateKey[40..80], error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ya29.", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_a_key_signed_by_another_private_key()
    {
        // arrange: the same service account, but a private key Google never registered for it
        using var stranger = RSA.Create(2048);
        var key = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(KeyFile))!;
        key["private_key"] = stranger.ExportPkcs8PrivateKeyPem();
        var json = JsonSerializer.Serialize(key);
        var client = new VeoClient(Options(o => o.CredentialsJson = json));

        // act
        var error = await Assert.ThrowsAsync<VeoAuthenticationException>(() => client.StartGenerateVideoAsync(TestClients.Request(model: VeoModels.Veo31Vertex)));

        // assert
        Assert.Equal("the credentials JSON of Veo:CredentialsJson", error.CredentialSource);
        Assert.Contains("Invalid JWT Signature", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _simulator.GetStats().StartRequests);
    }

    [Fact]
    public void Should_keep_credentials_out_of_the_options_text()
    {
        var options = Options(o =>
        {
            o.CredentialsJson = File.ReadAllText(KeyFile);
            o.AccessToken = "ya29.secret-token";
        });

        var text = options.ToString();

        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", text, StringComparison.Ordinal);
        Assert.Contains("Veo:CredentialsJson", text, StringComparison.Ordinal);
    }

    private VeoClientOptions Options(Action<VeoClientOptions> credentials)
    {
        var options = new VeoClientOptions
        {
            Backend = VeoBackend.VertexAi,
            Location = "us-central1",
            BaseUrl = _simulator.BaseUrl,
            PollingInterval = TimeSpan.FromMilliseconds(100),
            RetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetries = 2,
        };
        credentials(options);
        return options;
    }
}
