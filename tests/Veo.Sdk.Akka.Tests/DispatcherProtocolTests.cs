using Akka.Actor;
using Akka.TestKit;
using Veo.Sdk.Akka.Actors;
using Veo.Sdk.Akka.Diagnostics;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Hosting;
using Veo.Sdk.Akka.Storage;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;

namespace Veo.Sdk.Akka.Tests;

/// <summary>The dispatcher's protocol, driven by TestKit probes standing in for tasks.</summary>
public sealed class DispatcherProtocolTests(ITestOutputHelper output) : global::Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow;
    private readonly VeoGenerationMetrics _metrics = new();

    private IActorRef Dispatcher(int capacity = 2, int maxQueue = 10, double recoverySeconds = 60, double recoveryHoldSeconds = 0.3, double startCallTimeoutSeconds = 120, OpenTaskSource? openTasks = null)
    {
        var settings = EngineSettings.From(new VeoGenerationOptions
        {
            MaxConcurrency = capacity,
            MaxQueueLength = maxQueue,
            QuotaRecoveryIntervalSeconds = recoverySeconds,
            ExpectedGenerationSeconds = 42,
            RecoveryHoldSeconds = recoveryHoldSeconds,
            StartCallTimeoutSeconds = startCallTimeoutSeconds,
        });
        var dispatcher = Props.Create(() => new GenerationDispatcher(settings, _metrics, TimeProvider.System, openTasks));
        return Sys.ActorOf(Props.Create(() => new GenerationDispatcherGuardian(dispatcher)));   // the front door tasks use
    }

    private static RequestSlot Ask(string id, TaskPriority priority = TaskPriority.Normal, int offsetMs = 0, DateTimeOffset? notBefore = null)
        => new(id, priority, T0.AddMilliseconds(offsetMs), notBefore, "veo", EnforceQueueLimit: true);

    [Fact]
    public void Slots_are_granted_one_per_free_slot_and_handed_over_on_release()
    {
        var dispatcher = Dispatcher(capacity: 2);
        var (a, b, c) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());

        a.Send(dispatcher, Ask("a"));
        Assert.Equal(1, a.ExpectMsg<SlotQueued>().Position);
        var granted = a.ExpectMsg<SlotGranted>();
        Assert.Equal(new ExpectedDuration(TimeSpan.FromSeconds(42), false), granted.Expected);

        b.Send(dispatcher, Ask("b", offsetMs: 1));
        b.ExpectMsg<SlotQueued>();
        b.ExpectMsg<SlotGranted>();

        c.Send(dispatcher, Ask("c", offsetMs: 2));
        var queued = c.ExpectMsg<SlotQueued>();
        Assert.Equal(1, queued.Position);
        Assert.Equal(1, queued.QueueLength);
        c.ExpectNoMsg(TimeSpan.FromMilliseconds(200));   // no hoarding: nothing until a slot frees

        a.Send(dispatcher, new ReleaseSlot("a"));
        c.ExpectMsg<SlotGranted>();

        dispatcher.Tell(GetState.Instance);
        var state = ExpectMsg<State>();
        Assert.Equal((2, 2, 0, 2), (state.InUse, state.MaxInUse, state.Waiting, state.Capacity));
        Assert.Equal(["b", "c"], state.Holders.Order());
        Assert.Equal(2, _metrics.GetSnapshot().Running);
    }

    [Fact]
    public void A_failure_inside_the_dispatcher_keeps_its_book()
    {
        var dispatcher = Dispatcher(capacity: 1);
        var (a, b) = (CreateTestProbe(), CreateTestProbe());
        a.Send(dispatcher, Ask("a"));
        a.ExpectMsg<SlotQueued>();
        a.ExpectMsg<SlotGranted>();
        b.Send(dispatcher, Ask("b", offsetMs: 1));
        b.ExpectMsg<SlotQueued>();

        dispatcher.Tell(new ReleaseSlot(null!));   // throws inside the dispatcher

        dispatcher.Tell(GetState.Instance);
        var state = ExpectMsg<State>();
        Assert.Equal((1, 1), (state.InUse, state.Waiting));
        a.Send(dispatcher, new ReleaseSlot("a"));
        b.ExpectMsg<SlotGranted>();
    }

    [Fact]
    public void Waiting_tasks_are_granted_by_priority_lane_then_submission_time()
    {
        var dispatcher = Dispatcher(capacity: 1);
        var holder = CreateTestProbe();
        holder.Send(dispatcher, Ask("holder"));
        holder.ExpectMsg<SlotQueued>();
        holder.ExpectMsg<SlotGranted>();

        var order = new List<string>();
        var probes = new Dictionary<string, TestProbe>();
        foreach (var (id, priority, offset) in new[] { ("low", TaskPriority.Low, 1), ("normal2", TaskPriority.Normal, 3), ("normal1", TaskPriority.Normal, 2), ("high", TaskPriority.High, 4) })
        {
            var probe = CreateTestProbe();
            probes[id] = probe;
            probe.Send(dispatcher, Ask(id, priority, offset));
            probe.ExpectMsg<SlotQueued>();
        }

        dispatcher.Tell(new GetQueueInfo("high", "veo"));
        var info = ExpectMsg<QueueInfo>();
        Assert.Equal(1, info.Position);
        Assert.Equal(4, info.QueueLength);
        dispatcher.Tell(new GetQueueInfo("low", "veo"));
        Assert.Equal(4, ExpectMsg<QueueInfo>().Position);

        var current = "holder";
        var currentProbe = holder;
        foreach (var expected in new[] { "high", "normal1", "normal2", "low" })
        {
            currentProbe.Send(dispatcher, new ReleaseSlot(current));
            probes[expected].ExpectMsg<SlotGranted>();
            foreach (var other in probes.Where(p => p.Key != expected))
            {
                other.Value.ExpectNoMsg(TimeSpan.Zero);
            }

            order.Add(expected);
            (current, currentProbe) = (expected, probes[expected]);
        }

        Assert.Equal(["high", "normal1", "normal2", "low"], order);
    }

    [Fact]
    public void A_full_queue_answers_queue_is_full()
    {
        var dispatcher = Dispatcher(capacity: 1, maxQueue: 1);
        var (a, b, c) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        a.Send(dispatcher, Ask("a"));
        a.ExpectMsg<SlotQueued>();
        a.ExpectMsg<SlotGranted>();
        b.Send(dispatcher, Ask("b"));
        b.ExpectMsg<SlotQueued>();
        c.Send(dispatcher, Ask("c"));
        var full = c.ExpectMsg<QueueIsFull>();
        Assert.Equal(1, full.MaxQueueLength);
        Assert.True(full.RetryAfter >= TimeSpan.FromSeconds(1));

        // Tasks coming back (recovery, quota) are taken even when the queue is full.
        c.Send(dispatcher, Ask("c") with { EnforceQueueLimit = false });
        c.ExpectMsg<SlotQueued>();
    }

    [Fact]
    public void A_waiting_task_that_stops_gives_back_its_place_and_a_holder_keeps_its_slot_until_it_comes_back()
    {
        var dispatcher = Dispatcher(capacity: 1);
        var (a, b, c) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        a.Send(dispatcher, Ask("a"));
        a.ExpectMsg<SlotQueued>();
        a.ExpectMsg<SlotGranted>();
        b.Send(dispatcher, Ask("b", offsetMs: 1));
        b.ExpectMsg<SlotQueued>();
        c.Send(dispatcher, Ask("c", offsetMs: 2));
        c.ExpectMsg<SlotQueued>();

        Sys.Stop(b.Ref);   // waiting task gone: its place is dropped
        Sys.Stop(a.Ref);   // holding task gone (its node lost, its shard moving): its generation may still run at Veo
        c.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        dispatcher.Tell(GetState.Instance);
        var state = ExpectMsg<State>();
        Assert.Equal((1, 1, 1), (state.InUse, state.Parked, state.Waiting));

        // The task comes back elsewhere, still generating: the same slot is its own again; once it is done, c gets it.
        var aAgain = CreateTestProbe();
        aAgain.Send(dispatcher, new ReclaimSlot("a", "veo"));
        aAgain.ExpectMsg<SlotReclaimed>();
        c.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        aAgain.Send(dispatcher, new ReleaseSlot("a"));
        c.ExpectMsg<SlotGranted>();
    }

    [Fact]
    public void A_parked_slot_is_freed_once_the_longest_start_call_has_passed_without_its_task_coming_back()
    {
        var dispatcher = Dispatcher(capacity: 1, startCallTimeoutSeconds: 3);
        var (a, c) = (CreateTestProbe(), CreateTestProbe());
        a.Send(dispatcher, Ask("a"));
        a.ExpectMsg<SlotQueued>();
        a.ExpectMsg<SlotGranted>();
        c.Send(dispatcher, Ask("c", offsetMs: 2));
        c.ExpectMsg<SlotQueued>();

        Sys.Stop(a.Ref);
        c.ExpectNoMsg(TimeSpan.FromMilliseconds(500));   // well inside the 3 s grace, even on a busy machine
        c.ExpectMsg<SlotGranted>(TimeSpan.FromSeconds(8));
    }

    [Fact]
    public void Recovered_running_tasks_reclaim_slots_above_the_limit_and_hold_back_new_grants()
    {
        var dispatcher = Dispatcher(capacity: 1);
        var (r1, r2, w) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        r1.Send(dispatcher, new ReclaimSlot("r1", "veo"));
        r1.ExpectMsg<SlotReclaimed>();
        r2.Send(dispatcher, new ReclaimSlot("r2", "veo"));
        r2.ExpectMsg<SlotReclaimed>();
        w.Send(dispatcher, Ask("w"));
        w.ExpectMsg<SlotQueued>();
        r1.Send(dispatcher, new ReleaseSlot("r1"));
        w.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        r2.Send(dispatcher, new ReleaseSlot("r2"));
        w.ExpectMsg<SlotGranted>();
    }

    [Fact]
    public async Task A_starting_dispatcher_wakes_the_open_tasks_and_grants_nothing_until_each_has_reported()
    {
        // The open-task table of a real SQLite engine file, as a restart finds it: one task was generating at Veo, one was
        // waiting, and one ended just before the crash removed its row.
        var folder = Directory.CreateTempSubdirectory("veo-dispatcher-walk-");
        try
        {
            using var store = new SqliteGenerationStore($"Data Source={Path.Combine(folder.FullName, "veo.db")}");
            await store.InitializeAsync();
            foreach (var id in new[] { "running", "waiting", "ended" })
            {
                await store.OpenTaskAsync(id);
            }

            var region = CreateTestProbe();
            var dispatcher = Dispatcher(capacity: 1, recoveryHoldSeconds: 30, openTasks: new OpenTaskSource(store, () => Task.FromResult(region.Ref)));

            // Every open task is woken through the shard region.
            var woken = region.ReceiveN(3, TimeSpan.FromSeconds(10)).Cast<VideoTaskCommands.Wake>().Select(w => w.TaskId.Value).ToHashSet();
            Assert.Equal(["ended", "running", "waiting"], woken.Order());

            // The waiting one recovers first and a fresh submit arrives: neither may take the only slot while the running
            // one has not reported.
            var (waiting, fresh, running) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
            waiting.Send(dispatcher, Ask("waiting") with { EnforceQueueLimit = false, Recovered = true });
            waiting.ExpectMsg<SlotQueued>();
            fresh.Send(dispatcher, Ask("fresh", offsetMs: 1));
            fresh.ExpectMsg<SlotQueued>();
            waiting.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

            running.Send(dispatcher, new ReclaimSlot("running", "veo"));
            running.ExpectMsg<SlotReclaimed>();

            // The ended one answers that it is not open: everyone has reported, and the running task holds the slot.
            region.Send(dispatcher, new TaskNotOpen("ended"));
            waiting.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
            dispatcher.Tell(GetState.Instance);
            Assert.Equal(["running"], ExpectMsg<State>().Holders);

            running.Send(dispatcher, new ReleaseSlot("running"));
            waiting.ExpectMsg<SlotGranted>();
            fresh.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Without_open_tasks_to_wait_for_a_starting_dispatcher_grants_at_once()
    {
        var folder = Directory.CreateTempSubdirectory("veo-dispatcher-walk-");
        try
        {
            using var store = new SqliteGenerationStore($"Data Source={Path.Combine(folder.FullName, "veo.db")}");
            await store.InitializeAsync();
            var region = CreateTestProbe();
            var dispatcher = Dispatcher(capacity: 1, recoveryHoldSeconds: 30, openTasks: new OpenTaskSource(store, () => Task.FromResult(region.Ref)));
            var a = CreateTestProbe();
            a.Send(dispatcher, Ask("a"));
            a.ExpectMsg<SlotQueued>();
            a.ExpectMsg<SlotGranted>(TimeSpan.FromSeconds(5));
            region.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_quota_refusal_requeues_the_task_until_its_retry_time_and_lowers_the_limit_to_what_still_runs_then_restores_it()
    {
        var dispatcher = Dispatcher(capacity: 4, recoverySeconds: 0.3);
        var probes = Enumerable.Range(0, 4).Select(_ => CreateTestProbe()).ToArray();
        for (var i = 0; i < 4; i++)
        {
            probes[i].Send(dispatcher, Ask($"t{i}", offsetMs: i));
            probes[i].ExpectMsg<SlotQueued>();
            probes[i].ExpectMsg<SlotGranted>();
        }

        var retryAt = DateTimeOffset.UtcNow.AddMilliseconds(300);
        probes[3].Send(dispatcher, new QuotaExceeded("t3", TaskPriority.Normal, T0.AddMilliseconds(3), retryAt, "veo"));
        Assert.Equal(1, probes[3].ExpectMsg<SlotQueued>().Position);
        dispatcher.Tell(GetState.Instance);
        var lowered = ExpectMsg<State>();
        Assert.Equal(3, lowered.Limit);   // Veo ran three for us when it refused the fourth
        Assert.Equal(3, lowered.InUse);
        Assert.Equal(1, lowered.Waiting);

        // One finishes: its slot is free under the lowered limit, and t3 gets it once its retry time has come.
        probes[0].Send(dispatcher, new ReleaseSlot("t0"));
        probes[3].ExpectMsg<SlotGranted>(TimeSpan.FromSeconds(3));
        Assert.True(DateTimeOffset.UtcNow >= retryAt.AddMilliseconds(-20), "granted before the retry time");

        AwaitAssert(
            () =>
            {
                dispatcher.Tell(GetState.Instance);
                Assert.Equal(4, ExpectMsg<State>().Limit);
            },
            TimeSpan.FromSeconds(5),
            TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Observed_durations_feed_the_expectations_handed_out_with_grants()
    {
        var dispatcher = Dispatcher(capacity: 1);
        dispatcher.Tell(new GenerationObserved("veo", TimeSpan.FromSeconds(10)));
        dispatcher.Tell(new GenerationObserved("veo", TimeSpan.FromSeconds(20)));
        var probe = CreateTestProbe();
        probe.Send(dispatcher, Ask("a"));
        var expected = new ExpectedDuration(TimeSpan.FromSeconds(15), true, Fastest: TimeSpan.FromSeconds(10));
        Assert.Equal(expected, probe.ExpectMsg<SlotQueued>().Expected);
        Assert.Equal(expected, probe.ExpectMsg<SlotGranted>().Expected);
    }
}
