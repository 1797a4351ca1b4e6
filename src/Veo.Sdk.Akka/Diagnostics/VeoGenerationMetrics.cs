using System.Diagnostics.Metrics;

namespace Veo.Sdk.Akka.Diagnostics;

/// <summary>
/// The engine's numbers, both as a <see cref="Meter"/> named <see cref="MeterName"/> (for OpenTelemetry) and as plain
/// in-process counters (<see cref="GetSnapshot"/>) that tests and benchmarks can read. One instance per engine (DI singleton).
/// </summary>
public sealed class VeoGenerationMetrics : IDisposable
{
    /// <summary>The name of the meter.</summary>
    public const string MeterName = "Veo.Sdk.Akka";

    private readonly Meter _meter;
    private readonly Counter<long> _tasksEnded;
    private readonly Counter<long> _polls;
    private readonly Counter<long> _starts;
    private readonly Counter<long> _quotaDeferrals;
    private readonly Histogram<int> _pollsPerGeneration;
    private readonly Histogram<double> _finishToSuccess;
    private readonly Histogram<double> _generationDuration;
    private long _submitted;
    private long _succeeded;
    private long _failed;
    private long _revoked;
    private long _startCalls;
    private long _pollCount;
    private long _completedGenerations;
    private long _pollsOfCompletedGenerations;
    private long _quotaDeferralCount;
    private long _finishToSuccessCount;
    private double _finishToSuccessSumSeconds;
    private double _finishToSuccessMaxSeconds;
    private int _running;
    private int _waiting;
    private int _limit;
    private int _maxRunning;
    private readonly Lock _gate = new();

    /// <summary>Creates the metrics with their own meter.</summary>
    public VeoGenerationMetrics()
        : this(null)
    {
    }

    /// <summary>Creates the metrics on a meter from <paramref name="meterFactory"/> when given (the DI way), else a new meter.</summary>
    /// <param name="meterFactory">The factory of the host's meters.</param>
    public VeoGenerationMetrics(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _tasksEnded = _meter.CreateCounter<long>("veo.tasks.ended", "{task}", "Tasks that ended, by state (success, failure, revoked).");
        _polls = _meter.CreateCounter<long>("veo.operations.polls", "{poll}", "Polls of Veo operations.");
        _starts = _meter.CreateCounter<long>("veo.operations.start_calls", "{call}", "Calls that asked Veo to start a generation.");
        _quotaDeferrals = _meter.CreateCounter<long>("veo.tasks.quota_deferrals", "{deferral}", "Starts refused by Veo for quota; the task waited again.");
        _pollsPerGeneration = _meter.CreateHistogram<int>("veo.generation.polls", "{poll}", "Polls per finished Veo generation.");
        _finishToSuccess = _meter.CreateHistogram<double>("veo.generation.finish_to_success", "s",
            "Estimated time from Veo finishing (midpoint of the last two polls) to the task's SUCCESS: detection, download, saving.");
        _generationDuration = _meter.CreateHistogram<double>("veo.generation.duration", "s", "Observed Veo generation durations.");
        _meter.CreateObservableGauge("veo.slots.in_use", () => Volatile.Read(ref _running), "{slot}", "Generations running at Veo on this node.");
        _meter.CreateObservableGauge("veo.queue.length", () => Volatile.Read(ref _waiting), "{task}", "Tasks waiting for a slot on this node.");
        _meter.CreateObservableGauge("veo.slots.limit", () => Volatile.Read(ref _limit), "{slot}", "Slots usable now (lowered after quota refusals).");
    }

    /// <summary>A copy of the in-process counters.</summary>
    /// <returns>The numbers at this moment.</returns>
    public VeoGenerationMetricsSnapshot GetSnapshot()
    {
        lock (_gate)
        {
            return new VeoGenerationMetricsSnapshot(
                Submitted: Interlocked.Read(ref _submitted),
                Succeeded: Interlocked.Read(ref _succeeded),
                Failed: Interlocked.Read(ref _failed),
                Revoked: Interlocked.Read(ref _revoked),
                StartCalls: Interlocked.Read(ref _startCalls),
                Polls: Interlocked.Read(ref _pollCount),
                CompletedGenerations: Interlocked.Read(ref _completedGenerations),
                PollsPerGeneration: _completedGenerations == 0 ? 0 : (double)_pollsOfCompletedGenerations / _completedGenerations,
                QuotaDeferrals: Interlocked.Read(ref _quotaDeferralCount),
                AverageFinishToSuccess: TimeSpan.FromSeconds(_finishToSuccessCount == 0 ? 0 : _finishToSuccessSumSeconds / _finishToSuccessCount),
                MaxFinishToSuccess: TimeSpan.FromSeconds(_finishToSuccessMaxSeconds),
                Running: Volatile.Read(ref _running),
                Waiting: Volatile.Read(ref _waiting),
                ConcurrencyLimit: Volatile.Read(ref _limit),
                MaxRunning: Volatile.Read(ref _maxRunning));
        }
    }

