using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Tests;

/// <summary>Whether a waiting task leaves memory: only when it would stay away long enough to pay for its recovery.</summary>
public sealed class DormancyPolicyTests
{
    private static readonly TimeSpan Minimum = TimeSpan.FromSeconds(5);

    [Fact]
    public void A_task_far_back_in_a_queue_of_long_generations_leaves()
    {
        // 9,000 places to go, 8 at a time, 60 s each: more than an hour away.
        Assert.Equal(TimeSpan.FromSeconds(67_500), DormancyPolicy.ExpectedSleep(10_000, 1_000, 8, TimeSpan.FromSeconds(60)));
        Assert.True(DormancyPolicy.SleepsLongEnough(10_000, 1_000, 8, TimeSpan.FromSeconds(60), Minimum));
    }

    [Fact]
    public void A_task_a_fast_model_reaches_in_a_moment_stays()
    {
        // A burst of 2,000 at a budget of 100 on a model that answers at once: it would be woken almost as soon as it left.
        Assert.False(DormancyPolicy.SleepsLongEnough(2_000, 1_000, 100, TimeSpan.FromMilliseconds(20), Minimum));
        Assert.False(DormancyPolicy.SleepsLongEnough(2_000, 1_000, 100, TimeSpan.Zero, Minimum));
    }

    [Fact]
    public void The_wait_counts_only_the_places_before_the_live_part_of_the_queue()
    {
        // 5 s generations, 1,000 at once: position 1,999 wakes in under 5 s, position 2,000 in exactly 5 s.
        Assert.False(DormancyPolicy.SleepsLongEnough(1_999, 1_000, 1_000, TimeSpan.FromSeconds(5), Minimum));
        Assert.True(DormancyPolicy.SleepsLongEnough(2_000, 1_000, 1_000, TimeSpan.FromSeconds(5), Minimum));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(999)]
    [InlineData(1_000)]
    public void A_task_in_the_live_part_of_the_queue_never_leaves(int position)
    {
        Assert.Equal(TimeSpan.Zero, DormancyPolicy.ExpectedSleep(position, 1_000, 1, TimeSpan.FromHours(1)));
        Assert.False(DormancyPolicy.SleepsLongEnough(position, 1_000, 1, TimeSpan.FromHours(1), Minimum));
    }

    [Fact]
    public void A_live_queue_length_of_zero_keeps_every_task_in_memory()
    {
        Assert.False(DormancyPolicy.SleepsLongEnough(10_000, 0, 1, TimeSpan.FromHours(1), Minimum));
    }

    [Fact]
    public void A_budget_lowered_to_zero_by_quota_refusals_counts_as_one_at_a_time()
    {
        Assert.Equal(TimeSpan.FromSeconds(20), DormancyPolicy.ExpectedSleep(1_002, 1_000, 0, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void The_pace_of_the_queue_is_unknown_before_two_grants()
    {
        var rate = new GrantRate();
        var now = DateTimeOffset.UnixEpoch;
        Assert.Null(rate.TimeToDrain(100, now));
        rate.Granted(now, waitersLeft: true);
        Assert.Null(rate.TimeToDrain(100, now));
    }

    [Fact]
    public void Places_drain_at_the_pace_of_the_recent_grants()
    {
        // 400 grants a second, as a model that answers at once with a budget of 100: 1,000 places take 2.5 s.
        var rate = new GrantRate();
        var start = DateTimeOffset.UnixEpoch;
        for (var i = 0; i < 400; i++)
        {
            rate.Granted(start + TimeSpan.FromMilliseconds(2.5 * i), waitersLeft: true);
        }

        var drain = rate.TimeToDrain(1_000, start + TimeSpan.FromSeconds(1))!.Value;
        Assert.InRange(drain.TotalSeconds, 2.4, 2.6);
        Assert.Equal(TimeSpan.Zero, rate.TimeToDrain(0, start + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void A_queue_that_stopped_draining_counts_as_slow()
    {
        // Ten grants in a burst with tasks left waiting, then nothing for a minute: the window reaches over the quiet minute.
        var rate = new GrantRate(window: 10);
        var start = DateTimeOffset.UnixEpoch;
        for (var i = 0; i < 10; i++)
        {
            rate.Granted(start, waitersLeft: true);
        }

        Assert.Equal(TimeSpan.FromSeconds(60), rate.TimeToDrain(10, start + TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void An_engine_that_sat_idle_is_not_a_slow_one()
    {
        // 100 grants a second until the queue ran empty, then a quiet minute: a new burst drains at the pace it had.
        var rate = new GrantRate(window: 100);
        var t = DateTimeOffset.UnixEpoch;
        for (var i = 0; i < 100; i++)
        {
            rate.Granted(t += TimeSpan.FromMilliseconds(10), waitersLeft: i < 99);
        }

        Assert.InRange(rate.TimeToDrain(100, t + TimeSpan.FromMinutes(1))!.Value.TotalSeconds, 0.98, 1.0);
    }

    [Fact]
    public void Only_the_most_recent_grants_count()
    {
        // A slow start (one grant a second) is forgotten once the window has filled with a fast pace (100 a second).
        var rate = new GrantRate(window: 100);
        var t = DateTimeOffset.UnixEpoch;
        for (var i = 0; i < 50; i++)
        {
            rate.Granted(t += TimeSpan.FromSeconds(1), waitersLeft: true);
        }

        for (var i = 0; i < 100; i++)
        {
            rate.Granted(t += TimeSpan.FromMilliseconds(10), waitersLeft: true);
        }

        Assert.InRange(rate.TimeToDrain(100, t)!.Value.TotalSeconds, 0.98, 1.0);
    }
}
