using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ReferenceService.Generation;

/// <summary>Settings of the per-client submit limit, bound from <c>RateLimiting:Submits</c>.</summary>
public sealed class SubmitRateLimitOptions
{
    public const string SectionName = "RateLimiting:Submits";

    /// <summary>Whether submits are limited at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many tasks one client may submit per <see cref="WindowSeconds"/> (also the largest burst).</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 60;

    /// <summary>The window over which <see cref="PermitLimit"/> tasks are allowed; permits come back evenly across it.</summary>
    [Range(0.001, 86_400)]
    public double WindowSeconds { get; set; } = 60;
}

/// <summary>
/// Limits how many tasks each client submits: one permit per task, so a batch of ten costs ten, and one script cannot burn
/// the Veo budget through either endpoint. A token bucket per client: bursts up to the limit, then a steady refill.
/// </summary>
public sealed class SubmitRateLimiter : IDisposable
{
    private readonly SubmitRateLimitOptions _options;
    private readonly PartitionedRateLimiter<string> _limiter;

    public SubmitRateLimiter(IOptions<SubmitRateLimitOptions> options)
    {
        _options = options.Value;
        var refillPeriod = TimeSpan.FromSeconds(_options.WindowSeconds / _options.PermitLimit);
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetTokenBucketLimiter(
            client,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = _options.PermitLimit,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = refillPeriod < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : refillPeriod,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>The most tasks a single call may submit.</summary>
    public int MaxPermitsPerCall => _options.Enabled ? _options.PermitLimit : int.MaxValue;

    /// <summary>Takes <paramref name="tasks"/> permits for <paramref name="client"/> if it has them.</summary>
    /// <returns>Whether the submit may go on, and when to retry if not.</returns>
    public (bool Acquired, TimeSpan RetryAfter) TryAcquire(string client, int tasks)
    {
        if (!_options.Enabled)
        {
            return (true, TimeSpan.Zero);
        }

        using var lease = _limiter.AttemptAcquire(client, tasks);
        if (lease.IsAcquired)
        {
            return (true, TimeSpan.Zero);
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(_options.WindowSeconds);
        return (false, retryAfter);
    }

    public void Dispose() => _limiter.Dispose();
}
