using System.Net;
using Microsoft.Extensions.Logging;

namespace Veo.Sdk.Testing;

/// <summary>
/// Settings of a <see cref="VeoSimulator"/> (or of <see cref="VeoSimulatorState"/> when the simulator is hosted in your own app).
/// </summary>
/// <remarks>
/// <see cref="Host"/>, <see cref="Port"/>, <see cref="KnownModels"/>, <see cref="TimeProvider"/> and <see cref="LoggerFactory"/>
/// are read once at start. The other values are read on every request, so a test may change them while the simulator runs.
/// </remarks>
public sealed class VeoSimulatorOptions
{
    /// <summary>The model ids the simulator knows by default: every Veo id of the Gemini API and Vertex AI.</summary>
    public static IReadOnlyList<string> DefaultModels { get; } =
    [
        VeoModels.Veo20,
        VeoModels.Veo30,
        VeoModels.Veo30Fast,
        "veo-3.0-generate-preview",
        "veo-3.0-fast-generate-preview",
        VeoModels.Veo31,
        VeoModels.Veo31Fast,
        VeoModels.Veo31Lite,
        VeoModels.Veo31Vertex,
        VeoModels.Veo31FastVertex,
        VeoModels.Veo31LiteVertex,
    ];

    /// <summary>The address to listen on, an IP address or <c>localhost</c>. Loopback (<c>127.0.0.1</c>) by default.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The port to listen on; 0 (the default) picks a free port, see <see cref="VeoSimulator.BaseUrl"/>.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The Gemini API key clients must send, as the <c>x-goog-api-key</c> header or the <c>key</c> query parameter.
    /// A missing key is answered 401 <c>UNAUTHENTICATED</c>, a different one 403 <c>PERMISSION_DENIED</c> (reason <c>API_KEY_INVALID</c>).
    /// </summary>
    public string ApiKey { get; set; } = "simulator-key";

    /// <summary>The Vertex AI access token clients must send as <c>Authorization: Bearer …</c>; anything else is answered 401 <c>UNAUTHENTICATED</c>.</summary>
    public string VertexAccessToken { get; set; } = "simulator-token";

    /// <summary>How long a generation takes, from the start request until its operation is done.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>When set, each generation takes a uniformly random time between <see cref="Latency"/> and this value.</summary>
    public TimeSpan? MaxLatency { get; set; }

    /// <summary>
    /// When set, a start request that would make more operations run at once than this is answered
    /// 429 <c>RESOURCE_EXHAUSTED</c> with <c>RetryInfo</c>, and nothing is started.
    /// </summary>
    public int? MaxConcurrentOperations { get; set; }

    /// <summary>The <c>RetryInfo.retryDelay</c> (and <c>Retry-After</c> header) sent with 429 answers.</summary>
    public TimeSpan QuotaRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The model ids accepted; any other is answered 404 <c>NOT_FOUND</c>, as Google does. Starts as <see cref="DefaultModels"/>.
    /// Ids of unknown families (not <c>veo-2.*</c>, <c>veo-3.0-*</c>, <c>veo-3.1-*</c>) get Veo 3.1's parameter rules.
    /// </summary>
    public ISet<string> KnownModels { get; } = new HashSet<string>(DefaultModels, StringComparer.Ordinal);

    /// <summary>How long the access tokens of the token endpoint (<c>POST /token</c>) live; Google's live an hour.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Model ids Google no longer serves: a start call for one is answered 404 <c>NOT_FOUND</c> "… is no longer
    /// available", as Google answers for a retired model (empty by default; read once at start).
    /// </summary>
    public ISet<string> RetiredModels { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The clock that decides when operations are done and files expire; replace it in tests to control time.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where <see cref="VeoSimulator.StartAsync"/> sends logs: the simulator's own at their level, ASP.NET Core's from
    /// <see cref="LogLevel.Warning"/>. <see langword="null"/> (the default) logs nothing.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host) || (Host != "localhost" && !IPAddress.TryParse(Host, out _)))
        {
            throw new ArgumentException($"Host '{Host}' must be an IP address (e.g. 127.0.0.1) or 'localhost'.", nameof(Host));
        }

        if (Port is < 0 or > IPEndPoint.MaxPort)
        {
            throw new ArgumentException($"Port {Port} is outside 0..{IPEndPoint.MaxPort} (0 picks a free port).", nameof(Port));
        }

        if (string.IsNullOrEmpty(ApiKey))
        {
            throw new ArgumentException("ApiKey must not be empty: the simulator checks the key as Google does.", nameof(ApiKey));
        }

        if (string.IsNullOrEmpty(VertexAccessToken))
        {
            throw new ArgumentException("VertexAccessToken must not be empty.", nameof(VertexAccessToken));
        }

        if (Latency < TimeSpan.Zero)
        {
            throw new ArgumentException($"Latency {Latency} is negative.", nameof(Latency));
        }

        if (MaxLatency is { } max && max < Latency)
        {
            throw new ArgumentException($"MaxLatency {max} is shorter than Latency {Latency}.", nameof(MaxLatency));
        }

        if (MaxConcurrentOperations is < 1)
        {
            throw new ArgumentException($"MaxConcurrentOperations {MaxConcurrentOperations} must be at least 1 (or null for no limit).", nameof(MaxConcurrentOperations));
        }

        if (QuotaRetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentException($"QuotaRetryDelay {QuotaRetryDelay} is negative.", nameof(QuotaRetryDelay));
        }

        if (KnownModels.Count == 0 || KnownModels.Any(m => string.IsNullOrWhiteSpace(m) || m.Contains('/', StringComparison.Ordinal) || m.Contains(':', StringComparison.Ordinal)))
        {
            throw new ArgumentException("KnownModels must hold at least one model id, none blank or containing '/' or ':'.", nameof(KnownModels));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }

    /// <inheritdoc />
    public override string ToString()
        => $"VeoSimulatorOptions {{ Host = {Host}, Port = {Port}, Latency = {Latency}, MaxLatency = {MaxLatency}, MaxConcurrentOperations = {MaxConcurrentOperations}, Models = {KnownModels.Count} }}";
}
