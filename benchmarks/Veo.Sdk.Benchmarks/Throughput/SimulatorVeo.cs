using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Veo.Sdk.Testing;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>
/// The real <see cref="VeoClient"/> over HTTP to the simulator, plus what the benchmark needs to know about it: when each
/// operation's start was answered (so when Veo finishes it: answer + L, the simulator's clock starts on receipt) and the
/// simulator's counters. The transport records; it changes nothing.
/// </summary>
public sealed class SimulatorVeo : IDisposable
{
    public const string ApiKey = "simulator-key";

    private readonly HttpClient _transport;
    private readonly HttpClient _control;
    private readonly StartRecorder _recorder;

    public SimulatorVeo(Uri simulatorUrl)
    {
        SimulatorUrl = simulatorUrl;
        _recorder = new StartRecorder(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 256,
        });
        _transport = new HttpClient(_recorder) { Timeout = TimeSpan.FromMinutes(2) };
        _control = new HttpClient { BaseAddress = simulatorUrl };
        Client = new VeoClient(new VeoClientOptions { BaseUrl = simulatorUrl, ApiKey = ApiKey, PollingInterval = TimeSpan.FromMilliseconds(100) }, _transport);
    }

    public Uri SimulatorUrl { get; }

    public VeoClient Client { get; }

    /// <summary>When the start of <paramref name="operationName"/> was answered, if this client started it.</summary>
    public DateTimeOffset? StartAnsweredAt(string operationName) => _recorder.Answered.TryGetValue(operationName, out var at) ? at : null;

    public async Task<VeoSimulatorStats> GetStatsAsync(CancellationToken cancellationToken) =>
        await _control.GetFromJsonAsync<VeoSimulatorStats>("_simulator/stats", cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException("The simulator returned no stats.");

    public void Dispose()
    {
        _transport.Dispose();
        _control.Dispose();
    }

    /// <summary>Notes the time each start (predictLongRunning) is answered, keyed by the operation name in the answer.</summary>
    private sealed class StartRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public ConcurrentDictionary<string, DateTimeOffset> Answered { get; } = new(StringComparer.Ordinal);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var at = DateTimeOffset.UtcNow;
            if (request.Method == HttpMethod.Post && response.IsSuccessStatusCode
                && request.RequestUri?.AbsolutePath.EndsWith(":predictLongRunning", StringComparison.Ordinal) == true)
            {
                // Buffered, and read as bytes (not as a stream, which HttpContent would cache at its end for the SDK's own read).
                await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
                using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
                if (json.RootElement.TryGetProperty("name", out var name) && name.GetString() is { } operation)
                {
                    Answered[operation] = at;
                }
            }

            return response;
        }
    }
}
