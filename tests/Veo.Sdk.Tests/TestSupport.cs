using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Veo.Sdk.Testing;

namespace Veo.Sdk.Tests;

/// <summary>Clients pointed at a simulator, with small delays so the suite stays fast.</summary>
internal static class TestClients
{
    public static VeoClientOptions GeminiOptions(VeoSimulator simulator, Action<VeoClientOptions>? configure = null)
    {
        var options = new VeoClientOptions
        {
            Backend = VeoBackend.GeminiApi,
            ApiKey = simulator.Options.ApiKey,
            BaseUrl = simulator.BaseUrl,
            PollingInterval = TimeSpan.FromMilliseconds(100),
            RetryDelay = TimeSpan.FromMilliseconds(20),
            RequestTimeout = TimeSpan.FromSeconds(10),
            MaxRetries = 3,
        };
        configure?.Invoke(options);
        return options;
    }

    public static VeoClientOptions VertexOptions(VeoSimulator simulator, Action<VeoClientOptions>? configure = null)
    {
        var options = new VeoClientOptions
        {
            Backend = VeoBackend.VertexAi,
            ProjectId = "test-project",
            Location = "us-central1",
            AccessTokenProvider = _ => ValueTask.FromResult(simulator.Options.VertexAccessToken),
            BaseUrl = simulator.BaseUrl,
            PollingInterval = TimeSpan.FromMilliseconds(100),
            RetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetries = 3,
        };
        configure?.Invoke(options);
        return options;
    }

    public static VeoClient Gemini(VeoSimulator simulator, Action<VeoClientOptions>? configure = null, ILoggerFactory? loggerFactory = null)
        => loggerFactory is null
            ? new VeoClient(GeminiOptions(simulator, configure))
            : new VeoClient(GeminiOptions(simulator, configure), new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }), loggerFactory);

    public static Task<VeoSimulator> StartSimulatorAsync(TimeSpan? latency = null, string apiKey = "simulator-key")
        => VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = latency ?? TimeSpan.FromMilliseconds(300), ApiKey = apiKey });

    public static GenerateVideoRequest Request(string prompt = "A paper boat drifting down a rain gutter", string model = VeoModels.Veo31Fast)
        => new() { Model = model, Prompt = prompt };
}

internal static class Mp4
{
    /// <summary>Whether the bytes start with an ISO BMFF <c>ftyp</c> box of a plausible size.</summary>
    public static bool StartsWithFtypBox(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 16)
        {
            return false;
        }

        var size = (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
        return size >= 16 && size <= bytes.Length && bytes[4] == (byte)'f' && bytes[5] == (byte)'t' && bytes[6] == (byte)'y' && bytes[7] == (byte)'p';
    }
}

/// <summary>Keeps every log entry (message and exception text) written through it.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId EventId, string Message, string? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    public IEnumerable<string> AllText()
        => Entries.Select(e => $"{e.Category} {e.Level} {e.Message} {e.Exception}");

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : string.Empty;
            owner.Entries.Enqueue((category, logLevel, eventId, $"{formatter(state, exception)} [{structured}]", exception?.ToString()));
        }
    }
}
