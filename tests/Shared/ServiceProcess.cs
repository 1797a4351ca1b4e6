using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Veo.Sdk.TestSupport;

/// <summary>
/// The reference service as its own process, started the way a newcomer starts it (<c>dotnet ReferenceService.dll</c>,
/// its settings as environment variables) in a data folder of its own: Kestrel on 127.0.0.1 with a port the OS picks.
/// <see cref="Kill"/> ends it with SIGKILL, as a node that loses power.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 400;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(Process process)
    {
        _process = process;
    }

    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The last lines the service wrote, for failure messages.</summary>
    public string RecentOutput => string.Join('\n', _output);

    public static async Task<ServiceProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string> settings, TimeSpan timeout)
    {
        var assembly = Metadata("ReferenceServiceAssembly");
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"The reference service is not built at {assembly}; build tests/ReferenceService.BrowserTests first.", assembly);
        }

        var start = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDirectory, // any relative path the service resolves stays in the throw-away folder
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(Metadata("ReferenceServiceContentRoot"));
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process);
        process.OutputDataReceived += (_, line) => service.Record(line.Data);
        process.ErrorDataReceived += (_, line) => service.Record(line.Data);
        process.Exited += (_, _) => service._listening.TrySetException(
            new InvalidOperationException($"The service exited with code {SafeExitCode(process)} before listening:\n{service.RecentOutput}"));

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            service.BaseUrl = await service._listening.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await service.DisposeAsync();
            throw new TimeoutException($"The service did not report a listening address within {timeout.TotalSeconds:0} s:\n{service.RecentOutput}");
        }

        return service;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200; fails with the last answer and the service's output otherwise.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan limit)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var timeout = new CancellationTokenSource(limit);
        var last = "no answer yet";
        while (!timeout.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative), timeout.Token);
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

        throw new TimeoutException(
            $"The service at {BaseUrl} did not become ready within {limit.TotalSeconds:0} s (last: {last}). Its output:\n{RecentOutput}");
    }

    /// <summary>Ends the process at once (SIGKILL): no shutdown hooks, no hand-off, nothing flushed.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(15_000);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > KeptOutputLines && _output.TryDequeue(out _))
        {
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(new Uri(match.Groups["url"].Value.TrimEnd('/') + "/"));
        }
    }

    private static string Metadata(string key) =>
        typeof(ServiceProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing; the test project's build records it.");

    /// <summary>The same dotnet host that runs the tests (the SDK exports it), so no other runtime is picked up.</summary>
    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    private static string SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode.ToString(CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    [GeneratedRegex(@"Now listening on: (?<url>https?://\S+)")]
    private static partial Regex ListeningLine();
}
