using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Veo.Sdk.Benchmarks.Infrastructure;
using Veo.Sdk.Benchmarks.Results;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>
/// <c>service</c> mode: the reference service (samples/ReferenceService) as its own process, configured only through its
/// documented keys (environment variables) to call the parent's Veo simulator; tasks submitted through
/// <c>POST …/generate-video-async</c> and followed through <c>GET …/tasks/{id}/status</c> only. CPU and peak memory are the
/// service process's (read from /proc), not this load generator's.
/// </summary>
public sealed class ServiceModeRunner : IModeRunner
{
    private const string ApiRoot = "/api/v1/settings/ai/veo";
    private const string MeasuredModelKey = "veo_3_1_t2v_fast_portrait";
    private const string WarmupModelKey = "veo_3_1_t2v_lite_portrait";
    private readonly ModeSettings _settings;
    private readonly int _concurrency;
    private readonly int _maxTasks;
    private readonly SimulatorVeo _simulator;
    private Process? _service;
    private HttpClient? _http;
    private ProcessProbe? _probe;

    public ServiceModeRunner(Workload workload, ModeSettings settings)
    {
        _settings = settings;
        _concurrency = workload.C;
        _maxTasks = Math.Max(workload.N, ChildRun.WarmupOf(workload).N);
        _simulator = new SimulatorVeo(settings.SimulatorUrl ?? throw new ArgumentException("Service mode needs --sim-url (the parent starts the simulator)."));
    }

    public string VeoStandIn => "the service's own VeoClient over HTTP → Veo simulator on loopback (run by the parent process)";

    public string MeasuredProcess => $"reference service process (pid {_service?.Id}); HTTP client in the benchmark process";

