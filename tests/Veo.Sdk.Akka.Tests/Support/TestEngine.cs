using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Veo.Sdk.Akka.Diagnostics;
using Veo.Sdk.Akka.Hosting;
using Veo.Sdk.Akka.Storage;

namespace Veo.Sdk.Akka.Tests.Support;

/// <summary>
/// A real engine for a test: the generic host with <c>AddVeoClient</c> pointed at a simulator over loopback and
/// <c>AddVeoGenerationEngine</c> on a SQLite file in a temp folder (or a PostgreSQL database) — exactly what apps register.
/// </summary>
public sealed class TestEngine : IAsyncDisposable
{
    private TestEngine(IHost host, string dataFolder)
    {
        Host = host;
        DataFolder = dataFolder;
        Service = host.Services.GetRequiredService<IVideoGenerationService>();
        Generations = host.Services.GetRequiredService<IGenerationStore>();
        Videos = host.Services.GetRequiredService<IVideoStore>();
        Metrics = host.Services.GetRequiredService<VeoGenerationMetrics>();
    }

    public IHost Host { get; }

    public string DataFolder { get; }

    public IVideoGenerationService Service { get; }

    public IGenerationStore Generations { get; }

    public IVideoStore Videos { get; }

    public VeoGenerationMetrics Metrics { get; }

    public string VideosPath => Path.Combine(DataFolder, "videos");

    /// <summary>The configuration every test engine starts from; tests override single keys.</summary>
    public static Dictionary<string, string?> Settings(Uri simulator, string dataFolder, string? postgres = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Veo:Backend"] = "VertexAi",
            ["Veo:BaseUrl"] = simulator.ToString(),
            ["Veo:ProjectId"] = "engine-tests",
            ["Veo:Location"] = "us-central1",
            ["Veo:AccessToken"] = "simulator-token",

            // Vertex AI writes the videos to the simulated bucket and the engine copies them from there, so every test
            // counts a download per video, as it would on the Gemini API.
            ["Storage:VertexOutputUri"] = "gs://engine-tests/videos/",
            ["Storage:VideosPath"] = Path.Combine(dataFolder, "videos"),
            ["Generation:MaxConcurrency"] = "4",
            ["Generation:PollIntervalSeconds"] = "0.2",
            ["Generation:ExpectedGenerationSeconds"] = "1",
            ["Generation:EndedTaskIdleSeconds"] = "1",
            ["Generation:QuotaRetryDelaySeconds"] = "0.2",
            ["Generation:QuotaRecoveryIntervalSeconds"] = "0.5",
            ["Generation:AskTimeoutSeconds"] = "30",
            ["Akka:LogLevel"] = "Warning",
        };
        if (postgres is null)
        {
            settings["Persistence:Provider"] = "Sqlite";
            settings["Persistence:ConnectionString"] = $"Data Source={Path.Combine(dataFolder, "veo.db")}";
        }
        else
        {
            settings["Persistence:Provider"] = "PostgreSql";
            settings["Persistence:ConnectionString"] = postgres;
        }

        return settings;
    }

    public static async Task<TestEngine> StartAsync(IReadOnlyDictionary<string, string?> settings, ITestOutputHelper? output = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (output is not null)
        {
            builder.Logging.AddProvider(new TestOutputLoggerProvider(output));
        }

        builder.Services.AddVeoClient();
        builder.Services.AddVeoGenerationEngine(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        var storage = settings["Storage:VideosPath"]!;
        var engine = new TestEngine(host, Path.GetDirectoryName(storage)!);

        // Ready means the shard coordinator answers: ask for a task that does not exist (it stores nothing). A cold node
        // on a busy machine may not answer within one read timeout; like any client, ask again after the 503.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                Assert.Null(await engine.Service.GetStatusAsync("warm-up-probe"));
                return engine;
            }
            catch (GenerationUnavailableException ex) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(ex.RetryAfter);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Host.StopAsync(timeout.Token);
        Host.Dispose();
    }
}

/// <summary>Convenience for the tests.</summary>
public static class EngineTestExtensions
{
    public static VideoGenerationRequest Request(string prompt, TaskPriority priority = TaskPriority.Normal, string? taskId = null, long? adId = null)
        => new()
        {
            Veo = new GenerateVideoRequest { Model = VeoModels.Veo31Fast, Prompt = prompt, AspectRatio = VeoAspectRatios.Portrait, Seed = 9831 },
            Priority = priority,
            TaskId = taskId,
            ModelKey = "veo_3_1_t2v_fast_portrait",
            AdId = adId,
        };

    /// <summary>Watches a task to its end (the facade's own stream), failing the test when it does not end in time.</summary>
    public static async Task<List<VideoTaskStatus>> WatchToEndAsync(this IVideoGenerationService service, string taskId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var seen = new List<VideoTaskStatus>();
        try
        {
            await foreach (var status in service.WatchAsync(taskId, cts.Token))
            {
                seen.Add(status);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Task {taskId} did not end within {timeout.TotalSeconds} s; last status: {seen.LastOrDefault()?.StatusText ?? "(none)"}.");
        }

        return seen;
    }

    public static async Task<VideoTaskStatus> FinalStatusAsync(this IVideoGenerationService service, string taskId, TimeSpan timeout)
    {
        var seen = await service.WatchToEndAsync(taskId, timeout);
        Assert.NotEmpty(seen);
        var last = seen[^1];
        Assert.True(last.IsFinal, $"Watching {taskId} ended without a final status (last: {last.StatusText}).");
        return last;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (bounded), for facts only observable by asking.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await HoldsAsync(condition))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting until {because}.");
            }

            await Task.Delay(25);
        }
    }

    public static string Seconds(double value) => value.ToString(CultureInfo.InvariantCulture);

    // A task that cannot answer in time (a 503 to a client) has not shown the fact yet: ask again, within the deadline.
    private static async Task<bool> HoldsAsync(Func<Task<bool>> condition)
    {
        try
        {
            return await condition();
        }
        catch (GenerationUnavailableException)
        {
            return false;
        }
    }
}

internal sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TestOutputLogger(output, categoryName);

    public void Dispose()
    {
    }

    private sealed class TestOutputLogger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}] {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message)}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; its output is closed.
            }
        }
    }
}
