using Microsoft.Data.Sqlite;
using Veo.Sdk.Akka.Storage;
using Veo.Sdk.Akka.Tests.Support;
using Veo.Sdk.Testing;

namespace Veo.Sdk.Akka.Tests;

/// <summary>
/// Crash recovery with a real crash: the engine runs in a child process that is killed with SIGKILL while tasks are
/// mid-generation (no shutdown, no shard hand-off, no flush); a new engine then starts on the same database. Remember-
/// entities must bring every unfinished task back by itself — the tests only read the generation table until the rows
/// appear — and no generation may be started twice.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(90);

    [Fact]
    public Task Tasks_caught_mid_generation_by_a_crash_finish_after_restart_without_a_second_start_on_sqlite()
    {
        var folder = new TempFolder();
        return RunAsync(folder, settings => settings, () => folder.Dispose());
    }

    [PostgresFact]
    public async Task Tasks_caught_mid_generation_by_a_crash_finish_after_restart_without_a_second_start_on_postgresql()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var folder = new TempFolder();
        await RunAsync(
            folder,
            settings =>
            {
                settings["Persistence:Provider"] = "PostgreSql";
                settings["Persistence:ConnectionString"] = database.ConnectionString;
                return settings;
            },
            () => folder.Dispose());
    }

    private async Task RunAsync(TempFolder folder, Func<Dictionary<string, string?>, Dictionary<string, string?>> adapt, Action cleanup)
    {
        try
        {
            // Long enough that the child is surely killed mid-generation, even on a loaded machine.
            await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromSeconds(4) });
            var settings = adapt(TestEngine.Settings(simulator.BaseUrl, folder.Path));
            settings["Generation:MaxConcurrency"] = "3";
            settings["Generation:ExpectedGenerationSeconds"] = "4";

            // Three generate (operation names journaled), two wait for a slot.
            var tasks = Enumerable.Range(1, 5).Select(i => ($"crash-{i}-{Guid.NewGuid():N}"[..24], $"crash test video {i}")).ToList();
            await using (var child = await CrashHost.StartAsync(settings, tasks, VideoTaskStage.Generating, readyCount: 3, Ready))
            {
                await child.KillAsync();
                output.WriteLine(child.Log);
            }

            var beforeRestart = simulator.GetStats();
            Assert.Equal(3, beforeRestart.OperationsStarted);
            Assert.Equal(0, beforeRestart.Downloads);

            await using var engine = await TestEngine.StartAsync(settings, output);

            // Nobody asks the tasks anything: the dispatcher walks the open tasks and wakes them, and their rows appear.
            await EngineTestExtensions.Eventually(
                async () =>
                {
                    foreach (var (id, _) in tasks)
                    {
                        if (await engine.Generations.GetByTaskIdAsync(id) is null)
                        {
                            return false;
                        }
                    }

                    return true;
                },
                TimeSpan.FromSeconds(60),
                "every task of the crashed node saved its generation");

            var after = simulator.GetStats();
            Assert.Equal(5, after.OperationsStarted);   // the three running ones were resumed, not started again
            Assert.Equal(5, after.Downloads);
            Assert.True(after.MaxActive <= 3, $"max_active {after.MaxActive}");

            var generationIds = new HashSet<long>();
            foreach (var (id, prompt) in tasks)
            {
                var status = await engine.Service.FinalStatusAsync(id, TimeSpan.FromSeconds(30));
                Assert.Equal(VideoTaskState.Success, status.State);
                Assert.Equal(prompt, status.Result!.Request.Veo.Prompt);
                Assert.True(generationIds.Add(status.Result.GenerationId));
                var row = await engine.Generations.GetByTaskIdAsync(id);
                Assert.Equal(status.Result.GenerationId, row!.GenerationId);
                Assert.Equal(7, row.AdId);
            }

            Assert.Equal(5, generationIds.Count);
            if (settings["Persistence:Provider"] == "Sqlite")
            {
                Assert.Equal(5L, await CountRowsAsync(settings["Persistence:ConnectionString"]!));
            }
        }
        finally
        {
            cleanup();
        }
    }

    [Fact]
    public async Task A_task_caught_inside_its_start_call_fails_as_indeterminate_and_is_not_started_again()
    {
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(300) });
        var settings = TestEngine.Settings(simulator.BaseUrl, folder.Path);
        settings["Generation:StartCallTimeoutSeconds"] = "2";
        var id = "indeterminate-" + Guid.NewGuid().ToString("N")[..8];

        // Veo starts the generation at once but answers late: the crash lands between the intent and the operation name.
        simulator.Enqueue(new SimulatedOutcome.SlowStart(TimeSpan.FromSeconds(30), new SimulatedOutcome.Success()));
        await using (var child = await CrashHost.StartAsync(settings, [(id, "started, answer lost")], VideoTaskStage.Submitting, readyCount: null, Ready))
        {
            await EngineTestExtensions.Eventually(() => Task.FromResult(simulator.GetStats().StartRequests == 1), TimeSpan.FromSeconds(10), "the start call reached Veo");
            await child.KillAsync();
        }

        await using var engine = await TestEngine.StartAsync(settings, output);
        var final = await engine.Service.FinalStatusAsync(id, TimeSpan.FromSeconds(30));
        Assert.Equal(VideoTaskState.Failure, final.State);
        Assert.Equal(VideoTaskErrorCodes.IndeterminateStart, final.Error!.Code);
        Assert.Equal(1, simulator.GetStats().StartRequests);

        // Decided only once the killed node's start call could no longer have stored an answer (intent + timeout).
        Assert.True(final.CompletedAt - final.StartedAt >= TimeSpan.FromSeconds(2), $"decided {final.CompletedAt - final.StartedAt} after the start intent");
        Assert.Null(await engine.Generations.GetByTaskIdAsync(id));
    }

    [Fact]
    public async Task A_task_whose_start_answer_reached_the_receipt_but_not_the_journal_resumes_polling_that_operation()
    {
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(300) });
        var settings = TestEngine.Settings(simulator.BaseUrl, folder.Path);
        var id = "receipt-" + Guid.NewGuid().ToString("N")[..8];

        simulator.Enqueue(new SimulatedOutcome.SlowStart(TimeSpan.FromSeconds(30), new SimulatedOutcome.Success()));
        await using (var child = await CrashHost.StartAsync(settings, [(id, "started, answer stored only as a receipt")], VideoTaskStage.Submitting, readyCount: null, Ready))
        {
            await EngineTestExtensions.Eventually(() => Task.FromResult(simulator.GetStats().StartRequests == 1), TimeSpan.FromSeconds(10), "the start call reached Veo");
            await child.KillAsync();
        }

        // What the killed node would have written had Veo's answer arrived a moment before the kill, and the journal not.
        var operationName = Assert.Single(simulator.GetOperationNames());
        using (var store = new SqliteGenerationStore(settings["Persistence:ConnectionString"]!))
        {
            await store.RecordStartAsync(new StartReceipt(id, operationName, DateTimeOffset.UtcNow));
        }

        await using var engine = await TestEngine.StartAsync(settings, output);
        var final = await engine.Service.FinalStatusAsync(id, TimeSpan.FromSeconds(30));
        Assert.Equal(VideoTaskState.Success, final.State);
        Assert.Equal(1, simulator.GetStats().StartRequests);   // not started again
        var row = await engine.Generations.GetByTaskIdAsync(id);
        Assert.Equal(operationName, row!.OperationName);
        using (var store = new SqliteGenerationStore(settings["Persistence:ConnectionString"]!))
        {
            Assert.Null(await store.FindStartAsync(id));   // the generation row replaced the receipt
        }
    }

    [Fact]
    public async Task A_graceful_stop_during_a_start_call_lets_Veo_answer_and_the_task_resumes_that_operation_after_restart()
    {
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(300) });
        var settings = TestEngine.Settings(simulator.BaseUrl, folder.Path);
        var id = "graceful-" + Guid.NewGuid().ToString("N")[..8];

        // Veo takes 4 s to answer the start (longer than a stop takes by itself): the node is asked to stop meanwhile.
        simulator.Enqueue(new SimulatedOutcome.SlowStart(TimeSpan.FromSeconds(4), new SimulatedOutcome.Success()));
        await using (var first = await TestEngine.StartAsync(settings, output))
        {
            await first.Service.SubmitAsync(EngineTestExtensions.Request("stopped while starting", taskId: id));
            await EngineTestExtensions.Eventually(() => Task.FromResult(simulator.GetStats().StartRequests == 1), TimeSpan.FromSeconds(10), "the start call reached Veo");
        }

        using (var store = new SqliteGenerationStore(settings["Persistence:ConnectionString"]!))
        {
            Assert.NotNull(await store.FindStartAsync(id));   // the stopping node waited for Veo's answer and stored it
        }

        await using var second = await TestEngine.StartAsync(settings, output);
        var final = await second.Service.FinalStatusAsync(id, TimeSpan.FromSeconds(30));
        Assert.Equal(VideoTaskState.Success, final.State);
        Assert.Equal(1, simulator.GetStats().StartRequests);
        Assert.Empty(final.Warnings);
    }

    [Fact]
    public async Task With_restarts_of_indeterminate_starts_allowed_such_a_task_starts_again_and_warns_of_a_duplicate()
    {
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(300) });
        var settings = TestEngine.Settings(simulator.BaseUrl, folder.Path);
        settings["Generation:RestartIndeterminateStarts"] = "true";
        settings["Generation:StartCallTimeoutSeconds"] = "2";
        var id = "restarted-" + Guid.NewGuid().ToString("N")[..8];

        simulator.Enqueue(new SimulatedOutcome.SlowStart(TimeSpan.FromSeconds(30), new SimulatedOutcome.Success()));
        await using (var child = await CrashHost.StartAsync(settings, [(id, "started, answer lost, started again")], VideoTaskStage.Submitting, readyCount: null, Ready))
        {
            await EngineTestExtensions.Eventually(() => Task.FromResult(simulator.GetStats().StartRequests == 1), TimeSpan.FromSeconds(10), "the start call reached Veo");
            await child.KillAsync();
        }

        await using var engine = await TestEngine.StartAsync(settings, output);
        var final = await engine.Service.FinalStatusAsync(id, TimeSpan.FromSeconds(30));
        Assert.Equal(VideoTaskState.Success, final.State);
        Assert.Contains(final.Warnings, w => w.Contains("twice", StringComparison.Ordinal));
        Assert.Equal(2, simulator.GetStats().StartRequests);   // the documented duplicate
    }

    private static async Task<long> CountRowsAsync(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM video_generations";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
