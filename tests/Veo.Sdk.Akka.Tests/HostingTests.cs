using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Veo.Sdk.Akka.Actors;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Hosting;
using Veo.Sdk.Akka.Serialization;
using Veo.Sdk.Akka.Tests.Support;
using Veo.Sdk.Testing;
using static Veo.Sdk.Akka.Tests.Support.EngineTestExtensions;

namespace Veo.Sdk.Akka.Tests;

/// <summary>What the registration sets up: options and their validation, persistence tuning, serializer binding, passivation, watch clean-up.</summary>
public sealed class HostingTests(ITestOutputHelper output)
{
    [Fact]
    public void Inconsistent_settings_fail_at_start_naming_the_key()
    {
        var soft = Assert.Throws<ArgumentException>(() => new VeoGenerationOptions { SoftTimeLimitSeconds = 901, HardTimeLimitSeconds = 900 }.Validate());
        Assert.Contains("Generation:SoftTimeLimitSeconds", soft.Message, StringComparison.Ordinal);
        var poll = Assert.Throws<ArgumentException>(() => new VeoGenerationOptions { PollIntervalSeconds = 0.01 }.Validate());
        Assert.Contains("PollIntervalSeconds", poll.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new VeoGenerationOptions { MaxConcurrency = 0 }.Validate());
        var pg = Assert.Throws<ArgumentException>(() => new VeoPersistenceOptions { Provider = VeoPersistenceProvider.PostgreSql }.Validate());
        Assert.Contains("Persistence__ConnectionString", pg.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new VeoPersistenceOptions { ConnectionString = " " }.Validate());
        new VeoGenerationOptions().Validate();
        new VeoPersistenceOptions().Validate();
    }

    [Fact]
    public async Task The_host_refuses_to_start_with_invalid_settings()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Generation:SoftTimeLimitSeconds"] = "1000",
            ["Veo:ApiKey"] = "k",
        });
        builder.Services.AddVeoClient();
        builder.Services.AddVeoGenerationServices(builder.Configuration);
        using var host = builder.Build();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains("SoftTimeLimitSeconds", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Options_bind_from_configuration_with_fractions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Generation:MaxConcurrency"] = "3",
            ["Generation:HardTimeLimitSeconds"] = "1.5",
            ["Generation:SoftTimeLimitSeconds"] = "0.5",
            ["Generation:QueueTimeLimitSeconds"] = "0.25",
            ["Persistence:Provider"] = "PostgreSql",
            ["Persistence:ConnectionString"] = "Host=db;Database=veo",
            ["Storage:VideosPath"] = "/srv/videos",
        }).Build();
        var services = new ServiceCollection().AddVeoGenerationServices(configuration).BuildServiceProvider();
        var generation = services.GetRequiredService<IOptions<VeoGenerationOptions>>().Value;
        Assert.Equal((3, 1.5, 0.5, 0.25), (generation.MaxConcurrency, generation.HardTimeLimitSeconds, generation.SoftTimeLimitSeconds, generation.QueueTimeLimitSeconds));
        Assert.Equal(8, new VeoGenerationOptions().MaxConcurrency);
        Assert.Equal(VeoPersistenceProvider.PostgreSql, services.GetRequiredService<IOptions<VeoPersistenceOptions>>().Value.Provider);
        Assert.Equal("/srv/videos", services.GetRequiredService<IOptions<VeoStorageOptions>>().Value.VideosPath);
        Assert.DoesNotContain("Host=db", services.GetRequiredService<IOptions<VeoPersistenceOptions>>().Value.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_engine_uses_wal_its_own_serializer_and_lets_ended_tasks_and_watchers_go()
    {
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromSeconds(1) });
        var settings = TestEngine.Settings(simulator.BaseUrl, folder.Path);
        await using var engine = await TestEngine.StartAsync(settings, output);
        var system = engine.Host.Services.GetRequiredService<ActorSystem>();

        // The SQLite file is in WAL mode (set once, before the journal opens it).
        await using (var connection = new SqliteConnection(settings["Persistence:ConnectionString"]))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        }

        // Events and cross-node messages go through the engine's binary serializer, not JSON.
        var submitted = new VideoTaskEvents.Submitted(VideoTaskId.Parse("x"), Request("p"), DateTimeOffset.UtcNow);
        Assert.IsType<VideoTaskSerializer>(system.Serialization.FindSerializerFor(submitted));
        Assert.IsType<VideoTaskSerializer>(system.Serialization.FindSerializerFor(new VideoTaskCommands.GetStatus(VideoTaskId.Parse("x"))));

        // A watcher that stops early is cleaned up: its temporary actor is gone.
        var task = await engine.Service.SubmitAsync(Request("watched briefly"));
        await foreach (var status in engine.Service.WatchAsync(task.TaskId))
        {
            Assert.False(status.IsFinal);
            Assert.Equal(1, await CountUserActorsAsync(system, "$*"));
            break;
        }

        await Eventually(async () => await CountUserActorsAsync(system, "$*") == 0, TimeSpan.FromSeconds(5), "the watch subscriber stopped");

        // An ended task passivates after the idle time and is no longer remembered by its shard.
        var region = await engine.Host.Services.GetRequiredService<ActorRegistry>().GetAsync<VideoGenerationRegion>();
        Assert.Equal(VideoTaskState.Success, (await engine.Service.FinalStatusAsync(task.TaskId, TimeSpan.FromSeconds(30))).State);
        await Eventually(
            async () =>
            {
                var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5));
                return state.Shards.All(s => !s.EntityIds.Contains(task.TaskId));
            },
            TimeSpan.FromSeconds(10),
            "the ended task passivated");
    }

    private static async Task<int> CountUserActorsAsync(ActorSystem system, string pattern)
    {
        var probe = system.ActorSelection($"/user/{pattern}");
        var replies = new List<ActorIdentity>();
        var inbox = Inbox.Create(system);
        probe.Tell(new Identify(1), inbox.Receiver);
        try
        {
            while (true)
            {
                replies.Add((ActorIdentity)await inbox.ReceiveAsync(TimeSpan.FromMilliseconds(300)));
            }
        }
        catch (TimeoutException)
        {
            return replies.Count(r => r.Subject is not null);
        }
    }
}
