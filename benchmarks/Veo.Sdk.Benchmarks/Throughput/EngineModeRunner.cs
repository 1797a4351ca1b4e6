using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Veo.Sdk.Akka;
using Veo.Sdk.Akka.Diagnostics;
using Veo.Sdk.Akka.Hosting;
using Veo.Sdk.Benchmarks.Infrastructure;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>
/// <c>engine</c> and <c>full</c> modes: the Akka engine as an app registers it (<c>AddVeoGenerationEngine</c>: single-node
/// cluster, sharding with remember-entities, Akka.Persistence.Sql on a SQLite file, the generation table, the video folder),
/// with Veo answered in-process (engine) or by the real <see cref="VeoClient"/> over HTTP to the simulator (full).
/// </summary>
/// <remarks>
/// SUCCESS is observed through the engine's own meter (<c>veo.tasks.ended</c>, recorded when the SUCCESS event is
/// journaled), so watching costs the engine nothing; the per-task "Veo done → SUCCESS" delay comes from the tasks' statuses
/// read after the pass (every task up to 500, else an even sample of 500).
/// </remarks>
public sealed class EngineModeRunner : IModeRunner
{
    private const int StatusSample = 500;
    private readonly RunMode _mode;
    private readonly ModeSettings _settings;
    private readonly int _concurrency;
    private readonly int _maxTasks;
    private readonly InProcessVeoClient? _inProcess;
    private readonly SimulatorVeo? _simulator;
    private readonly MeterListener _listener = new();
    private readonly List<IHost> _hosts = [];
    private readonly List<IVideoGenerationService> _services = [];
    private IVideoGenerationService? _service;
    private volatile CompletionTracker? _tracker;

