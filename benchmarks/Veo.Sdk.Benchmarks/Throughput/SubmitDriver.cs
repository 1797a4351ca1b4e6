using System.Diagnostics;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>
/// A client submitting N tasks "as fast as it can" while waiting for each acknowledgement: K submits in flight at once,
/// or paced at a fixed rate. Records each submit's latency (call to durable acknowledgement).
/// </summary>
public static class SubmitDriver
{
    /// <param name="n">Tasks to submit.</param>
    /// <param name="submitters">Submits in flight at once.</param>
    /// <param name="rate">Submits per second, or null for as fast as possible.</param>
    /// <param name="submit">Submits task i; completes with the acknowledgement.</param>
    /// <param name="cancellationToken">Stops submitting.</param>
    /// <returns>Per-task latency in ms, and when the first submit was sent.</returns>
    public static async Task<(double[] LatenciesMs, DateTimeOffset FirstSubmitAt, long FirstSubmitTimestamp)> RunAsync(
        int n, int submitters, double? rate, Func<int, CancellationToken, Task> submit, CancellationToken cancellationToken)
    {
        var latencies = new double[n];
        var next = -1;
        var firstAt = DateTimeOffset.UtcNow;
        var firstTimestamp = Stopwatch.GetTimestamp();

        async Task Submitter()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= n)
                {
                    return;
                }

                if (rate is { } perSecond)
                {
                    var due = TimeSpan.FromSeconds(i / perSecond) - Stopwatch.GetElapsedTime(firstTimestamp);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                    }
                }

                var t0 = Stopwatch.GetTimestamp();
                await submit(i, cancellationToken).ConfigureAwait(false);
                latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, Math.Min(submitters, n))).Select(_ => Task.Run(Submitter, cancellationToken))).ConfigureAwait(false);
        return (latencies, firstAt, firstTimestamp);
    }
}
