namespace Veo.Sdk.Akka.Generation;

/// <summary>
/// Whether a waiting task should leave memory. The dispatcher wakes a dormant task once it is among the first
/// <c>Generation:LiveQueueLength</c> waiting, and coming back costs a recovery from the journal (two queries and a new
/// actor), so leaving pays only for a task that would stay away a while: one far back in a queue of long generations, not
/// one a fast model will reach in a moment. Pure: the queue as the task last heard it comes in, a yes or no goes out.
/// </summary>
internal static class DormancyPolicy
{
    /// <summary>
    /// How long a task at <paramref name="position"/> would stay dormant before the dispatcher wakes it: the places between
    /// it and the live part of the queue, served <paramref name="concurrency"/> at a time, each taking about
    /// <paramref name="expected"/>; <see cref="TimeSpan.Zero"/> for a task already in the live part.
    /// </summary>
    public static TimeSpan ExpectedSleep(int position, int liveQueueLength, int concurrency, TimeSpan expected)
    {
        var placesToGo = position - liveQueueLength;
        if (placesToGo <= 0 || expected <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        return expected * ((double)placesToGo / Math.Max(1, concurrency));
    }

    /// <summary>Whether a task at <paramref name="position"/> would stay dormant at least <paramref name="minimumSleep"/>.</summary>
    public static bool SleepsLongEnough(int position, int liveQueueLength, int concurrency, TimeSpan expected, TimeSpan minimumSleep) =>
        liveQueueLength > 0
        && position > liveQueueLength
        && ExpectedSleep(position, liveQueueLength, concurrency, expected) >= minimumSleep;
}

/// <summary>
/// How fast the queue drains: the times of the most recent grants, from which the dispatcher tells how long a place in the
/// queue takes to reach the front. It catches what a task's own estimate cannot: a model whose generation time is still
/// being learned, or a queue drained faster than its budget and durations suggest. The window should hold more grants
/// than the budget, since slots come free in waves.
/// </summary>
internal sealed class GrantRate(int window = GrantRate.DefaultWindow)
{
    public const int DefaultWindow = 256;

    private readonly DateTimeOffset[] _times = new DateTimeOffset[Math.Max(2, window)];
    private int _count;
    private int _next;
    private bool _waitersLeft;

    /// <summary>A slot was granted at <paramref name="at"/>; <paramref name="waitersLeft"/>: tasks were still waiting after it.</summary>
    public void Granted(DateTimeOffset at, bool waitersLeft)
    {
        _times[_next] = at;
        _next = (_next + 1) % _times.Length;
        _count = Math.Min(_count + 1, _times.Length);
        _waitersLeft = waitersLeft;
    }

    /// <summary>
    /// How long <paramref name="places"/> places take to drain at the recent pace; <see langword="null"/> before two grants
    /// were seen. The time since the last grant counts when tasks were left waiting then (a queue that stopped draining is
    /// slow), not when the queue was empty (an idle engine is not a slow one).
    /// </summary>
    public TimeSpan? TimeToDrain(int places, DateTimeOffset now)
    {
        if (_count < 2)
        {
            return null;
        }

        if (places <= 0)
        {
            return TimeSpan.Zero;
        }

        var oldest = _times[_count < _times.Length ? 0 : _next];
        var newest = _times[(_next - 1 + _times.Length) % _times.Length];
        var span = (_waitersLeft ? now : newest) - oldest;
        if (span <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        return span * ((double)places / _count);
    }
}
