using System.Diagnostics;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>
/// The floor: N tasks gated by <see cref="SemaphoreSlim"/>(C), each starting a generation on the same Veo stand-in the mode
/// uses, waiting exactly L, polling once and downloading into <see cref="Stream.Null"/>. Nothing is persisted, nothing queued
/// beyond the semaphore: what remains is the physical limit plus the stand-in's own cost.
/// </summary>
public sealed class FloorRun
{
    /// <summary>How long to wait before polling again when the stand-in says "not yet" (only HTTP stand-ins with clock skew).</summary>
    private static readonly TimeSpan Repoll = TimeSpan.FromMilliseconds(1);

    private readonly IVeoClient _veo;
    private readonly Func<string, DateTimeOffset, DateTimeOffset> _veoFinishedAt;
    private readonly bool _simulatorMarkers;

    /// <param name="veo">The Veo stand-in.</param>
    /// <param name="veoFinishedAt">
    /// When Veo finished an operation, given its name and when the start call returned (an HTTP stand-in that cannot say
    /// exactly is estimated as start + L).
    /// </param>
    /// <param name="simulatorMarkers">Whether prompts carry [sim:latency=…] for the Veo simulator.</param>
    public FloorRun(IVeoClient veo, Func<string, DateTimeOffset, DateTimeOffset> veoFinishedAt, bool simulatorMarkers = false)
    {
        _veo = veo;
        _veoFinishedAt = veoFinishedAt;
        _simulatorMarkers = simulatorMarkers;
    }

    public async Task<PhaseResult> RunAsync(Workload workload, string runId, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(workload.C, workload.C);
        var submit = new double[workload.N];
        var delays = new double[workload.N];
        var succeededAt = new DateTimeOffset[workload.N];
        var tasks = new Task<bool>[workload.N];
        long polls = 0;
        long starts = 0;

        async Task<bool> RunOneAsync(int i)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var operation = await _veo.StartGenerateVideoAsync(BenchmarkRequests.Veo(runId, i, _simulatorMarkers ? workload.Latency : null), cancellationToken).ConfigureAwait(false);
                var startReturned = DateTimeOffset.UtcNow;
                Interlocked.Increment(ref starts);
                if (workload.Latency > TimeSpan.Zero)
                {
                    await Task.Delay(workload.Latency, cancellationToken).ConfigureAwait(false);
                }

                VeoOperationStatus status;
                while (true)
                {
                    status = await _veo.GetOperationStatusAsync(operation.Name, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref polls);
                    if (status.HasCompleted)
                    {
                        break;
                    }

                    await Task.Delay(Repoll, cancellationToken).ConfigureAwait(false);
                }

                var videos = status.Result!.GetVideosOrThrow();
                await _veo.DownloadVideoAsync(videos[0], Stream.Null, cancellationToken).ConfigureAwait(false);
                var done = DateTimeOffset.UtcNow;
                succeededAt[i] = done;
                delays[i] = (done - _veoFinishedAt(operation.Name, startReturned)).TotalMilliseconds;
                return true;
            }
            finally
            {
                gate.Release();
            }
        }

        var measurement = Measurement.Start();
        var first = DateTimeOffset.UtcNow;
        for (var i = 0; i < workload.N; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            tasks[i] = RunOneAsync(i);
            submit[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }

        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        var last = succeededAt.Max();
        return new PhaseResult
        {
            N = workload.N,
            SubmitLatenciesMs = submit,
            Makespan = last - first,
            Succeeded = results.Count(ok => ok),
            DuplicateStarts = 0,
            Polls = Interlocked.Read(ref polls),
            Starts = Interlocked.Read(ref starts),
            CpuTime = measurement.CpuTime,
            AllocatedBytes = measurement.AllocatedBytes,
            Gen0Collections = measurement.Gen0Collections,
            Gen2Collections = measurement.Gen2Collections,
            PeakRssMiB = measurement.PeakRssMiB,
            SuccessDelaysMs = delays,
        };
    }
}
