using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Tests;

/// <summary>The dispatcher's bookkeeping: bounded slots, ordered waiting, queue limit, quota back-off.</summary>
public sealed class SlotBookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void At_most_the_capacity_is_granted_and_the_rest_wait_in_priority_then_submission_order()
    {
        var book = new SlotBook(capacity: 2, maxQueueLength: 100, recoveryInterval: TimeSpan.FromSeconds(10));
        book.Request("low", TaskPriority.Low, T0, null, true);
        book.Request("normal-late", TaskPriority.Normal, T0.AddSeconds(2), null, true);
        book.Request("normal-early", TaskPriority.Normal, T0.AddSeconds(1), null, true);
        book.Request("high", TaskPriority.High, T0.AddSeconds(3), null, true);

        Assert.Equal(4, book.PositionOf("low"));
        Assert.Equal(1, book.PositionOf("high"));
        Assert.Equal(2, book.PositionOf("normal-early"));
        Assert.Equal(["high", "normal-early"], book.Grant(T0));
        Assert.Empty(book.Grant(T0));
        Assert.Equal(2, book.InUse);
        Assert.Equal(1, book.PositionOf("normal-late"));
        Assert.Null(book.PositionOf("high"));

        Assert.True(book.Release("high"));
        Assert.Equal(["normal-late"], book.Grant(T0));
        Assert.True(book.Release("normal-early"));
        Assert.Equal(["low"], book.Grant(T0));
        Assert.Equal(2, book.MaxInUse);
        Assert.False(book.Release("never-seen"));
    }

    [Fact]
    public void A_full_queue_refuses_new_tasks_but_takes_back_recovered_ones()
    {
        var book = new SlotBook(capacity: 1, maxQueueLength: 2, recoveryInterval: TimeSpan.FromSeconds(10));
        Assert.Equal(SlotRequestOutcome.Queued, book.Request("a", TaskPriority.Normal, T0, null, true));
        Assert.Equal(SlotRequestOutcome.Queued, book.Request("b", TaskPriority.Normal, T0, null, true));
        Assert.Equal(SlotRequestOutcome.QueueFull, book.Request("c", TaskPriority.High, T0, null, true));
        Assert.Equal(SlotRequestOutcome.Queued, book.Request("b", TaskPriority.Normal, T0, null, true));   // asking again keeps the place
        Assert.Equal(SlotRequestOutcome.Queued, book.Request("d", TaskPriority.Normal, T0, null, enforceQueueLimit: false));
        Assert.Equal(3, book.Waiting);
        book.Grant(T0);
        Assert.Equal(SlotRequestOutcome.AlreadyHolding, book.Request("a", TaskPriority.Normal, T0, null, true));
    }

    [Fact]
    public void Recovered_running_tasks_are_counted_even_above_the_capacity()
    {
        var book = new SlotBook(capacity: 1, maxQueueLength: 10, recoveryInterval: TimeSpan.FromSeconds(10));
        book.Reclaim("r1");
        book.Reclaim("r2");
        book.Request("w", TaskPriority.High, T0, null, true);
        Assert.Empty(book.Grant(T0));
        book.Release("r1");
        Assert.Empty(book.Grant(T0));   // still one running: the capacity is 1
        book.Release("r2");
        Assert.Equal(["w"], book.Grant(T0));
        Assert.Equal(2, book.MaxInUse);
    }

    [Fact]
    public void A_quota_refusal_halves_the_limit_once_per_burst_and_it_recovers_one_step_per_interval()
    {
        var book = new SlotBook(capacity: 8, maxQueueLength: 100, recoveryInterval: TimeSpan.FromSeconds(10));
        for (var i = 0; i < 8; i++)
        {
            book.Request($"t{i}", TaskPriority.Normal, T0.AddMilliseconds(i), null, true);
        }

        Assert.Equal(8, book.Grant(T0).Count);
        var retryAt = T0.AddSeconds(1);
        book.QuotaExceeded("t7", TaskPriority.Normal, T0.AddMilliseconds(7), retryAt, T0, cooldown: TimeSpan.FromSeconds(1));
        Assert.Equal(4, book.Limit);
        book.QuotaExceeded("t6", TaskPriority.Normal, T0.AddMilliseconds(6), retryAt, T0.AddMilliseconds(10), cooldown: TimeSpan.FromSeconds(1));
        Assert.Equal(4, book.Limit);   // the same burst
        Assert.Equal(1, book.QuotaDecreases);
        Assert.Equal(6, book.InUse);
        Assert.Equal(1, book.PositionOf("t6"));

        // Deferred tasks wait for their retry time; the lowered limit holds back the rest.
        Assert.Empty(book.Grant(retryAt));
        Assert.Null(book.NextEligibleAt(T0));
        for (var i = 0; i < 4; i++)
        {
            book.Release($"t{i}");
        }

        Assert.Equal(retryAt, book.NextEligibleAt(T0));
        Assert.Empty(book.Grant(T0));
        Assert.Equal(["t6", "t7"], book.Grant(retryAt));

        Assert.False(book.Recover(T0.AddSeconds(5)));
        Assert.Equal(T0.AddSeconds(10), book.NextRecoveryAt);
        Assert.True(book.Recover(T0.AddSeconds(10)));
        Assert.Equal(5, book.Limit);
        Assert.False(book.Recover(T0.AddSeconds(15)));
        Assert.True(book.Recover(T0.AddSeconds(20)));
        Assert.True(book.Recover(T0.AddSeconds(30)));
        Assert.True(book.Recover(T0.AddSeconds(40)));
        Assert.Equal(8, book.Limit);
        Assert.Null(book.NextRecoveryAt);
        Assert.False(book.Recover(T0.AddSeconds(100)));
    }

    [Fact]
    public void The_limit_never_drops_below_one()
    {
        var book = new SlotBook(capacity: 2, maxQueueLength: 10, recoveryInterval: TimeSpan.FromSeconds(1));
        book.Request("a", TaskPriority.Normal, T0, null, true);
        book.Grant(T0);
        book.QuotaExceeded("a", TaskPriority.Normal, T0, T0.AddSeconds(1), T0, TimeSpan.Zero);
        Assert.Equal(1, book.Limit);
        book.Grant(T0.AddSeconds(1));
        book.QuotaExceeded("a", TaskPriority.Normal, T0, T0.AddSeconds(2), T0.AddSeconds(1), TimeSpan.Zero);
        Assert.Equal(1, book.Limit);
        Assert.Equal(["a"], book.Grant(T0.AddSeconds(2)));
    }
}
