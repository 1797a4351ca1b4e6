using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ReferenceService.BrowserTests;

/// <summary>
/// The real reference service on a real loopback socket (Kestrel, port 0) with its embedded Veo simulator,
/// SQLite and video files in a throw-away folder, plus one headless system Chromium shared by the tests.
/// </summary>
public sealed class DemoServer : IAsyncLifetime
{
    /// <summary>Short enough for a quick run, long enough to see a countdown and a progress bar move.</summary>
    public const double SimulatedLatencySeconds = 1.5;

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("veo-browser-tests-").FullName;
    private ServiceFactory? _factory;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    /// <summary>A client for checking what the page shows against what the API says.</summary>
    public HttpClient Api { get; private set; } = new();

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(Chromium.MissingMessage);

    public async Task InitializeAsync()
    {
        if (Chromium.ExecutablePath is null)
        {
            return; // every test is skipped (or, under CI, fails with the reason when it asks for the browser)
        }

        _factory = new ServiceFactory(_dataDirectory);
        await Task.Run(_factory.StartServer);
        BaseUrl = ListeningAddress(_factory.Services);
        Api = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        await WaitUntilReadyAsync();

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.ExecutablePath,
            Headless = true,
            Args = Chromium.LaunchArguments,
        });
    }

    /// <summary>A fresh browser context (own storage) with the page loaded at <paramref name="width"/> × <paramref name="height"/>.</summary>
    public async Task<DemoPage> OpenPageAsync(int width = 1280, int height = 860)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            DeviceScaleFactor = 1,
            ColorScheme = ColorScheme.Light,
            ReducedMotion = ReducedMotion.Reduce,
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        var demo = new DemoPage(context, page);
        return demo;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        Api.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing handle: the temp folder is cleaned by the OS later.
        }
    }

    private static Uri ListeningAddress(IServiceProvider services)
    {
        var addresses = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no listening address.");
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }

    private async Task WaitUntilReadyAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var last = "no answer yet";
        while (!timeout.IsCancellationRequested)
        {
            try
            {
                using var response = await Api.GetAsync(new Uri("health/ready", UriKind.Relative), timeout.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(timeout.Token)}";
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }
            catch (OperationCanceledException)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        }

        throw new TimeoutException($"The service at {BaseUrl} did not become ready within 60 s (last: {last}).");
    }

    /// <summary>The service's own Program, on Kestrel at 127.0.0.1:0 with test data settings.</summary>
    private sealed class ServiceFactory : WebApplicationFactory<global::Program>
    {
        private readonly string _dataDirectory;

        public ServiceFactory(string dataDirectory)
        {
            _dataDirectory = dataDirectory;
            UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Veo:Backend", "Simulator");
            builder.UseSetting("Veo:Simulator:LatencySeconds",
                SimulatedLatencySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Persistence:Provider", "Sqlite");
            builder.UseSetting("Persistence:ConnectionString", $"Data Source={Path.Combine(_dataDirectory, "veo.db")}");
            builder.UseSetting("Storage:VideosPath", Path.Combine(_dataDirectory, "videos"));
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        }
    }
}
