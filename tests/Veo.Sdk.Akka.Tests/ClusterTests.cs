using System.Net;
using System.Net.Sockets;
using Veo.Sdk.Akka.Tests.Support;
using Veo.Sdk.Testing;
using static Veo.Sdk.Akka.Tests.Support.EngineTestExtensions;

namespace Veo.Sdk.Akka.Tests;

/// <summary>Two nodes, one PostgreSQL: tasks are spread over both, any node answers for any task (messages cross the wire), and one dispatcher holds the budget for both.</summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task Two_nodes_share_the_tasks_and_either_answers_for_any_of_them()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(600) });
        var (portA, portB) = (FreePort(), FreePort());
        var seed = $"akka.tcp://veo@127.0.0.1:{portA}";

        Dictionary<string, string?> Node(int port)
        {
            var settings = TestEngine.Settings(simulator.BaseUrl, folder.Path, database.ConnectionString);
            settings["Generation:MaxConcurrency"] = "2";
            settings["Akka:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Akka:SeedNodes:0"] = seed;
            return settings;
        }

        await using var nodeA = await TestEngine.StartAsync(Node(portA), output);
        await using var nodeB = await TestEngine.StartAsync(Node(portB), output);

        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add((await (i % 2 == 0 ? nodeA : nodeB).Service.SubmitAsync(Request($"cluster task {i}"))).TaskId);
        }

        // Watch every task from the node that did not submit it.
        var finals = await Task.WhenAll(ids.Select((id, i) => (i % 2 == 0 ? nodeB : nodeA).Service.FinalStatusAsync(id, TimeSpan.FromSeconds(60))));
        Assert.All(finals, f => Assert.Equal(VideoTaskState.Success, f.State));
        foreach (var id in ids)
        {
            Assert.Equal(VideoTaskState.Success, (await nodeA.Service.GetStatusAsync(id))!.State);
            Assert.Equal(VideoTaskState.Success, (await nodeB.Service.GetStatusAsync(id))!.State);
        }

        // Both nodes ran generations (the shards are spread), and together no more than the cluster's budget at once.
        var (metricsA, metricsB) = (nodeA.Metrics.GetSnapshot(), nodeB.Metrics.GetSnapshot());
        output.WriteLine($"node A ran {metricsA.Succeeded}, node B ran {metricsB.Succeeded}; max_active {simulator.GetStats().MaxActive}");
        Assert.Equal(8, metricsA.Succeeded + metricsB.Succeeded);
        Assert.True(metricsA.Succeeded > 0 && metricsB.Succeeded > 0, "all tasks landed on one node");
        Assert.InRange(simulator.GetStats().MaxActive, 1, 2);
        Assert.Equal(8, simulator.GetStats().OperationsStarted);
        Assert.Equal(CancelOutcome.AlreadyEnded, await nodeB.Service.CancelAsync(ids[0]));
        Assert.Null(await nodeA.Service.GetStatusAsync("nobody-here"));
    }

    [PostgresFact]
    public async Task A_node_that_leaves_hands_its_unfinished_tasks_to_the_other_which_finishes_them_without_a_second_start()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        using var folder = new TempFolder();
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromSeconds(3) });
        var (portA, portB) = (FreePort(), FreePort());
        var seed = $"akka.tcp://veo@127.0.0.1:{portA}";

        Dictionary<string, string?> Node(int port)
        {
            var settings = TestEngine.Settings(simulator.BaseUrl, folder.Path, database.ConnectionString);
            settings["Generation:MaxConcurrency"] = "4";
            settings["Akka:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Akka:SeedNodes:0"] = seed;
            return settings;
        }

        await using var nodeA = await TestEngine.StartAsync(Node(portA), output);
        var nodeB = await TestEngine.StartAsync(Node(portB), output);
        var ids = new List<string>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                ids.Add((await (i % 2 == 0 ? nodeA : nodeB).Service.SubmitAsync(Request($"leaving node task {i}"))).TaskId);
            }

            // Node B is generating some of them (and hosts waiting ones) when it leaves.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (nodeB.Metrics.GetSnapshot().StartCalls == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.True(nodeB.Metrics.GetSnapshot().StartCalls > 0, "node B started nothing");
        }
        finally
        {
            await nodeB.DisposeAsync();   // a graceful leave: its shards are handed off to node A
        }

        // Its tasks' actors stopped with the hand-off (no remember-entities): each asked to be woken at its new home.
        var finals = await Task.WhenAll(ids.Select(id => nodeA.Service.FinalStatusAsync(id, TimeSpan.FromSeconds(90))));
        Assert.All(finals, f => Assert.Equal(VideoTaskState.Success, f.State));
        Assert.Equal(10, simulator.GetStats().OperationsStarted);
        Assert.InRange(simulator.GetStats().MaxActive, 1, 4);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
