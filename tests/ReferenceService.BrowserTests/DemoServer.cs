using System.Globalization;
using Microsoft.Playwright;

namespace ReferenceService.BrowserTests;

/// <summary>
/// The real reference service in its own process on a loopback socket, with its default embedded Veo simulator and
/// SQLite and video files in a throw-away folder, plus one headless system Chromium shared by the tests.
/// </summary>
public sealed class DemoServer : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>Short enough for a quick run, long enough to see a countdown and a progress bar move.</summary>
    public const double SimulatedLatencySeconds = 1.5;

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("veo-browser-tests-").FullName;
    private ServiceProcess? _service;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private bool _disposed;

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

        _service = await ServiceProcess.StartAsync(_dataDirectory, new Dictionary<string, string>
        {
            ["Veo:Simulator:LatencySeconds"] = SimulatedLatencySeconds.ToString(CultureInfo.InvariantCulture),
            ["Persistence:ConnectionString"] = $"Data Source={Path.Combine(_dataDirectory, "veo.db")}",
            ["Storage:VideosPath"] = Path.Combine(_dataDirectory, "videos"),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information", // the "Now listening on" line
        }, TimeSpan.FromSeconds(90));
        BaseUrl = _service.BaseUrl;
        Api = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        await _service.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

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

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public async Task DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        Api.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
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
}
