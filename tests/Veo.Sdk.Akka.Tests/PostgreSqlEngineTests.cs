using Veo.Sdk.Akka.Tests.Support;
using Veo.Sdk.Testing;
using static Veo.Sdk.Akka.Tests.Support.EngineTestExtensions;

namespace Veo.Sdk.Akka.Tests;

/// <summary>The engine with its journal, sharding state and generation table in PostgreSQL (Persistence:Provider=PostgreSql).</summary>
public sealed class PostgreSqlEngineTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task Tasks_run_end_to_end_and_their_status_survives_a_restart()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(400) });
        var settings = TestEngine.Settings(simulator.BaseUrl, folder.Path, database.ConnectionString);
        settings["Generation:MaxConcurrency"] = "2";

        string[] ids;
        long[] generationIds;
        await using (var engine = await TestEngine.StartAsync(settings, output))
        {
            ids = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i => (await engine.Service.SubmitAsync(Request($"postgres {i}", adId: 77))).TaskId));
            var finals = await Task.WhenAll(ids.Select(id => engine.Service.FinalStatusAsync(id, TimeSpan.FromSeconds(30))));
            Assert.All(finals, f => Assert.Equal(VideoTaskState.Success, f.State));
            generationIds = [.. finals.Select(f => f.Result!.GenerationId)];
            Assert.Equal(4, (await engine.Generations.ListByAdAsync(77)).Count);
            Assert.True(simulator.GetStats().MaxActive <= 2);
        }

        // A new node on the same database answers from the journal.
        await using (var engine = await TestEngine.StartAsync(settings, output))
        {
            for (var i = 0; i < ids.Length; i++)
            {
                var status = await engine.Service.GetStatusAsync(ids[i]);
                Assert.Equal(VideoTaskState.Success, status!.State);
                Assert.Equal(generationIds[i], status.Result!.GenerationId);
            }

            Assert.Equal(CancelOutcome.AlreadyEnded, await engine.Service.CancelAsync(ids[0]));
            Assert.Null(await engine.Service.GetStatusAsync("never-submitted"));
        }

        Assert.Equal(4, simulator.GetStats().OperationsStarted);
    }
}
