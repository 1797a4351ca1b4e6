using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Veo.Sdk.Tests;

/// <summary>AddVeoClient: binding, validation messages at start-up, and a working client out of the container.</summary>
public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task Should_bind_the_veo_section_and_generate_when_resolved_from_the_container()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Veo:ApiKey"] = simulator.Options.ApiKey,
            ["Veo:BaseUrl"] = simulator.BaseUrl.ToString(),
            ["Veo:PollingInterval"] = "00:00:00.100",
        });
        builder.Services.AddVeoClient();
        using var host = builder.Build();
        await host.StartAsync();

        // act
        var client = host.Services.GetRequiredService<IVeoClient>();
        var operation = await client.StartGenerateVideoAsync(TestClients.Request());
        var result = await operation.WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await host.StopAsync();

        // assert
        Assert.IsType<VeoClient>(client);
        Assert.IsType<GenerateVideoResult.Succeeded>(result);
        Assert.Equal(TimeSpan.FromMilliseconds(100), host.Services.GetRequiredService<IOptions<VeoClientOptions>>().Value.PollingInterval);
    }

    [Theory]
    [InlineData("ProjectId=my-project", VeoBackend.VertexAi)]
    [InlineData("CredentialsJson={\"type\":\"service_account\",\"project_id\":\"from-key\"}", VeoBackend.VertexAi)]
    [InlineData("ApiKey=a-key", VeoBackend.GeminiApi)]
    [InlineData("ProjectId=my-project;ApiKey=a-key;Backend=GeminiApi", VeoBackend.GeminiApi)]
    public void Should_choose_vertex_ai_from_a_project_or_credentials_unless_the_backend_is_set(string settings, VeoBackend expected)
    {
        // arrange
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(
            settings.Split(';').Select(pair => pair.Split('=', 2)).Select(kv => new KeyValuePair<string, string?>("Veo:" + kv[0], kv[1]))).Build());
        services.AddVeoClient();
        using var provider = services.BuildServiceProvider();

        // act
        var options = provider.GetRequiredService<IOptions<VeoClientOptions>>().Value;

        // assert
        Assert.Equal(expected, options.Backend);
        if (expected == VeoBackend.VertexAi)
        {
            Assert.False(string.IsNullOrEmpty(options.ProjectId));
        }
    }

    [Fact]
    public async Task Should_fail_start_up_naming_the_key_and_its_environment_variable_when_the_api_key_is_missing()
    {
        // arrange
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddVeoClient();
        using var host = builder.Build();

        // act
        var thrown = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        // assert
        Assert.Contains("Veo:ApiKey", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("Veo__ApiKey", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_vertex_settings_and_the_base_url_when_they_are_invalid()
    {
        // arrange
        var services = new ServiceCollection();
        services.AddVeoClient(o =>
        {
            o.Backend = VeoBackend.VertexAi;
            o.BaseUrl = new Uri("ftp://example.test/");
        });
        using var provider = services.BuildServiceProvider();

        // act
        var thrown = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<VeoClientOptions>>().Value);

        // assert
        Assert.Contains("Veo:ProjectId", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("Veo__ProjectId", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("Veo:BaseUrl", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_use_the_given_section_path_in_messages()
    {
        // arrange
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddVeoClient(configSectionPath: "Video:Veo");
        using var provider = services.BuildServiceProvider();

        // act
        var thrown = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<VeoClientOptions>>().Value);

        // assert
        Assert.Contains("Video:Veo:ApiKey", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("Video__Veo__ApiKey", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_report_data_annotation_ranges()
    {
        // arrange
        var services = new ServiceCollection();
        services.AddVeoClient(o =>
        {
            o.ApiKey = "k";
            o.PollingInterval = TimeSpan.Zero;
        });
        using var provider = services.BuildServiceProvider();

        // act
        var thrown = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<VeoClientOptions>>().Value);

        // assert
        Assert.Contains("PollingInterval", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_register_the_http_pipeline_once_when_called_twice()
    {
        // arrange
        var services = new ServiceCollection();

        // act
        services.AddVeoClient(o => o.ApiKey = "k");
        services.AddVeoClient(o => o.PollingInterval = TimeSpan.FromSeconds(3));
        using var provider = services.BuildServiceProvider();

        // assert
        Assert.Single(services, d => d.ServiceType == typeof(VeoClient));
        var options = provider.GetRequiredService<IOptions<VeoClientOptions>>().Value;
        Assert.Equal("k", options.ApiKey);
        Assert.Equal(TimeSpan.FromSeconds(3), options.PollingInterval);
        Assert.NotNull(provider.GetRequiredService<IVeoClient>());
    }
}
