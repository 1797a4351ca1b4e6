using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Veo.Sdk.Testing.Tests;

/// <summary>Hosting the simulator: in an app of one's own (as the reference service and the sample do), logging, shutdown.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Should_serve_generations_from_an_app_of_ones_own_when_mapped_from_configuration()
    {
        // arrange
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Simulator:LatencySeconds"] = "0.2",
            ["Simulator:ApiKey"] = "hosted-key",
            ["Simulator:MaxConcurrentOperations"] = "3",
            ["Simulator:Models:0"] = "veo-4.0-generate-preview",
        });
        builder.Services.AddVeoSimulator(builder.Configuration.GetSection("Simulator"));
        await using var app = builder.Build();
        app.MapVeoSimulator();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        http.DefaultRequestHeaders.Add("x-goog-api-key", "hosted-key");

        // act
        using var start = await http.PostAsync("v1beta/models/veo-4.0-generate-preview:predictLongRunning", Json(TestSimulator.StartBody()));
        var name = (await TestSimulator.ReadJsonAsync(start)).GetProperty("name").GetString();
        var done = false;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!done)
        {
            await Task.Delay(50, timeout.Token);
            using var poll = await http.GetAsync("v1beta/" + name, timeout.Token);
            done = (await TestSimulator.ReadJsonAsync(poll)).TryGetProperty("done", out var d) && d.GetBoolean();
        }

        // assert
        var options = app.Services.GetRequiredService<VeoSimulatorState>().Options;
        Assert.Equal(TimeSpan.FromSeconds(0.2), options.Latency);
        Assert.Equal(3, options.MaxConcurrentOperations);
        Assert.Equal(1, app.Services.GetRequiredService<VeoSimulatorState>().GetStats().OperationsStarted);
    }

    [Fact]
    public void Should_throw_naming_the_key_when_a_configured_latency_is_not_a_number()
    {
        // arrange
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Simulator:LatencySeconds"] = "soon" })
            .Build();
        var services = new ServiceCollection().AddVeoSimulator(configuration.GetSection("Simulator")).BuildServiceProvider();

        // act
        var error = Assert.Throws<ArgumentException>(() => services.GetRequiredService<VeoSimulatorState>());

        // assert
        Assert.Contains("Simulator:LatencySeconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_log_refused_requests_without_the_api_key_when_a_logger_factory_is_given()
    {
        // arrange
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        await using var sim = await TestSimulator.StartAsync(o => o.LoggerFactory = loggerFactory);

        // act
        using var refused = await sim.Http.PostAsync($"v1beta/models/{TestSimulator.Model}:predictLongRunning?key=leaked-secret-123", Json(TestSimulator.StartBody()));
        await sim.StartGeminiAsync();

        // assert
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains(logs.Messages, m => m.Contains("403 PERMISSION_DENIED", StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.StartsWith("Started models/", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains("leaked-secret-123", StringComparison.Ordinal) || m.Contains("simulator-key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_stop_listening_when_disposed()
    {
        // arrange
        var sim = await VeoSimulator.StartAsync(new VeoSimulatorOptions());
        using var http = new HttpClient { BaseAddress = sim.BaseUrl };
        using var before = await http.GetAsync("_simulator/stats");

        // act
        await sim.DisposeAsync();
        await sim.DisposeAsync();

        // assert
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("_simulator/stats"));
    }

    [Fact]
    public async Task Should_report_a_loopback_base_url_with_the_chosen_port_when_started_on_port_zero()
    {
        // arrange + act
        await using var sim = await VeoSimulator.StartAsync();

        // assert
        Assert.Equal("127.0.0.1", sim.BaseUrl.Host);
        Assert.NotEqual(0, sim.BaseUrl.Port);
        Assert.Equal("/", sim.BaseUrl.AbsolutePath);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Entries { get; } = new();

        public IEnumerable<string> Messages => Entries;

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(Entries);

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(ConcurrentQueue<string> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => entries.Enqueue(formatter(state, exception));
        }
    }
}