    public EngineModeRunner(RunMode mode, Workload workload, ModeSettings settings)
    {
        _mode = mode;
        _settings = settings;
        _concurrency = workload.C;
        _maxTasks = Math.Max(workload.N, ChildRun.WarmupOf(workload).N);
        if (mode == RunMode.Full)
        {
            _simulator = new SimulatorVeo(settings.SimulatorUrl ?? throw new ArgumentException("Full mode needs --sim-url (the parent starts the simulator)."));
        }
        else
        {
            _inProcess = new InProcessVeoClient(workload.Latency);
        }

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == VeoGenerationMetrics.MeterName && instrument.Name == "veo.tasks.ended")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) => _tracker?.Ended(tags));
        _listener.Start();
    }

    public string VeoStandIn => _mode == RunMode.Full
        ? "VeoClient over HTTP → Veo simulator on loopback (start, polls, redirected download of a 97 KB MP4 to disk)"
        : "in-process IVeoClient (completion from timestamps; a 1.7 KB MP4 written to disk on download)";

    public string MeasuredProcess => $"benchmark process: {(_settings.Nodes > 1 ? $"{_settings.Nodes} engine nodes (one cluster)" : "engine")} + client; {(_settings.PostgresConnectionString is null ? "SQLite file" : "PostgreSQL on loopback (its server's CPU is not counted)")}";

    public ProcessProbe Probe => ProcessProbe.Self;

    private IVeoClient Veo => (IVeoClient?)_inProcess ?? _simulator!.Client;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var ports = _settings.Nodes > 1 ? LoopbackPorts.Free(_settings.Nodes) : [];
        for (var i = 0; i < _settings.Nodes; i++)
        {
            var folder = _settings.Nodes > 1 ? Directory.CreateDirectory(Path.Combine(_settings.WorkDirectory, "node" + Invariant(i))).FullName : _settings.WorkDirectory;
            var host = _settings.Nodes > 1
                ? EngineHost.Build(folder, Veo, _concurrency, Math.Max(10_000, _maxTasks + 100), _settings.PostgresConnectionString, ports[i], $"akka.tcp://veo@127.0.0.1:{Invariant(ports[0])}")
                : EngineHost.Build(_settings.WorkDirectory, Veo, _concurrency, Math.Max(10_000, _maxTasks + 100), _settings.PostgresConnectionString);
            _hosts.Add(host);
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            _services.Add(host.Services.GetRequiredService<IVideoGenerationService>());
        }

        // Every node answers before the pass begins (joined, dispatcher found, shard region up).
        foreach (var service in _services)
        {
            await StatusReads.GetAsync(service, Guid.NewGuid().ToString("N"), cancellationToken).ConfigureAwait(false);
        }

        _service = _services[0];
    }

    public async Task<PhaseResult> RunAsync(Workload workload, string runId, CancellationToken cancellationToken)
    {
        var service = _service ?? throw new InvalidOperationException("Start the runner first.");
        var http = _simulator is not null;
        if (_inProcess is not null)
        {
            _inProcess.Latency = workload.Latency;
            _inProcess.Reset();
        }

        var before = _simulator is null ? null : await _simulator.GetStatsAsync(cancellationToken).ConfigureAwait(false);
        var tracker = new CompletionTracker(workload.N);
        _tracker = tracker;
        var model = runId.EndsWith('w') ? VeoModels.Veo31Lite : VeoModels.Veo31Fast; // the JIT warm-up must not teach the engine a 0 s duration
        var measurement = Measurement.Start();
        var (latencies, _, firstTimestamp) = await SubmitDriver.RunAsync(workload.N, _settings.Submitters, _settings.Rate, (i, ct) =>
            _services[i % _services.Count].SubmitAsync(new VideoGenerationRequest
            {
                TaskId = BenchmarkRequests.TaskId(runId, i),
                Veo = BenchmarkRequests.Veo(runId, i, http ? workload.Latency : null) with { Model = model },
            }, ct), cancellationToken).ConfigureAwait(false);

        var ended = await tracker.WaitAsync(_settings.Deadline, cancellationToken).ConfigureAwait(false);
        var cpu = measurement.CpuTime;
        var allocated = measurement.AllocatedBytes;
        var gen0 = measurement.Gen0Collections;
        var gen2 = measurement.Gen2Collections;
        var peak = measurement.PeakRssMiB;
        _tracker = null;
        var lastSuccess = tracker.LastSuccessTimestamp is { } last ? Stopwatch.GetElapsedTime(firstTimestamp, last) : TimeSpan.Zero;

        var notes = new List<string>();
        if (!ended)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"deadline of {_settings.Deadline.TotalSeconds:0} s passed with {tracker.EndedCount} of {workload.N} tasks ended"));
        }

        var delays = await SuccessDelaysAsync(workload, runId, notes, cancellationToken).ConfigureAwait(false);
        long polls, starts, duplicates;
        int? maxActive;
        if (_simulator is not null)
        {
            var after = await _simulator.GetStatsAsync(cancellationToken).ConfigureAwait(false);
            polls = after.Polls - before!.Polls;
            starts = after.OperationsStarted - before.OperationsStarted;
            duplicates = Math.Max(0, starts - tracker.Succeeded - tracker.Failed);
            maxActive = null; // the simulator's max_active counts since its start, across passes
        }
        else
        {
            polls = _inProcess!.Polls;
            starts = _inProcess.Starts;
            duplicates = _inProcess.DuplicateStarts;
            maxActive = _inProcess.MaxActive();
        }

        if (tracker.Failed > 0)
        {
            notes.Add($"{tracker.Failed} task(s) ended in FAILURE");
        }

        return new PhaseResult
        {
            N = workload.N,
            SubmitLatenciesMs = latencies,
            Makespan = lastSuccess,
            Succeeded = (int)tracker.Succeeded,
            DuplicateStarts = duplicates,
            Polls = polls,
            Starts = starts,
            CpuTime = cpu,
            AllocatedBytes = allocated,
            Gen0Collections = gen0,
            Gen2Collections = gen2,
            PeakRssMiB = peak,
            SuccessDelaysMs = delays,
            SuccessDelayBasis = http ? "start answer + L → status CompletedAt" : "exact: stand-in finish → status CompletedAt",
            MaxActive = maxActive,
            Notes = notes,
        };
    }

    private async Task<List<double>> SuccessDelaysAsync(Workload workload, string runId, List<string> notes, CancellationToken cancellationToken)
    {
        var step = Math.Max(1, (workload.N + StatusSample - 1) / StatusSample);
        var indexes = Enumerable.Range(0, workload.N).Where(i => i % step == 0).ToList();
        var finishes = _inProcess?.FinishTimesByPrompt();
        var delays = new List<double>(indexes.Count);
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(indexes.Select(async i =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var status = await StatusReads.GetAsync(_service!, BenchmarkRequests.TaskId(runId, i), cancellationToken).ConfigureAwait(false);
                if (status is not { State: VideoTaskState.Success, CompletedAt: { } completed, Result.OperationName: { } operation })
                {
                    return;
                }

                DateTimeOffset? finished = finishes is not null
                    ? finishes.GetValueOrDefault(BenchmarkRequests.Prompt(runId, i))
                    : _simulator!.StartAnsweredAt(operation) + workload.Latency;
                if (finished is { } f && f != default)
                {
                    lock (delays)
                    {
                        delays.Add((completed - f).TotalMilliseconds);
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        if (step > 1)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"Veo done → SUCCESS from an even sample of {indexes.Count} of {workload.N} tasks' statuses"));
        }

        return delays;
    }

    public FloorRun CreateFloor(Workload workload) => _inProcess is not null
        ? new FloorRun(_inProcess, (name, _) => _inProcess.FinishedAt(name) ?? throw new InvalidOperationException($"Unknown operation {name}."))
        : new FloorRun(_simulator!.Client, (name, returned) => (_simulator.StartAnsweredAt(name) ?? returned) + workload.Latency, simulatorMarkers: true);

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        for (var i = _hosts.Count - 1; i >= 0; i--)
        {
            await _hosts[i].StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            _hosts[i].Dispose();
        }

        _hosts.Clear();
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Counts tasks ending (from the engine's meter) and notes when the last SUCCESS happened.</summary>
    private sealed class CompletionTracker(int expected)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _succeeded;
        private long _failed;
        private long _ended;
        private long _lastSuccess;

        public long Succeeded => Interlocked.Read(ref _succeeded);

        public long Failed => Interlocked.Read(ref _failed);

        public long EndedCount => Interlocked.Read(ref _ended);

        public long? LastSuccessTimestamp => Interlocked.Read(ref _lastSuccess) is var t and > 0 ? t : null;

        public void Ended(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var now = Stopwatch.GetTimestamp();
            var success = false;
            foreach (var tag in tags)
            {
                if (tag.Key == "state" && tag.Value is "SUCCESS")
                {
                    success = true;
                }
            }

            if (success)
            {
                Interlocked.Increment(ref _succeeded);
                InterlockedMax(ref _lastSuccess, now);
            }
            else
            {
                Interlocked.Increment(ref _failed);
            }

            if (Interlocked.Increment(ref _ended) >= expected)
            {
                _all.TrySetResult();
            }
        }

        public async Task<bool> WaitAsync(TimeSpan deadline, CancellationToken cancellationToken)
        {
            try
            {
                await _all.Task.WaitAsync(deadline, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        private static void InterlockedMax(ref long location, long value)
        {
            var current = Interlocked.Read(ref location);
            while (value > current)
            {
                var seen = Interlocked.CompareExchange(ref location, value, current);
                if (seen == current)
                {
                    return;
                }

                current = seen;
            }
        }
    }
}
