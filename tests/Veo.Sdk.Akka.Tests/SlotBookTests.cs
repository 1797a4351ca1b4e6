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
    public void Quota_refusals_lower_the_limit_to_the_slots_still_held_and_it_recovers_one_step_per_interval()
    {
        var book = new SlotBook(capacity: 8, maxQueueLength: 100, recoveryInterval: TimeSpan.FromSeconds(10));
        for (var i = 0; i < 8; i++)
        {
            book.Request($"t{i}", TaskPriority.Normal, T0.AddMilliseconds(i), null, true);
        }

        // Eight starts went out at once; Veo takes three and refuses five, each refusal teaching what is left.
        Assert.Equal(8, book.Grant(T0).Count);
        var retryAt = T0.AddSeconds(1);
        Assert.True(book.QuotaExceeded("t7", TaskPriority.Normal, T0.AddMilliseconds(7), retryAt, T0));
        Assert.Equal(7, book.Limit);
        for (var i = 6; i >= 3; i--)
        {
            Assert.True(book.QuotaExceeded($"t{i}", TaskPriority.Normal, T0.AddMilliseconds(i), retryAt, T0.AddMilliseconds(10)));
        }

        Assert.Equal(3, book.Limit);
        Assert.Equal(5, book.QuotaDecreases);
        Assert.Equal(3, book.InUse);
        Assert.Equal(1, book.PositionOf("t3"));

        // Nothing more starts until one of the three is done, and a deferred task not before its retry time.
        Assert.Empty(book.Grant(retryAt));
        book.Release("t0");
        Assert.Equal(retryAt, book.NextEligibleAt(T0));
        Assert.Empty(book.Grant(T0));
        Assert.Equal(["t3"], book.Grant(retryAt));

        // Refused again with two running (the quota is shared with someone else now): the limit follows it down, and the
        // recovery clock restarts from this refusal.
        Assert.True(book.QuotaExceeded("t3", TaskPriority.Normal, T0.AddMilliseconds(3), retryAt.AddSeconds(1), T0.AddSeconds(2)));
        Assert.Equal(2, book.InUse);
        Assert.Equal(2, book.Limit);
        Assert.Equal(6, book.QuotaDecreases);
        Assert.Equal(T0.AddSeconds(12), book.NextRecoveryAt);

        Assert.False(book.Recover(T0.AddSeconds(5)));
        Assert.True(book.Recover(T0.AddSeconds(12)));
        Assert.Equal(3, book.Limit);
        Assert.False(book.Recover(T0.AddSeconds(15)));
        for (var step = 2; step <= 6; step++)
        {
            Assert.True(book.Recover(T0.AddSeconds(2 + (10 * step))));
        }

        Assert.Equal(8, book.Limit);
        Assert.Null(book.NextRecoveryAt);
        Assert.False(book.Recover(T0.AddSeconds(100)));
    }

    [Fact]
    public void A_parked_slot_stays_counted_until_its_task_comes_back_or_the_grace_passes()
    {
        var book = new SlotBook(capacity: 2, maxQueueLength: 10, recoveryInterval: TimeSpan.FromSeconds(10));
        foreach (var id in new[] { "lost1", "lost2", "waiting" })
        {
            book.Request(id, TaskPriority.Normal, T0, null, true);
        }

        Assert.Equal(["lost1", "lost2"], book.Grant(T0));
        Assert.True(book.Park("lost1", T0.AddSeconds(60)));
        Assert.True(book.Park("lost2", T0.AddSeconds(30)));
        Assert.False(book.Park("waiting", T0.AddSeconds(30)));   // only a holder's slot can be parked
        Assert.Equal(2, book.Parked);
        Assert.Empty(book.Grant(T0.AddSeconds(1)));              // still generating at Veo, as far as anyone knows
        Assert.Equal(T0.AddSeconds(30), book.NextParkExpiry);

        // lost1 comes back on another node, found generating: its slot is the same one, nothing else is granted.
        book.Reclaim("lost1");
        Assert.Equal(1, book.Parked);
        Assert.Equal(2, book.InUse);

        // lost2 never comes back: its slot is freed when the grace passes.
        Assert.Empty(book.ReleaseExpiredParked(T0.AddSeconds(29)));
        Assert.Equal(["lost2"], book.ReleaseExpiredParked(T0.AddSeconds(30)));
        Assert.Equal(0, book.Parked);
        Assert.Null(book.NextParkExpiry);
        Assert.Equal(["waiting"], book.Grant(T0.AddSeconds(30)));
    }

    [Fact]
    public void A_parked_slot_is_adopted_by_its_task_asking_again()
    {
        var book = new SlotBook(capacity: 1, maxQueueLength: 10, recoveryInterval: TimeSpan.FromSeconds(10));
        book.Request("a", TaskPriority.Normal, T0, null, true);
        book.Grant(T0);
        book.Park("a", T0.AddSeconds(10));

        // Recovered before its start intent was journaled: it asks for a slot and is told it holds one already.
        Assert.Equal(SlotRequestOutcome.AlreadyHolding, book.Request("a", TaskPriority.Normal, T0, null, false));
        Assert.Equal(0, book.Parked);
        Assert.Empty(book.ReleaseExpiredParked(T0.AddSeconds(11)));
        Assert.True(book.IsHolding("a"));
    }

    [Fact]
    public void The_limit_never_drops_below_one()
    {
        var book = new SlotBook(capacity: 2, maxQueueLength: 10, recoveryInterval: TimeSpan.FromSeconds(1));
        book.Request("a", TaskPriority.Normal, T0, null, true);
        book.Grant(T0);
        book.QuotaExceeded("a", TaskPriority.Normal, T0, T0.AddSeconds(1), T0);
        Assert.Equal(1, book.Limit);
        book.Grant(T0.AddSeconds(1));
        book.QuotaExceeded("a", TaskPriority.Normal, T0, T0.AddSeconds(2), T0.AddSeconds(1));
        Assert.Equal(1, book.Limit);
        Assert.Equal(["a"], book.Grant(T0.AddSeconds(2)));
    }

    [Fact]
    public void Positions_count_the_higher_lanes_before_the_own_lane()
    {
        var book = new SlotBook(capacity: 1, maxQueueLength: 100, recoveryInterval: TimeSpan.FromSeconds(10));
        for (var i = 0; i < 3; i++)
        {
            book.Request($"low{i}", TaskPriority.Low, T0.AddSeconds(i), null, true);
            Assert.Equal(i + 1, book.PositionOf($"low{i}"));
        }

        book.Request("normal0", TaskPriority.Normal, T0.AddSeconds(10), null, true);
        book.Request("normal1", TaskPriority.Normal, T0.AddSeconds(11), null, true);
        book.Request("high0", TaskPriority.High, T0.AddSeconds(20), null, true);

        Assert.Equal(1, book.PositionOf("high0"));
        Assert.Equal(2, book.PositionOf("normal0"));
        Assert.Equal(3, book.PositionOf("normal1"));    // the tail of its lane, after the high lane
        Assert.Equal(4, book.PositionOf("low0"));
        Assert.Equal(6, book.PositionOf("low2"));       // the tail of the last lane: the whole queue
        Assert.Equal(6, book.Waiting);
    }

    [Fact]
    public void A_task_queued_again_keeps_its_place_inside_its_lane()
    {
        var book = new SlotBook(capacity: 3, maxQueueLength: 100, recoveryInterval: TimeSpan.FromSeconds(10));
        for (var i = 0; i < 3; i++)
        {
            book.Request($"run{i}", TaskPriority.Normal, T0.AddSeconds(i), null, true);
        }

        Assert.Equal(3, book.Grant(T0).Count);
        for (var i = 0; i < 4; i++)
        {
            book.Request($"wait{i}", TaskPriority.Normal, T0.AddSeconds(10 + i), null, true);
        }

        book.Request("urgent", TaskPriority.High, T0.AddSeconds(30), null, true);

        // Refused for quota: back into the normal lane at its old submission time, ahead of the later submits.
        book.QuotaExceeded("run1", TaskPriority.Normal, T0.AddSeconds(1), T0.AddSeconds(5), T0);
        Assert.Equal(2, book.PositionOf("run1"));
        Assert.Equal(3, book.PositionOf("wait0"));
        Assert.Equal(6, book.PositionOf("wait3"));

        // A restart brings a task back with an earlier time than the tail; it is counted in its place.
        book.Request("recovered", TaskPriority.Normal, T0.AddSeconds(11.5), null, enforceQueueLimit: false);
        Assert.Equal(5, book.PositionOf("recovered"));
        Assert.Equal(7, book.PositionOf("wait3"));

        // Asking again with the same time does not move a task.
        book.Request("wait1", TaskPriority.Normal, T0.AddSeconds(11), null, true);
        Assert.Equal(4, book.PositionOf("wait1"));
        Assert.Equal(7, book.Waiting);
    }

    [Fact]
    public void Removals_from_any_lane_move_the_tasks_behind_forward()
    {
        var book = new SlotBook(capacity: 1, maxQueueLength: 100, recoveryInterval: TimeSpan.FromSeconds(10));
        book.Request("h", TaskPriority.High, T0, null, true);
        book.Request("n0", TaskPriority.Normal, T0, null, true);
        book.Request("n1", TaskPriority.Normal, T0.AddSeconds(1), null, true);
        book.Request("n2", TaskPriority.Normal, T0.AddSeconds(2), null, true);
        book.Request("l0", TaskPriority.Low, T0, null, true);

        Assert.True(book.Release("n2"));                 // the tail of the normal lane leaves
        Assert.Equal(3, book.PositionOf("n1"));          // now the tail
        Assert.Equal(4, book.PositionOf("l0"));
        Assert.Null(book.PositionOf("n2"));

        Assert.True(book.Release("h"));                  // a whole lane empties
        Assert.Equal(1, book.PositionOf("n0"));
        Assert.Equal(3, book.PositionOf("l0"));

        Assert.Equal(["n0"], book.Grant(T0));
        Assert.Equal(1, book.PositionOf("n1"));
        Assert.Equal(2, book.PositionOf("l0"));
        Assert.Equal(2, book.Waiting);
    }

    [Fact]
    public void Positions_match_the_full_queue_order_under_random_operations()
    {
        var random = new Random(5);
        var book = new SlotBook(capacity: 4, maxQueueLength: 1000, recoveryInterval: TimeSpan.FromSeconds(10));
        var waiting = new Dictionary<string, (TaskPriority Priority, DateTimeOffset At)>();
        var holding = new HashSet<string>();
        for (var step = 0; step < 2000; step++)
        {
            var roll = random.Next(10);
            if (roll < 5 || waiting.Count == 0)
            {
                // Mostly fresh submits at the tail, some placed earlier (recovered after a restart).
                var id = $"t{step}";
                var priority = (TaskPriority)random.Next(3);
                var at = roll == 0 ? T0.AddSeconds(random.Next(step + 1)) : T0.AddSeconds(step);
                book.Request(id, priority, at, null, true);
                waiting[id] = (priority, at);
            }
            else if (roll < 7)
            {
                var id = waiting.Keys.ElementAt(random.Next(waiting.Count));
                Assert.True(book.Release(id));
                waiting.Remove(id);
            }
            else if (roll < 9 && holding.Count > 0)
            {
                var id = holding.First();
                Assert.True(book.Release(id));
                holding.Remove(id);
                foreach (var granted in book.Grant(T0))
                {
                    Assert.True(waiting.Remove(granted));
                    holding.Add(granted);
                }
            }
            else
            {
                foreach (var granted in book.Grant(T0))
                {
                    Assert.True(waiting.Remove(granted));
                    holding.Add(granted);
                }
            }

            var order = waiting
                .OrderBy(w => w.Value.Priority)
                .ThenBy(w => w.Value.At.UtcTicks)
                .ThenBy(w => w.Key, StringComparer.Ordinal)
                .Select(w => w.Key)
                .ToList();
            Assert.Equal(order.Count, book.Waiting);
            foreach (var probe in order.Count <= 8 ? order : [order[0], order[^1], .. order.Take(3), order[random.Next(order.Count)]])
            {
                Assert.Equal(order.IndexOf(probe) + 1, book.PositionOf(probe));
            }
        }
    }

    [Fact]
    public void An_unknown_priority_is_refused()
    {
        var book = new SlotBook(capacity: 1, maxQueueLength: 10, recoveryInterval: TimeSpan.FromSeconds(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Request("x", (TaskPriority)7, T0, null, true));
    }
}
