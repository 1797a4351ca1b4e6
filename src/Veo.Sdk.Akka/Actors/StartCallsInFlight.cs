namespace Veo.Sdk.Akka.Actors;

/// <summary>
/// Counts the Veo start calls of this node whose answer is not stored yet, so a graceful shutdown can let them finish:
/// their continuations store Veo's answer as a start receipt even after the task's actor has been handed off.
/// </summary>
internal sealed class StartCallsInFlight
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(20);

    private int _count;

    /// <summary>The start calls in flight now.</summary>
    public int Count => Volatile.Read(ref _count);

    public void Enter() => Interlocked.Increment(ref _count);

    public void Exit() => Interlocked.Decrement(ref _count);

    /// <summary>Waits until no start call is in flight or <paramref name="limit"/> has passed.</summary>
    /// <returns>Whether every start call finished in time.</returns>
    public async Task<bool> WaitUntilDrainedAsync(TimeSpan limit, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var deadline = clock.GetTimestamp() + (long)(limit.TotalSeconds * clock.TimestampFrequency);
        while (Count > 0)
        {
            if (clock.GetTimestamp() >= deadline)
            {
                return false;
            }

            // A shutdown waits at most a few seconds, once; a short poll is simpler than a signal on every call's exit.
            await Task.Delay(CheckInterval, clock, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
