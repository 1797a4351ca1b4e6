namespace Veo.Sdk.Akka.Generation;

/// <summary>What the engine expects a generation of one model to take, from the durations it observed recently.</summary>
/// <param name="Duration">The expected (average) duration.</param>
/// <param name="IsObserved">Whether it comes from observed generations (otherwise it is the configured default).</param>
/// <param name="Fastest">The shortest recently observed duration; <see cref="Duration"/> when nothing was observed.</param>
internal readonly record struct ExpectedDuration(TimeSpan Duration, bool IsObserved, TimeSpan Fastest)
{
    public ExpectedDuration(TimeSpan duration, bool isObserved)
        : this(duration, isObserved, duration)
    {
    }
}

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
            return new ExpectedDuration(defaultDuration, false);
        }

        return new ExpectedDuration(TimeSpan.FromTicks((long)window.Average(d => d.Ticks)), IsObserved: true, window.Min());
    }
}

/// <summary>
/// The polling schedule. For a model with observed durations: a first poll shortly before the expected end, a poll at the
/// expected end, then short intervals that grow only once the expected end has passed, so a generation of the usual length
/// is found done within one fine step (a hundredth of its duration) with two or three polls. For a model not observed
/// yet: the configured interval for a while, then growing intervals.
/// </summary>
/// <param name="PollInterval">The configured interval (<c>Generation:PollIntervalSeconds</c>).</param>
internal sealed record PollSchedule(TimeSpan PollInterval)
{
    /// <summary>The floor of the configured interval, used while a model's durations are not known.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The floor of the fine step near the expected end: below it, a poll costs more than the lateness it saves.</summary>
    public static readonly TimeSpan MinimumFineStep = TimeSpan.FromMilliseconds(10);

    /// <summary>The first poll lands no earlier than this fraction of the expected duration…</summary>
    public const double FirstPollFraction = 0.8;

    /// <summary>…and no earlier than this fraction of the fastest recent generation: nothing is likely to be done before.</summary>
    public const double FastestFraction = 0.95;

    /// <summary>The fine step is this fraction of the expected duration (clamped to [<see cref="MinimumFineStep"/>, the configured interval]).</summary>
    public const double FineStepFraction = 0.01;

    private const double Growth = 1.5;

    /// <summary>Polls at the plain interval for a model not observed yet, before the interval grows.</summary>
    public const int UnobservedSteadyPolls = 10;

    private TimeSpan Interval => Max(MinimumInterval, PollInterval);

    /// <summary>The step between polls around the expected end: a hundredth of it, at least 10 ms, at most the configured interval.</summary>
    public TimeSpan FineStep(ExpectedDuration expected) => Clamp(expected.Duration * FineStepFraction, MinimumFineStep, Interval);

    /// <summary>
    /// The delay before the first poll. With observed durations the first poll lands at 80% of the average or 95% of the
    /// fastest recent one, whichever is later; without any (a model not seen yet) polling starts after one interval and
    /// backs off, so neither a 10-second nor a 6-minute generation is badly served.
    /// </summary>
    /// <param name="expected">The expected duration.</param>
    /// <param name="alreadyElapsed">The time since the operation started (not since its start was journaled).</param>
    public TimeSpan FirstDelay(ExpectedDuration expected, TimeSpan alreadyElapsed)
    {
        if (!expected.IsObserved)
        {
            return Interval;
        }

        var target = Max(expected.Duration * FirstPollFraction, expected.Fastest * FastestFraction);
        return Max(FineStep(expected), target - alreadyElapsed);
    }

    /// <summary>
    /// The delay after a poll that found the generation still running. With observed durations: a poll lands at the
    /// expected end when that is still ahead (more than half a fine step); past it, the delay is the fine step plus half the
    /// overrun — the fine step growing by half per miss while polls land on schedule — capped at the configured interval or
    /// a quarter of the expected duration, whichever is longer, so an overrunning generation is not hammered. For a model
    /// not observed yet: the configured interval for ten polls, then the same growth. A delay Veo asks for wins when longer.
    /// </summary>
    /// <param name="expected">The expected duration.</param>
    /// <param name="elapsed">The time since the operation started, at the poll just answered.</param>
    /// <param name="missesSoFar">Polls that found the generation running, including the one just answered (≥ 1).</param>
    /// <param name="suggested">The delay Veo asked for, if any.</param>
    public TimeSpan NextDelay(ExpectedDuration expected, TimeSpan elapsed, int missesSoFar, TimeSpan? suggested)
    {
        var delay = expected.IsObserved ? ObservedDelay(expected, elapsed) : UnobservedDelay(expected, missesSoFar);
        return suggested is { } s && s > delay ? s : delay;
    }

    /// <summary>
    /// The generation's duration to learn from a finished operation, relative to its start. The poll that found it done is
    /// an upper bound; it is the sample when the last poll that saw it running was at most two fine steps earlier (the
    /// bound is then close). Between a wider bracket's ends the midpoint is the best guess — and when no poll saw it
    /// running the bracket starts at zero: learning the upper bound there would keep a too-high estimate almost where it
    /// is (each wave's first poll finds the work done and confirms it), while half of it corrects within a few waves,
    /// and a too-low guess only costs a poll that finds the generation still running.
    /// </summary>
    /// <param name="expected">The expectation the polls were scheduled with.</param>
    /// <param name="lastRunningAt">When the last poll that found it running answered, if any, relative to the start.</param>
    /// <param name="doneAt">When the poll that found it done answered, relative to the start.</param>
    public TimeSpan ObservedDuration(ExpectedDuration expected, TimeSpan? lastRunningAt, TimeSpan doneAt)
    {
        var lower = lastRunningAt ?? TimeSpan.Zero;
        return doneAt - lower <= FineStep(expected) * 2 ? doneAt : lower + (doneAt - lower) / 2;
    }

    private TimeSpan ObservedDelay(ExpectedDuration expected, TimeSpan elapsed)
    {
        var step = FineStep(expected);
        var end = expected.Duration;
        if (elapsed < end - step / 2)
        {
            return end - elapsed;
        }

        // step × 1.5ⁿ along a schedule on time; derived from the overrun, so late answers do not compound the growth.
        var overrun = Max(TimeSpan.Zero, elapsed - end);
        var grown = step + overrun * (Growth - 1);
        var cap = Max(step, Max(PollInterval, end / 4));
        return grown > cap ? cap : grown;
    }

    private TimeSpan UnobservedDelay(ExpectedDuration expected, int missesSoFar)
    {
        // The expectation is a guess: poll at the plain interval for a while before backing off.
        var interval = Interval;
        var cap = Max(interval, Max(PollInterval, expected.Duration / 4));
        var grown = interval * Math.Pow(Growth, Math.Clamp(missesSoFar - UnobservedSteadyPolls, 0, 30));
        return grown > cap ? cap : grown;
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
