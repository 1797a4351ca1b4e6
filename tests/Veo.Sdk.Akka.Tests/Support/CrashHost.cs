using System.Diagnostics;
using System.Text;

namespace Veo.Sdk.Akka.Tests.Support;

/// <summary>
/// Both sides of a crash test. The child (<see cref="RunAsync"/>) runs a real engine, submits the tasks it is given,
/// waits until each reached a stage, prints <c>READY</c> and idles until it is killed. The parent (<see cref="StartAsync"/>)
/// starts it, waits for <c>READY</c>, then kills it with SIGKILL: no shutdown hooks, no shard hand-off, no flush — the
/// same as a node that loses power or is OOM-killed.
/// </summary>
public sealed class CrashHost : IAsyncDisposable
{
    public const string Command = "crash-host";
    private const string Ready = "READY";

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private CrashHost(Process process) => _process = process;

    /// <summary>Starts the child and returns once every task has reached <paramref name="stage"/>.</summary>
    /// <param name="settings">The engine configuration (the same keys the in-process engine uses).</param>
    /// <param name="tasks">Task ids and prompts to submit, in order.</param>
    /// <param name="stage">The stage each task must have reached (or passed) before the child reports ready.</param>
    /// <param name="readyCount">How many tasks must have reached <paramref name="stage"/>; all when <see langword="null"/>.</param>
    /// <param name="timeout">How long to wait for ready.</param>
    public static async Task<CrashHost> StartAsync(IReadOnlyDictionary<string, string?> settings, IReadOnlyList<(string Id, string Prompt)> tasks, VideoTaskStage stage, int? readyCount, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(CrashHost).Assembly.Location);
        start.ArgumentList.Add(Command);
        start.ArgumentList.Add(stage.ToString());
        start.ArgumentList.Add((readyCount ?? tasks.Count).ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--set={key}={value}");
        }

        foreach (var (id, prompt) in tasks)
        {
            start.ArgumentList.Add($"--task={id}|{prompt}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the crash host.");
        var host = new CrashHost(process);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"The crash host ended before it was ready:\n{host.Log}"));
                return;
            }

            lock (host._log)
            {
                host._log.AppendLine(e.Data);
            }

            if (e.Data == Ready)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (host._log)
                {
                    host._log.AppendLine("stderr: " + e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await host.DisposeAsync();
            throw new TimeoutException($"The crash host was not ready within {timeout.TotalSeconds} s:\n{host.Log}");
        }

        return host;
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>SIGKILL, and wait until the process is gone (its SQLite handles closed by the OS).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>The child's side.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var stage = Enum.Parse<VideoTaskStage>(args[0]);
        var readyCount = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        var settings = new Dictionary<string, string?>();
        var tasks = new List<(string Id, string Prompt)>();
        foreach (var arg in args[2..])
        {
            if (arg.StartsWith("--set=", StringComparison.Ordinal))
            {
                var pair = arg["--set=".Length..];
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                settings[pair[..eq]] = pair[(eq + 1)..];
            }
            else if (arg.StartsWith("--task=", StringComparison.Ordinal))
            {
                var spec = arg["--task=".Length..];
                var bar = spec.IndexOf('|', StringComparison.Ordinal);
                tasks.Add((spec[..bar], spec[(bar + 1)..]));
            }
        }

        var engine = await TestEngine.StartAsync(settings);
        foreach (var (id, prompt) in tasks)
        {
            await engine.Service.SubmitAsync(EngineTestExtensions.Request(prompt, taskId: id, adId: 7));
        }

        await EngineTestExtensions.Eventually(
            async () =>
            {
                var reached = 0;
                foreach (var (id, _) in tasks)
                {
                    var status = await engine.Service.GetStatusAsync(id);
                    if (status is not null && status.Stage >= stage)
                    {
                        reached++;
                    }
                }

                return reached >= readyCount;
            },
            TimeSpan.FromSeconds(60),
            $"{readyCount} task(s) reached {stage}");

        Console.WriteLine(Ready);
        await Console.Out.FlushAsync();
        await Task.Delay(Timeout.Infinite);   // until killed
        return 0;
    }
}