    public ProcessProbe Probe => _probe ?? throw new InvalidOperationException("Start the runner first.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var dll = LocateService();
        var port = LoopbackPorts.Free();
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _settings.WorkDirectory,
        };
        // The project folder is the content root, as with dotnet run: appsettings.json and wwwroot are there.
        var project = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(dll)!, "..", "..", ".."));
        foreach (var argument in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--contentRoot", project })
        {
            info.ArgumentList.Add(argument);
        }

        var environment = new Dictionary<string, string>
        {
            ["Veo__Backend"] = "GeminiApi",
            ["Veo__BaseUrl"] = _simulator.SimulatorUrl.ToString(),
            ["Veo__ApiKey"] = SimulatorVeo.ApiKey,
            ["Generation__MaxConcurrency"] = Invariant(_concurrency),
            ["Generation__MaxQueueLength"] = Invariant(Math.Max(10_000, _maxTasks + 100)),
            ["Persistence__Provider"] = _settings.PostgresConnectionString is null ? "Sqlite" : "PostgreSql",
            ["Persistence__ConnectionString"] = _settings.PostgresConnectionString ?? $"Data Source={Path.Combine(_settings.WorkDirectory, "veo.db")}",
            ["Storage__VideosPath"] = Path.Combine(_settings.WorkDirectory, "videos"),
            ["RateLimiting__Submits__Enabled"] = "false", // a benchmark client is not an abusive browser
            ["Logging__LogLevel__Default"] = "Warning",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        _service = Process.Start(info) ?? throw new InvalidOperationException("Could not start the reference service.");
        _service.OutputDataReceived += (_, e) => Forward(e.Data);
        _service.ErrorDataReceived += (_, e) => Forward(e.Data);
        _service.BeginOutputReadLine();
        _service.BeginErrorReadLine();
        _probe = ProcessProbe.ForProcess(_service.Id);
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(60),
        };

        var ready = Stopwatch.StartNew();
        while (true)
        {
            if (_service.HasExited)
            {
                throw new InvalidOperationException($"The reference service exited with code {_service.ExitCode} while starting.");
            }

            try
            {
                using var response = await _http.GetAsync(new Uri("/health/ready", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (ready.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException("The reference service did not become ready within 90 s.");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<PhaseResult> RunAsync(Workload workload, string runId, CancellationToken cancellationToken)
    {
        var http = _http ?? throw new InvalidOperationException("Start the runner first.");
        var before = await _simulator.GetStatsAsync(cancellationToken).ConfigureAwait(false);
        var modelKey = runId.EndsWith('w') ? WarmupModelKey : MeasuredModelKey;
        var taskIds = new string?[workload.N];
        var submitted = new TaskCompletionSource[workload.N];
        for (var i = 0; i < workload.N; i++)
        {
            submitted[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        var measurement = Measurement.Start(Probe);
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stopWatching.CancelAfter(_settings.Deadline);
        var watcher = WatchAsync(http, taskIds, submitted, stopWatching.Token);
        var (latencies, firstAt, _) = await SubmitDriver.RunAsync(workload.N, _settings.Submitters, _settings.Rate, async (i, ct) =>
        {
            using var response = await http.PostAsJsonAsync(new Uri(ApiRoot + "/generate-video-async", UriKind.Relative), new Dictionary<string, object?>
            {
                ["prompt"] = BenchmarkRequests.Prompt(runId, i, workload.Latency),
                ["video_model_key"] = modelKey,
                ["aspect_ratio"] = "VIDEO_ASPECT_RATIO_PORTRAIT",
                ["seed"] = i,
            }, ct).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"Submit {i} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}");
            }

            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), cancellationToken: ct).ConfigureAwait(false);
            taskIds[i] = json.RootElement.GetProperty("task_id").GetString();
            submitted[i].TrySetResult();
        }, cancellationToken).ConfigureAwait(false);

        var finals = await watcher.ConfigureAwait(false);
        var cpu = measurement.CpuTime;
        var peak = measurement.PeakRssMiB;
        var after = await _simulator.GetStatsAsync(cancellationToken).ConfigureAwait(false);

        var successes = finals.Where(f => f is { State: "SUCCESS" }).Select(f => f!).ToList();
        var notes = new List<string>();
        var failed = finals.Count(f => f is not null && f.State != "SUCCESS");
        if (failed > 0)
        {
            notes.Add($"{failed} task(s) ended in {string.Join("/", finals.Where(f => f is not null && f.State != "SUCCESS").Select(f => f!.State).Distinct())}");
        }

        if (finals.Any(f => f is null))
        {
            notes.Add($"{finals.Count(f => f is null)} task(s) had not ended when the deadline of {_settings.Deadline.TotalSeconds:0} s passed");
        }

        var lastCompleted = successes.Count > 0 ? successes.Max(s => s.CompletedAt) : firstAt;
        var starts = after.OperationsStarted - before.OperationsStarted;
        return new PhaseResult
        {
            N = workload.N,
            SubmitLatenciesMs = latencies,
            Makespan = lastCompleted - firstAt,
            Succeeded = successes.Count,
            DuplicateStarts = Math.Max(0, starts - successes.Count - failed),
            Polls = after.Polls - before.Polls,
            Starts = starts,
            CpuTime = cpu,
            AllocatedBytes = -1,
            Gen0Collections = -1,
            Gen2Collections = -1,
            PeakRssMiB = peak,
            SuccessDelaysMs = [.. successes.Select(s => (s.CompletedAt - (s.StartedAt + workload.Latency)).TotalMilliseconds)],
            SuccessDelayBasis = "upper bound: status started_at + L → completed_at",
            Notes = notes,
        };
    }

    /// <summary>
    /// Follows the tasks through the status endpoint only: asks about the oldest task not known to have ended, and moves on
    /// when it has (tasks end roughly in submission order, so this costs about one request per task).
    /// </summary>
    private static async Task<FinalStatus?[]> WatchAsync(HttpClient http, string?[] taskIds, TaskCompletionSource[] submitted, CancellationToken cancellationToken)
    {
        var finals = new FinalStatus?[taskIds.Length];
        try
        {
            for (var i = 0; i < taskIds.Length; i++)
            {
                await submitted[i].Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                while (true)
                {
                    using var response = await http.GetAsync(new Uri($"{ApiRoot}/tasks/{taskIds[i]}/status", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                    response.EnsureSuccessStatusCode();
                    using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
                    var root = json.RootElement;
                    var state = root.GetProperty("state").GetString()!;
                    if (state is "SUCCESS" or "FAILURE" or "REVOKED")
                    {
                        finals[i] = new FinalStatus(state,
                            root.TryGetProperty("started_at", out var s) && s.ValueKind == JsonValueKind.String ? s.GetDateTimeOffset() : default,
                            root.TryGetProperty("completed_at", out var c) && c.ValueKind == JsonValueKind.String ? c.GetDateTimeOffset() : default);
                        break;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the deadline passed: the tasks without a final status are reported as lost
        }

        return finals;
    }

    public FloorRun CreateFloor(Workload workload) =>
        new(_simulator.Client, (name, returned) => (_simulator.StartAnsweredAt(name) ?? returned) + workload.Latency, simulatorMarkers: true);

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_service is { HasExited: false })
        {
            // SIGTERM: the service leaves the cluster and stops the way a container orchestrator would stop it.
            using (var term = Process.Start("kill", ["-TERM", _service.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync().ConfigureAwait(false);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _service.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _service.Kill(entireProcessTree: true);
            }
        }

        _service?.Dispose();
    }

    private static void Forward(string? line)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            Console.Error.WriteLine("  [service] " + line);
        }
    }

    private static string LocateService()
    {
        // Built next to this program by the ProjectReference in the csproj (same configuration).
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var root = Path.GetDirectoryName(Path.GetDirectoryName(ResultsFile.Locate().MarkdownPath))!;
        var dll = Path.Combine(root, "samples", "ReferenceService", "bin", configuration, "net10.0", "ReferenceService.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The reference service is not built at {dll}; build benchmarks/Veo.Sdk.Benchmarks (it builds the service too).");
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record FinalStatus(string State, DateTimeOffset StartedAt, DateTimeOffset CompletedAt);
}