    internal void TaskSubmitted() => Interlocked.Increment(ref _submitted);

    internal void TaskEnded(VideoTaskState state)
    {
        switch (state)
        {
            case VideoTaskState.Success:
                Interlocked.Increment(ref _succeeded);
                break;
            case VideoTaskState.Failure:
                Interlocked.Increment(ref _failed);
                break;
            case VideoTaskState.Revoked:
                Interlocked.Increment(ref _revoked);
                break;
            default:
                return;
        }

        _tasksEnded.Add(1, new KeyValuePair<string, object?>("state", state.ToString().ToUpperInvariant()));
    }

    internal void StartCalled()
    {
        Interlocked.Increment(ref _startCalls);
        _starts.Add(1);
    }

    internal void Polled()
    {
        Interlocked.Increment(ref _pollCount);
        _polls.Add(1);
    }

    internal void QuotaDeferred()
    {
        Interlocked.Increment(ref _quotaDeferralCount);
        _quotaDeferrals.Add(1);
    }

    internal void GenerationCompleted(string model, int polls, TimeSpan duration)
    {
        lock (_gate)
        {
            _completedGenerations++;
            _pollsOfCompletedGenerations += polls;
        }

        var tag = new KeyValuePair<string, object?>("model", model);
        _pollsPerGeneration.Record(polls, tag);
        _generationDuration.Record(duration.TotalSeconds, tag);
    }

    internal void FinishedToSuccess(TimeSpan delay)
    {
        var seconds = Math.Max(0, delay.TotalSeconds);
        lock (_gate)
        {
            _finishToSuccessCount++;
            _finishToSuccessSumSeconds += seconds;
            _finishToSuccessMaxSeconds = Math.Max(_finishToSuccessMaxSeconds, seconds);
        }

        _finishToSuccess.Record(seconds);
    }

    internal void SlotsChanged(int running, int waiting, int limit, int maxRunning)
    {
        Volatile.Write(ref _running, running);
        Volatile.Write(ref _waiting, waiting);
        Volatile.Write(ref _limit, limit);
        Volatile.Write(ref _maxRunning, maxRunning);
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}

/// <summary>The engine's in-process counters at one moment (since the engine started).</summary>
/// <param name="Submitted">Tasks submitted (new ids only).</param>
/// <param name="Succeeded">Tasks that reached SUCCESS.</param>
/// <param name="Failed">Tasks that reached FAILURE.</param>
/// <param name="Revoked">Tasks that were revoked.</param>
/// <param name="StartCalls">Calls that asked Veo to start a generation (including ones refused for quota).</param>
/// <param name="Polls">Polls of Veo operations.</param>
/// <param name="CompletedGenerations">Veo generations seen finished (any outcome).</param>
/// <param name="PollsPerGeneration">Average polls per finished generation.</param>
/// <param name="QuotaDeferrals">Starts refused for quota (the task waited again).</param>
/// <param name="AverageFinishToSuccess">Average estimated time from Veo finishing to SUCCESS.</param>
/// <param name="MaxFinishToSuccess">Longest estimated time from Veo finishing to SUCCESS.</param>
/// <param name="Running">Generations running at Veo on this node now.</param>
/// <param name="Waiting">Tasks waiting on this node now.</param>
/// <param name="ConcurrencyLimit">Slots usable now.</param>
/// <param name="MaxRunning">The most generations that ran at once on this node.</param>
public sealed record VeoGenerationMetricsSnapshot(
    long Submitted,
    long Succeeded,
    long Failed,
    long Revoked,
    long StartCalls,
    long Polls,
    long CompletedGenerations,
    double PollsPerGeneration,
    long QuotaDeferrals,
    TimeSpan AverageFinishToSuccess,
    TimeSpan MaxFinishToSuccess,
    int Running,
    int Waiting,
    int ConcurrencyLimit,
    int MaxRunning);
