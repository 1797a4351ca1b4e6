namespace Veo.Sdk.Akka.Generation;

/// <summary>What the engine expects a generation of one model to take, from the durations it observed recently.</summary>
/// <param name="Duration">The expected duration.</param>
/// <param name="IsObserved">Whether it comes from observed generations (otherwise it is the configured default).</param>
internal readonly record struct ExpectedDuration(TimeSpan Duration, bool IsObserved);

/// <summary>A small moving window of recent generation durations per model (in memory, per node).</summary>
internal sealed class DurationWindow(TimeSpan defaultDuration, int size = DurationWindow.DefaultSize)
{
    public const int DefaultSize = 20;

    private readonly Dictionary<string, Queue<TimeSpan>> _byModel = new(StringComparer.Ordinal);

    public void Observe(string model, TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return;
        }

        if (!_byModel.TryGetValue(model, out var window))
        {
            window = new Queue<TimeSpan>(size);
            _byModel[model] = window;
        }

        if (window.Count == size)
        {
            window.Dequeue();
        }

        window.Enqueue(duration);
    }

    public ExpectedDuration Expected(string model)
    {
        if (!_byModel.TryGetValue(model, out var window) || window.Count == 0)
        {
            return new ExpectedDuration(defaultDuration, IsObserved: false);
        }

        return new ExpectedDuration(TimeSpan.FromTicks((long)window.Average(d => d.Ticks)), IsObserved: true);
    }
}

/// <summary>The polling schedule: first poll near the expected end, then short, slowly growing intervals.</summary>
/// <param name="PollInterval">The configured short interval (<c>Generation:PollIntervalSeconds</c>).</param>
internal sealed record PollSchedule(TimeSpan PollInterval)
{
    /// <summary>Polls never come closer together than this.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Where the first poll lands, as a fraction of the expected duration.</summary>
    public const double FirstPollFraction = 0.8;

    private const double Growth = 1.5;

    /// <summary>
    /// The delay before the first poll. With an observed expectation the first poll lands at 80% of it; without one
    /// (a model not seen yet) polling starts after one interval and backs off, so neither a 10-second nor a 6-minute
    /// generation is badly served.
    /// </summary>
    public TimeSpan FirstDelay(ExpectedDuration expected, TimeSpan alreadyElapsed)
    {
        if (!expected.IsObserved)
        {
            return Max(MinimumInterval, PollInterval);
        }

        return Max(MinimumInterval, expected.Duration * FirstPollFraction - alreadyElapsed);
    }

    /// <summary>
    /// The delay after a poll that found the generation still running: a tenth of the expected duration (at most the
    /// configured interval, at least 0.1 s), growing by half with every further miss up to a quarter of the expected
    /// duration, so an overrun generation is not hammered. A delay Veo asks for wins when longer.
    /// </summary>
    /// <param name="expected">The expected duration.</param>
    /// <param name="missesSoFar">Polls that found the generation running, including the one just answered (≥ 1).</param>
    /// <param name="suggested">The delay Veo asked for, if any.</param>
    public TimeSpan NextDelay(ExpectedDuration expected, int missesSoFar, TimeSpan? suggested)
    {
        var baseInterval = Clamp(expected.Duration / 10, MinimumInterval, Max(MinimumInterval, PollInterval));
        var cap = Max(baseInterval, Max(PollInterval, expected.Duration / 4));
        var grown = baseInterval * Math.Pow(Growth, Math.Clamp(missesSoFar - 1, 0, 30));
        var delay = grown > cap ? cap : grown;
        return suggested is { } s && s > delay ? s : delay;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;
}

/// <summary>Progress numbers and time estimates shown in a task's status.</summary>
internal static class ProgressModel
{
    public const int Submitting = 2;
    public const int GeneratingFrom = 5;
    public const int Downloading = 96;
    public const int Saving = 98;

    /// <summary>
    /// An estimated percentage while Veo generates (Veo reports none): linear up to 90% of the span at the expected
    /// duration, then creeping towards — never reaching — 95, so the number rises and never passes 99 before success.
    /// </summary>
    public static int Generating(TimeSpan elapsed, TimeSpan expected)
    {
        if (expected <= TimeSpan.Zero)
        {
            return GeneratingFrom;
        }

        var x = Math.Max(0, elapsed / expected);
        var fraction = x <= 1 ? 0.9 * x : 0.9 + 0.099 * (1 - Math.Exp(-(x - 1)));
        return GeneratingFrom + (int)Math.Floor(fraction * 90);
    }

    /// <summary>The time a waiting task can expect until it ends: its share of the waves ahead of it, plus its own generation.</summary>
    public static TimeSpan WaitingTimeLeft(int position, int concurrency, TimeSpan expected)
        => expected * (Math.Max(0, position) / (double)Math.Max(1, concurrency)) + expected;

    /// <summary>The time a generating task can expect until it ends; never below a second while running.</summary>
    public static TimeSpan GeneratingTimeLeft(TimeSpan elapsed, TimeSpan expected)
    {
        var left = expected - elapsed;
        return left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
    }
}
