using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Persistence;
using Akka.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Veo.Sdk.Akka.Actors;
using Veo.Sdk.Akka.Diagnostics;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Hosting;
using Veo.Sdk.Akka.Serialization;
using Veo.Sdk.Akka.Storage;
using Veo.Sdk.Akka.Tests.Support;
using Veo.Sdk.Testing;
using static Veo.Sdk.Akka.Actors.DispatcherProtocol;
using static Veo.Sdk.Akka.Generation.VideoTaskEvents;

namespace Veo.Sdk.Akka.Tests;

/// <summary>
/// One task actor's protocol, without a cluster: the actor is created directly, as the child of a probe standing in for
/// its shard (which receives <see cref="Passivate"/>), with a probe as its dispatcher that grants, queues and reclaims by
/// hand. The journal is the engine's own SQLite configuration on a real file, and Veo is the simulator over loopback,
/// reached by the real client with its own retries off, so every failure the simulator scripts reaches the actor.
/// </summary>
public sealed class VideoTaskActorProtocolTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);
    private static readonly ExpectedDuration Expected = new(TimeSpan.FromSeconds(1), false);

    private readonly TempFolder _folder = new();
    private VeoSimulator _simulator = null!;
    private IHost _host = null!;
    private global::Akka.TestKit.Xunit2.TestKit _kit = null!;
    private SqliteGenerationStore _generations = null!;
    private TestProbe _dispatcher = null!;
    private TestProbe _shard = null!;

    private string ConnectionString => $"Data Source={_folder.Combine("veo.db")}";

    public async Task InitializeAsync()
    {
        _simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(300) });
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddVeoClient(
            o =>
            {
                o.Backend = VeoBackend.GeminiApi;
                o.BaseUrl = _simulator.BaseUrl;
                o.ApiKey = _simulator.Options.ApiKey;
                o.MaxRetries = 0;
            },
            configSectionPath: null);
        var persistence = new VeoPersistenceOptions { Provider = VeoPersistenceProvider.Sqlite, ConnectionString = ConnectionString };
        builder.Services.AddAkka("task-protocol", (akka, _) => akka
            .WithVeoPersistence(persistence)
            .WithCustomSerializer(VideoTaskSerializer.Name, [typeof(IVideoTaskProtocol)], system => new VideoTaskSerializer(system)));
        _host = builder.Build();
        await _host.StartAsync();

        _kit = new global::Akka.TestKit.Xunit2.TestKit(_host.Services.GetRequiredService<ActorSystem>(), output);
        _generations = new SqliteGenerationStore(ConnectionString);
        _dispatcher = _kit.CreateTestProbe("dispatcher");
        _shard = _kit.CreateTestProbe("shard");
    }

    public async Task DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
        _generations.Dispose();
        await _simulator.DisposeAsync();
    }

    public void Dispose()
    {
        _kit?.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_start_refused_for_quota_goes_back_to_the_dispatcher_and_starts_again_on_the_next_grant()
    {
        var id = NewId("quota");
        _simulator.Enqueue(new SimulatedOutcome.HttpError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for generate requests", TimeSpan.FromMilliseconds(200)));
        var task = await StartTaskAsync(id, Settings());
        await AdmitAsync(task, id, "a lighthouse at dusk");

        task.Tell(new SlotGranted(id, Expected), _dispatcher.Ref);
        var quota = await _dispatcher.ExpectMsgAsync<QuotaExceeded>(Long);
        Assert.Equal(id, quota.TaskId);
        Assert.InRange(quota.RetryAt - DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(-500), TimeSpan.FromMilliseconds(200));   // Google's RetryInfo (200 ms), not the default 5 s
        Assert.Equal(1, _simulator.GetStats().RejectedStarts);

        // The dispatcher queued it again in its old place; the next grant is a second attempt that Veo accepts.
        task.Tell(new SlotGranted(id, Expected), _dispatcher.Ref);
        Assert.Equal(VeoModels.Veo31Fast, (await _dispatcher.ExpectMsgAsync<GenerationObserved>(Long)).Model);
        Assert.Equal(id, (await _dispatcher.ExpectMsgAsync<ReleaseSlot>(Long)).TaskId);

        var final = await FinalStatusAsync(task, id);
        Assert.Equal(VideoTaskState.Success, final.State);
        Assert.Contains(final.Warnings, w => w.Contains("quota", StringComparison.OrdinalIgnoreCase));
        var stats = _simulator.GetStats();
        Assert.Equal((2L, 1L, 1L), (stats.StartRequests, stats.RejectedStarts, stats.OperationsStarted));

        // What was journaled comes back: a new incarnation reads the same final status from the SQLite file.
        await StopAsync(task);
        var recovered = await StartTaskAsync(id, Settings());
        var again = (await StatusAsync(recovered, id))!;
        Assert.Equal((final.State, final.Version, final.CompletedAt), (again.State, again.Version, again.CompletedAt));
        Assert.Equal(final.Result!.GenerationId, again.Result!.GenerationId);
        Assert.Equal(final.Warnings, again.Warnings);
    }

    [Fact]
    public async Task A_start_refused_for_another_reason_is_not_retried_and_fails_the_task()
    {
        var id = NewId("refused");
        var task = await StartTaskAsync(id, Settings());
        await AdmitAsync(task, id, "a lighthouse [sim:500]");

        task.Tell(new SlotGranted(id, Expected), _dispatcher.Ref);
        Assert.Equal(id, (await _dispatcher.ExpectMsgAsync<ReleaseSlot>(Long)).TaskId);
        var final = await FinalStatusAsync(task, id);
        Assert.Equal(VideoTaskState.Failure, final.State);
        Assert.Equal(VideoTaskErrorCodes.VeoRequestFailed, final.Error!.Code);
        Assert.Equal("500", final.Error.Details!["http_status"]);
        Assert.Equal(1, _simulator.GetStats().StartRequests);   // a 500 may hide a started generation: never repeated
    }

    [Fact]
    public async Task A_failed_poll_is_polled_again_and_the_task_succeeds()
    {
        var id = NewId("poll");
        var task = await StartTaskAsync(id, Settings());
        await AdmitAsync(task, id, "a lighthouse [sim:poll503]");

        task.Tell(new SlotGranted(id, Expected), _dispatcher.Ref);
        await _dispatcher.ExpectMsgAsync<GenerationObserved>(Long);
        await _dispatcher.ExpectMsgAsync<ReleaseSlot>(Long);

        var final = await FinalStatusAsync(task, id);
        Assert.True(final.State == VideoTaskState.Success, $"{final.State}: {final.Error?.Code} {final.Error?.Message}");
        var stats = _simulator.GetStats();
        Assert.True(stats.Polls >= 2, $"{stats.Polls} poll(s): the failed one was not followed by another");
        Assert.Equal(1, stats.OperationsStarted);
        Assert.NotNull(await _generations.GetByTaskIdAsync(id));
    }

    [Fact]
    public async Task A_task_recovered_with_a_start_intent_and_a_receipt_resumes_that_operation_without_a_second_start()
    {
        var id = NewId("receipt");
        var request = Request("started by an earlier incarnation", id);
        var operation = await StartAtVeoAsync(request);
        var intentAt = DateTimeOffset.UtcNow;
        await JournalAsync(id, new Submitted(VideoTaskId.Parse(id), request, intentAt.AddSeconds(-1)), new StartRequested(VideoTaskId.Parse(id), 1, false, intentAt));
        await _generations.RecordStartAsync(new StartReceipt(id, operation, intentAt.AddMilliseconds(50)));

        // Nobody sends it anything: recovery finds the receipt, journals the operation and counts the task as generating.
        var task = await StartTaskAsync(id, Settings());
        var reclaim = await _dispatcher.ExpectMsgAsync<ReclaimSlot>(Long);
        Assert.Equal(id, reclaim.TaskId);
        task.Tell(new SlotReclaimed(id, Expected), _dispatcher.Ref);

        // A recovered generation's time is not learned from (it ran partly unobserved): the slot is released, nothing else.
        Assert.Equal(id, (await _dispatcher.ExpectMsgAsync<ReleaseSlot>(Long)).TaskId);
        var final = await FinalStatusAsync(task, id);
        Assert.Equal(VideoTaskState.Success, final.State);
        Assert.Empty(final.Warnings);
        Assert.Equal(1, _simulator.GetStats().StartRequests);
        Assert.Equal(operation, (await _generations.GetByTaskIdAsync(id))!.OperationName);
        Assert.Null(await _generations.FindStartAsync(id));   // the generation row replaced the receipt

        // Ended and idle: it asks its shard to passivate it.
        await _shard.FishForMessageAsync(m => m is Passivate, Long);
    }

    [Fact]
    public async Task A_task_recovered_inside_its_start_call_without_a_receipt_waits_out_the_call_then_fails_as_indeterminate()
    {
        var id = NewId("indeterminate");
        var intentAt = DateTimeOffset.UtcNow;
        await JournalInsideStartAsync(id, intentAt);

        var task = await StartTaskAsync(id, Settings(startCallTimeoutSeconds: 1));

        // The start call may have reached Veo: the slot is counted while the receipt is awaited.
        Assert.Equal(id, (await _dispatcher.ExpectMsgAsync<ReclaimSlot>(Long)).TaskId);
        task.Tell(new SlotReclaimed(id, Expected), _dispatcher.Ref);
        var watcher = await WatchAsync(task, id);
        Assert.Equal(VideoTaskStage.Submitting, watcher.First.Stage);

        var final = await watcher.FinalAsync();
        Assert.Equal(VideoTaskState.Failure, final.State);
        Assert.Equal(VideoTaskErrorCodes.IndeterminateStart, final.Error!.Code);

        // Decided no earlier than the earlier incarnation's call could have stored an answer: intent + timeout + allowance.
        Assert.True(final.CompletedAt >= ReceiptWaitPolicy.DecideAt(intentAt, TimeSpan.FromSeconds(1)) - TimeSpan.FromMilliseconds(50), $"decided {final.CompletedAt - intentAt} after the intent");
        Assert.Equal(0, _simulator.GetStats().StartRequests);
        Assert.Equal(id, (await _dispatcher.ExpectMsgAsync<ReleaseSlot>(Long)).TaskId);
        await _dispatcher.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));   // no slot asked for: nothing is started again
    }

    [Fact]
    public async Task A_receipt_stored_while_a_recovered_task_waits_for_it_is_picked_up()
    {
        var id = NewId("late-receipt");
        var request = Request("answered while the new incarnation waits", id);
        var intentAt = DateTimeOffset.UtcNow;
        await JournalAsync(id, new Submitted(VideoTaskId.Parse(id), request, intentAt.AddSeconds(-1)), new StartRequested(VideoTaskId.Parse(id), 1, false, intentAt));

        var task = await StartTaskAsync(id, Settings(startCallTimeoutSeconds: 5));
        Assert.Equal(id, (await _dispatcher.ExpectMsgAsync<ReclaimSlot>(Long)).TaskId);
        task.Tell(new SlotReclaimed(id, Expected), _dispatcher.Ref);
        await _dispatcher.ExpectNoMsgAsync(TimeSpan.FromSeconds(1.2));   // holding its slot, looking again every second

        // The earlier incarnation's start call is answered now, and its continuation stores the receipt.
        var operation = await StartAtVeoAsync(request);
        await _generations.RecordStartAsync(new StartReceipt(id, operation, DateTimeOffset.UtcNow));

        var final = await FinalStatusAsync(task, id);
        Assert.Equal(VideoTaskState.Success, final.State);
        Assert.Equal(1, _simulator.GetStats().StartRequests);
    }

    [Fact]
    public async Task With_restarts_of_indeterminate_starts_allowed_a_recovered_task_asks_for_a_slot_again_and_warns_of_a_duplicate()
    {
        var id = NewId("restart");
        var intentAt = DateTimeOffset.UtcNow;
        await JournalInsideStartAsync(id, intentAt);

        var task = await StartTaskAsync(id, Settings(startCallTimeoutSeconds: 1, restartIndeterminateStarts: true));
        Assert.Equal(id, (await _dispatcher.ExpectMsgAsync<ReclaimSlot>(Long)).TaskId);
        task.Tell(new SlotReclaimed(id, Expected), _dispatcher.Ref);

        // Once the call must have timed out, the counted slot is given back and the task queues again in its old place.
        Assert.Equal(id, (await _dispatcher.ExpectMsgAsync<ReleaseSlot>(TimeSpan.FromSeconds(10))).TaskId);
        var again = await _dispatcher.ExpectMsgAsync<RequestSlot>(TimeSpan.FromSeconds(10));
        Assert.True(again.Recovered);
        Assert.False(again.EnforceQueueLimit);   // it was admitted long ago
        Assert.True(DateTimeOffset.UtcNow >= ReceiptWaitPolicy.DecideAt(intentAt, TimeSpan.FromSeconds(1)) - TimeSpan.FromMilliseconds(50));

        task.Tell(new SlotGranted(id, Expected), _dispatcher.Ref);
        var final = await FinalStatusAsync(task, id);
        Assert.Equal(VideoTaskState.Success, final.State);
        Assert.Contains(final.Warnings, w => w.Contains("twice", StringComparison.Ordinal));
        Assert.Equal(1, _simulator.GetStats().StartRequests);
    }

    [Fact]
    public async Task A_repeated_submit_answers_for_the_existing_task_a_different_request_is_a_conflict_and_cancel_leaves_the_queue()
    {
        var id = NewId("submit");
        var task = await StartTaskAsync(id, Settings());
        var submitter = _kit.CreateTestProbe();
        await AdmitAsync(task, id, "a lighthouse at dusk", submitter);

        submitter.Send(task, new VideoTaskCommands.Submit(VideoTaskId.Parse(id), Request("a lighthouse at dusk", id)));
        Assert.True((await submitter.ExpectMsgAsync<VideoTaskReplies.SubmitAccepted>(Long)).AlreadyExisted);
        submitter.Send(task, new VideoTaskCommands.Submit(VideoTaskId.Parse(id), Request("a lighthouse at dawn", id)));
        await submitter.ExpectMsgAsync<VideoTaskReplies.TaskIdConflict>(Long);
        await _dispatcher.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));   // neither asked for a second place in the queue

        submitter.Send(task, new VideoTaskCommands.Cancel(VideoTaskId.Parse(id)));
        Assert.Equal(CancelOutcome.RemovedFromQueue, (await submitter.ExpectMsgAsync<VideoTaskReplies.CancelReply>(Long)).Outcome);
        Assert.Equal(id, (await _dispatcher.ExpectMsgAsync<ReleaseSlot>(Long)).TaskId);
        Assert.Equal(0, _simulator.GetStats().StartRequests);
    }

    // ---- the harness ---------------------------------------------------------------------------------------------------

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, VideoTaskId.MaxLength)];

    /// <summary>A request the Gemini API accepts (which refuses a seed): the simulator answers it as the markers in the prompt say.</summary>
    private static VideoGenerationRequest Request(string prompt, string id) => new()
    {
        Veo = new GenerateVideoRequest { Model = VeoModels.Veo31Fast, Prompt = prompt, AspectRatio = VeoAspectRatios.Portrait },
        TaskId = id,
        ModelKey = "veo_3_1_t2v_fast_portrait",
    };

    private static EngineSettings Settings(double startCallTimeoutSeconds = 30, bool restartIndeterminateStarts = false)
        => EngineSettings.From(new VeoGenerationOptions
        {
            PollIntervalSeconds = 0.2,
            ExpectedGenerationSeconds = 1,
            EndedTaskIdleSeconds = 1,
            QuotaRetryDelaySeconds = 5,
            StartCallTimeoutSeconds = startCallTimeoutSeconds,
            RestartIndeterminateStarts = restartIndeterminateStarts,
        });

    private TaskServices Services(EngineSettings settings) => new(
        _host.Services.GetRequiredService<IVeoClient>(),
        new FolderVideoStore(_folder.Combine("videos")),
        _generations,
        new VeoGenerationMetrics(),
        settings,
        TimeProvider.System);

    /// <summary>Creates the task actor as the shard probe's child, as the shard region would (same producer, same id).</summary>
    private Task<IActorRef> StartTaskAsync(string id, EngineSettings settings)
        => _shard.ChildActorOfAsync(Props.CreateBy(new VideoTaskActorProducer(id, Services(settings), _dispatcher.Ref)), id + "-" + Guid.NewGuid().ToString("N")[..4]);

    private async Task StopAsync(IActorRef task)
    {
        _kit.Watch(task);
        task.Tell(PoisonPill.Instance);
        await _kit.ExpectTerminatedAsync(task, Long);
    }

    /// <summary>Submits, and plays the dispatcher's part of admission: the task is queued, so it is stored and accepted.</summary>
    private async Task AdmitAsync(IActorRef task, string id, string prompt, TestProbe? submitter = null)
    {
        submitter ??= _kit.CreateTestProbe();
        submitter.Send(task, new VideoTaskCommands.Submit(VideoTaskId.Parse(id), Request(prompt, id)));
        var asked = await _dispatcher.ExpectMsgAsync<RequestSlot>(Long);
        Assert.True(asked.EnforceQueueLimit);
        task.Tell(new SlotQueued(id, 1, 1, 4, Expected), _dispatcher.Ref);
        var accepted = await submitter.ExpectMsgAsync<VideoTaskReplies.SubmitAccepted>(Long);
        Assert.False(accepted.AlreadyExisted);
    }

    private async Task<string> StartAtVeoAsync(VideoGenerationRequest request)
        => (await _host.Services.GetRequiredService<IVeoClient>().StartGenerateVideoAsync(request.Veo)).Name;

    /// <summary>Writes events under the task's persistence id through the real journal, as an earlier incarnation did.</summary>
    private async Task JournalAsync(string id, params IVideoTaskEvent[] events)
    {
        var writer = _kit.Sys.ActorOf(Props.Create(() => new JournalWriter(VideoTaskActor.PersistenceIdFor(id))));
        writer.Tell(events, _kit.TestActor);
        await _kit.ExpectMsgAsync<JournalWriter.Written>(Long);
        await StopAsync(writer);
    }

    private Task JournalInsideStartAsync(string id, DateTimeOffset intentAt)
    {
        var taskId = VideoTaskId.Parse(id);
        return JournalAsync(id, new Submitted(taskId, Request("started, answer lost", id), intentAt.AddSeconds(-1)), new StartRequested(taskId, 1, false, intentAt));
    }

    private async Task<VideoTaskStatus?> StatusAsync(IActorRef task, string id)
    {
        var reader = _kit.CreateTestProbe();
        reader.Send(task, new VideoTaskCommands.GetStatus(VideoTaskId.Parse(id)));
        return (await reader.ExpectMsgAsync<VideoTaskReplies.StatusReply>(Long)).Status;
    }

    private async Task<VideoTaskStatus> FinalStatusAsync(IActorRef task, string id) => await (await WatchAsync(task, id)).FinalAsync();

    private async Task<Watcher> WatchAsync(IActorRef task, string id)
    {
        var probe = _kit.CreateTestProbe();
        task.Tell(new WatchProtocol.Subscribe(VideoTaskId.Parse(id), probe.Ref));
        var first = (await probe.ExpectMsgAsync<VideoTaskReplies.StatusReply>(Long)).Status;
        return new Watcher(probe, first!);
    }

    /// <summary>A status subscriber: the status at subscription, then every change up to the final one.</summary>
    private sealed record Watcher(TestProbe Probe, VideoTaskStatus First)
    {
        public async Task<VideoTaskStatus> FinalAsync()
        {
            var status = First;
            while (!status.IsFinal)
            {
                status = (await Probe.ExpectMsgAsync<VideoTaskReplies.StatusReply>(Long)).Status!;
            }

            return status;
        }
    }

    /// <summary>Persists the events it is sent, all at once, under a given persistence id.</summary>
    private sealed class JournalWriter : ReceivePersistentActor
    {
        public JournalWriter(string persistenceId)
        {
            PersistenceId = persistenceId;
            Command<IVideoTaskEvent[]>(events =>
            {
                var replyTo = Sender;
                var left = events.Length;
                PersistAll(events, _ =>
                {
                    if (--left == 0)
                    {
                        replyTo.Tell(Written.Instance);
                    }
                });
            });
        }

        public override string PersistenceId { get; }

        public sealed class Written
        {
            public static readonly Written Instance = new();
        }
    }
}
