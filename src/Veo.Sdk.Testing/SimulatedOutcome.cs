namespace Veo.Sdk.Testing;

/// <summary>
/// A scripted outcome for one start request, queued with <see cref="VeoSimulator.Enqueue"/>. Each start request that passes
/// authentication and validation takes the next queued outcome (FIFO); without one, the prompt markers decide, and without
/// markers the generation succeeds after the configured latency.
/// </summary>
public abstract record SimulatedOutcome
{
    private SimulatedOutcome()
    {
    }

    /// <summary>The generation succeeds: the operation is done with video(s) after the latency.</summary>
    /// <param name="Latency">How long it takes; the simulator's latency when <see langword="null"/>.</param>
    public sealed record Success(TimeSpan? Latency = null) : SimulatedOutcome;

    /// <summary>
    /// The generation is blocked by safety filters: the operation is done, without <c>error</c> and without videos,
    /// with <c>raiMediaFilteredCount</c> and <c>raiMediaFilteredReasons</c> (this reason).
    /// </summary>
    /// <param name="Reason">The human-readable reason, as Google writes them.</param>
    /// <param name="Latency">How long it takes; the simulator's latency when <see langword="null"/>.</param>
    public sealed record Filtered(string Reason, TimeSpan? Latency = null) : SimulatedOutcome;

    /// <summary>The generation fails: the operation is done with <c>error {code, message}</c>.</summary>
    /// <param name="Code">A <c>google.rpc.Code</c>, e.g. 13 (INTERNAL) or 3 (INVALID_ARGUMENT).</param>
    /// <param name="Message">The error message.</param>
    /// <param name="Latency">How long it takes; the simulator's latency when <see langword="null"/>.</param>
    public sealed record OperationError(int Code, string Message, TimeSpan? Latency = null) : SimulatedOutcome;

    /// <summary>The start request itself is answered with an HTTP error in Google's envelope; nothing is started.</summary>
    /// <param name="Status">The HTTP status, e.g. 429, 500 or 503.</param>
    /// <param name="GoogleStatus">The <c>error.status</c>, e.g. <c>RESOURCE_EXHAUSTED</c>, <c>INTERNAL</c>, <c>UNAVAILABLE</c>.</param>
    /// <param name="Message">The <c>error.message</c>.</param>
    /// <param name="RetryDelay">When set, sent as a <c>RetryInfo</c> detail and a <c>Retry-After</c> header.</param>
    public sealed record HttpError(int Status, string GoogleStatus, string Message, TimeSpan? RetryDelay = null) : SimulatedOutcome;

    /// <summary>
    /// The answer to the start request is late by <paramref name="Delay"/>, then <paramref name="Then"/> applies. When
    /// <paramref name="Then"/> starts an operation, it is started when the request arrives, as on Google where a slow or lost
    /// answer does not undo the start: a client that gives up waiting has still started a generation.
    /// </summary>
    /// <param name="Delay">How much later the answer comes.</param>
    /// <param name="Then">What happens (and is answered) otherwise.</param>
    public sealed record SlowStart(TimeSpan Delay, SimulatedOutcome Then) : SimulatedOutcome;

    internal void Validate()
    {
        switch (this)
        {
            case Success s:
                CheckLatency(s.Latency);
                break;
            case Filtered f:
                if (string.IsNullOrWhiteSpace(f.Reason))
                {
                    throw new ArgumentException("A filtered outcome needs a reason.", nameof(Filtered.Reason));
                }

                CheckLatency(f.Latency);
                break;
            case OperationError e:
                if (e.Code is < 1 or > 16)
                {
                    throw new ArgumentException($"Operation error code {e.Code} is not a google.rpc.Code error (1..16).", nameof(OperationError.Code));
                }

                if (string.IsNullOrWhiteSpace(e.Message))
                {
                    throw new ArgumentException("An operation error needs a message.", nameof(OperationError.Message));
                }

                CheckLatency(e.Latency);
                break;
            case HttpError h:
                if (h.Status is < 400 or > 599)
                {
                    throw new ArgumentException($"HTTP status {h.Status} is not an error status (400..599).", nameof(HttpError.Status));
                }

                if (string.IsNullOrWhiteSpace(h.GoogleStatus) || string.IsNullOrWhiteSpace(h.Message))
                {
                    throw new ArgumentException("An HTTP error needs a Google status (e.g. RESOURCE_EXHAUSTED) and a message.", nameof(HttpError.GoogleStatus));
                }

                if (h.RetryDelay < TimeSpan.Zero)
                {
                    throw new ArgumentException($"Retry delay {h.RetryDelay} is negative.", nameof(HttpError.RetryDelay));
                }

                break;
            case SlowStart slow:
                if (slow.Delay < TimeSpan.Zero)
                {
                    throw new ArgumentException($"Delay {slow.Delay} is negative.", nameof(SlowStart.Delay));
                }

                ArgumentNullException.ThrowIfNull(slow.Then, nameof(SlowStart.Then));
                slow.Then.Validate();
                break;
        }
    }

    private static void CheckLatency(TimeSpan? latency)
    {
        if (latency < TimeSpan.Zero)
        {
            throw new ArgumentException($"Latency {latency} is negative.", nameof(latency));
        }
    }
}
