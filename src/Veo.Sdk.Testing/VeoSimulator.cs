using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Veo.Sdk.Testing.Internal;

namespace Veo.Sdk.Testing;

/// <summary>
/// A Veo server for tests and demos: Kestrel on loopback speaking Google's Gemini API (<c>/v1beta/…</c>) and Vertex AI
/// (<c>/v1/projects/…</c>) video generation endpoints as Google documents them, with scripted latency, safety filtering,
/// errors and quotas, serving real playable MP4s. Point any client at <see cref="BaseUrl"/>, including Google's own SDKs.
/// </summary>
/// <example>
/// <code>
/// await using var veo = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(200) });
/// var client = new VeoClient(new VeoClientOptions { BaseUrl = veo.BaseUrl, ApiKey = veo.Options.ApiKey });
/// </code>
/// </example>
public sealed class VeoSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly VeoSimulatorState _state;
    private int _disposed;

    private VeoSimulator(WebApplication app, VeoSimulatorState state, Uri baseUrl)
    {
        _app = app;
        _state = state;
        BaseUrl = baseUrl;
    }

    /// <summary>The root URL clients call, e.g. <c>http://127.0.0.1:41234/</c>; Gemini paths are <c>v1beta/…</c>, Vertex paths <c>v1/projects/…</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The settings the simulator runs with.</summary>
    public VeoSimulatorOptions Options => _state.Options;

    /// <summary>Starts a simulator; it listens until disposed.</summary>
    /// <param name="options">The settings; the defaults when <see langword="null"/> (any free port on 127.0.0.1, 2 s latency).</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <returns>The running simulator.</returns>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public static Task<VeoSimulator> StartAsync(VeoSimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new VeoSimulatorOptions();
        options.Validate();

        // The simulator is a web host of its own. Test hosts such as WebApplicationFactory take the first host built in
        // the entry point's async flow to be the application, so an app that starts the simulator in its Program would
        // hand its tests the simulator instead of itself. Building it outside the caller's execution context avoids that.
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(() => StartCoreAsync(options, cancellationToken), cancellationToken);
        }
    }

    private static async Task<VeoSimulator> StartCoreAsync(VeoSimulatorOptions options, CancellationToken cancellationToken)
    {

        // An empty builder reads no appsettings.json, environment variables or command line of the host process,
        // so a test project's configuration cannot move or reconfigure the simulator.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(VeoSimulator).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var address = options.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Host);
            kestrel.Listen(address, options.Port);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging(logging =>
        {
            if (options.LoggerFactory is { } loggerFactory)
            {
                // the caller's factory applies its own levels to the simulator's logs; ASP.NET Core's stay at Warning and up
                logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
                logging.SetMinimumLevel(LogLevel.Trace);
                logging.AddFilter("Microsoft", LogLevel.Warning);
            }
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));

        var app = builder.Build();
        var state = new VeoSimulatorState(options, app.Services.GetRequiredService<ILogger<VeoSimulatorState>>());
        app.MapVeoSimulator(state);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var baseUrl = ResolveBaseUrl(app);
        Log.Listening(state.Logger, baseUrl);
        return new VeoSimulator(app, state, baseUrl);
    }

    /// <summary>The OAuth 2.0 token endpoint: the <c>token_uri</c> to put into a service-account key meant for this simulator.</summary>
    public Uri TokenUri => new(BaseUrl, "token");

    /// <inheritdoc cref="VeoSimulatorState.AddServiceAccount"/>
    public void AddServiceAccount(string clientEmail, System.Security.Cryptography.RSA publicKey) => _state.AddServiceAccount(clientEmail, publicKey);

    /// <summary>
    /// Makes a throwaway service account that this simulator knows: a fresh RSA key, registered here, written out as the
    /// key file JSON the Cloud console gives, with its <c>token_uri</c> pointing at <see cref="TokenUri"/>. Write it to a
    /// file for <c>GOOGLE_APPLICATION_CREDENTIALS</c> or <c>Veo:CredentialsFile</c>, or pass it as <c>Veo:CredentialsJson</c>.
    /// </summary>
    /// <param name="clientEmail">The service account's e-mail.</param>
    /// <param name="projectId">The project the key names (<c>project_id</c>).</param>
    /// <returns>The key file's JSON, private key included.</returns>
    public string CreateServiceAccountKey(string clientEmail = "veo-tests@simulated-project.iam.gserviceaccount.com", string projectId = "simulated-project")
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        AddServiceAccount(clientEmail, key);
        return System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = projectId,
            ["private_key_id"] = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20)),
            ["private_key"] = key.ExportPkcs8PrivateKeyPem() + "\n",
            ["client_email"] = clientEmail,
            ["client_id"] = "100000000000000000001",
            ["token_uri"] = TokenUri.ToString(),
        });
    }

    /// <inheritdoc cref="VeoSimulatorState.RevokeServiceAccount"/>
    public void RevokeServiceAccount(string clientEmail) => _state.RevokeServiceAccount(clientEmail);

    /// <inheritdoc cref="VeoSimulatorState.ExpireAccessTokens"/>
    public void ExpireAccessTokens() => _state.ExpireAccessTokens();

    /// <summary>A snapshot of the statistics, the same numbers <c>GET /_simulator/stats</c> returns.</summary>
    public VeoSimulatorStats GetStats() => _state.GetStats();

    /// <summary>
    /// The names of the operations Veo "started" so far, oldest first: lets a test find the operation whose start answer its
    /// client never received (a crash or timeout inside the start call).
    /// </summary>
    public IReadOnlyList<string> GetOperationNames() => _state.GetOperationNames();

    /// <inheritdoc cref="VeoSimulatorState.GetStorageObjectNames"/>
    public IReadOnlyList<string> GetStorageObjectNames(string bucket) => _state.GetStorageObjectNames(bucket);

    /// <summary>Sets the counters back to zero; operations in flight keep running (see <see cref="VeoSimulatorState.ResetStats"/>).</summary>
    public void ResetStats() => _state.ResetStats();

    /// <summary>Queues a scripted outcome; each start request that passes authentication and validation takes the next one (FIFO).</summary>
    /// <param name="outcome">What happens to that request.</param>
    /// <exception cref="ArgumentException">The outcome is invalid.</exception>
    public void Enqueue(SimulatedOutcome outcome) => _state.Enqueue(outcome);

    /// <summary>Stops the server; calling it again does nothing.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"VeoSimulator {{ BaseUrl = {BaseUrl} }}";

    private static Uri ResolveBaseUrl(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel started without reporting the address it listens on.");
        var uri = new Uri(address);

        // a wildcard address is where the server listens, not where a client can call it
        var builder = new UriBuilder(uri) { Path = "/" };
        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            builder.Host = ip.Equals(IPAddress.Any) ? "127.0.0.1" : "[::1]";
        }

        return builder.Uri;
    }

    /// <summary>Sends the simulator's logs to a caller's <see cref="ILoggerFactory"/> (for instance an xunit output sink).</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

        public void Dispose()
        {
            // the caller owns the factory
        }
    }
}
