using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Veo.Sdk.Testing;

namespace ReferenceService.Tests;

/// <summary>
/// The real service (its own Program) on Kestrel at 127.0.0.1:0, with its SQLite journal and videos in a folder the test
/// owns: real HTTP, real Akka cluster, real journal file, and the real Veo client talking to a simulator over loopback.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private readonly Factory _factory;

    private ServiceHost(Factory factory, HttpClient client)
    {
        _factory = factory;
        Client = client;
    }

    /// <summary>A client whose base address is the service's.</summary>
    public HttpClient Client { get; }

    public Uri BaseAddress => Client.BaseAddress!;

    public IServiceProvider Services => _factory.Services;

    /// <summary>The embedded simulator (the default backend); throws when the host was started against another one.</summary>
    public VeoSimulator EmbeddedSimulator => Services.GetRequiredService<VeoSimulator>();

    /// <summary>Starts a host and waits until it reports ready.</summary>
    /// <param name="dataDirectory">Where the journal, the generation table and the videos go.</param>
    /// <param name="settings">Configuration on top of appsettings.json (same keys as environment variables with ':' ).</param>
    /// <param name="unhealthyChecksAllowed">Readiness checks that a test expects to fail (ready means every other one passes).</param>
    public static async Task<ServiceHost> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string?> settings, IReadOnlyCollection<string>? unhealthyChecksAllowed = null)
    {
        var factory = new Factory(dataDirectory, settings);
        try
        {
            await Task.Run(factory.StartServer);
            var client = new HttpClient { BaseAddress = ListeningAddress(factory.Services), Timeout = TimeSpan.FromSeconds(120) };
            var host = new ServiceHost(factory, client);
            await host.WaitUntilReadyAsync(unhealthyChecksAllowed);
            return host;
        }
        catch
        {
            await factory.DisposeAsync();
            throw;
        }
    }

    /// <summary>The address of a path on this host, for clients other than <see cref="Client"/> (WebSocket, raw sockets).</summary>
    public Uri Url(string path, string scheme = "http")
        => new UriBuilder(BaseAddress) { Scheme = scheme, Path = path }.Uri;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }

    private static Uri ListeningAddress(IServiceProvider services)
    {
        var address = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no listening address.");
        return new Uri(address);
    }

    private async Task WaitUntilReadyAsync(IReadOnlyCollection<string>? unhealthyChecksAllowed)
    {
        var last = "no answer";
        await Eventually.Async(
            async () =>
            {
                using var response = await Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                var body = await response.Content.ReadAsStringAsync();
                last = $"{(int)response.StatusCode}: {body}";
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }

                return unhealthyChecksAllowed is not null
                    && System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("checks").EnumerateObject()
                        .All(c => unhealthyChecksAllowed.Contains(c.Name) || c.Value.GetProperty("status").GetString() == "Healthy");
            },
            TimeSpan.FromSeconds(90),
            () => $"the service to become ready (last answer {last})");
    }

    private sealed class Factory : WebApplicationFactory<Program>
    {
        private readonly string _dataDirectory;
        private readonly IReadOnlyDictionary<string, string?> _settings;

        public Factory(string dataDirectory, IReadOnlyDictionary<string, string?> settings)
        {
            _dataDirectory = dataDirectory;
            _settings = settings;
            UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // UseSetting, not ConfigureAppConfiguration: Program reads Veo:* before it builds the app.
            builder.UseEnvironment("Testing");
            builder.UseSetting("Persistence:Provider", "Sqlite");
            builder.UseSetting("Persistence:ConnectionString", $"Data Source={Path.Combine(_dataDirectory, "veo.db")}");
            builder.UseSetting("Storage:VideosPath", Path.Combine(_dataDirectory, "videos"));
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Veo:Simulator:LatencySeconds", "1");
            foreach (var (key, value) in _settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}

/// <summary>A folder under the temp directory, deleted by its owner at the end.</summary>
public sealed class TempFolder
{
    public string Path { get; } = Directory.CreateTempSubdirectory("veo-service-tests-").FullName;

    public void Delete()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a handle still closing; the OS cleans temp later
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>One service per test class, started before its first test and stopped after its last.</summary>
public abstract class ServiceFixture : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private ServiceHost? _host;

    public ServiceHost Host => _host ?? throw new InvalidOperationException("The service has not started.");

    public HttpClient Client => Host.Client;

    public VeoSimulator Simulator => Host.EmbeddedSimulator;

    public string DataDirectory => _data.Path;

    /// <summary>Configuration of this fixture's service.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    public async Task InitializeAsync() => _host = await ServiceHost.StartAsync(_data.Path, Settings);

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _data.Delete();
    }

    protected static string Seconds(double seconds) => seconds.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The defaults, with a short simulated latency.</summary>
public sealed class DefaultServiceFixture : ServiceFixture;
