using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Net.Sockets;
using System.Text.Json;
using Veo.Sdk.Testing;
using Xunit.Abstractions;

namespace ReferenceService.Tests;

/// <summary>
/// A cluster of service processes on one PostgreSQL, one of them killed with SIGKILL while generations run: the others
/// answer every status with 200 or a 503 with Retry-After, quickly (never a 500, never a hang), tell the live streams of
/// the lost node's tasks and resume them, resume every task of the lost node without a second Veo start, and never run
/// more generations at Google than the cluster's budget.
/// </summary>
/// <remarks>Both cases are in one class so that they run one after the other: each starts two or three services.</remarks>
public sealed class NodeLossSpecs(ITestOutputHelper output) : IDisposable
{
    private const int Budget = 6;
    private const int Tasks = 12;

    /// <summary>The longest a status answer may take: the read ask timeout (3 s) with room for a busy machine.</summary>
    private static readonly TimeSpan LongestAnswer = TimeSpan.FromSeconds(8);

    private readonly TempFolder _data = new();

    [PostgresFact]
    public Task Should_resume_the_tasks_of_a_killed_node_on_the_other_when_two_run()
        // Two nodes cannot both survive either loss (a crash looks like a partition); keep-majority keeps the node with
        // the lowest address, so the other one is the one that may be lost.
        => KillOneNodeAsync(nodes: 2, victim: 1);

    [PostgresFact]
    public Task Should_resume_the_tasks_of_the_killed_oldest_node_which_ran_the_dispatcher_when_three_run()
        => KillOneNodeAsync(nodes: 3, victim: 0);

    private async Task KillOneNodeAsync(int nodes, int victim)
    {
        // arrange: a simulator the nodes reach as Vertex AI, one database, one video folder, and the nodes
        await using var veo = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromSeconds(6) });
        await using var database = await PostgresDatabase.CreateAsync();
        var keyFile = Path.Combine(_data.Path, "service-account.json");
        await File.WriteAllTextAsync(keyFile, veo.CreateServiceAccountKey("veo-cluster@node-loss.iam.gserviceaccount.com", "node-loss"));
        var ports = FreePorts(nodes);   // ascending: node 0 has the lowest address and is started first (the oldest)
        var services = new List<ServiceProcess>();
        try
        {
            for (var i = 0; i < nodes; i++)
            {
                services.Add(await StartNodeAsync(i, ports, veo, keyFile, database.ConnectionString));
            }

            var survivors = services.Where((_, i) => i != victim).ToList();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var ids = new List<string>();
            for (var i = 0; i < Tasks; i++)
            {
                var via = new HttpClient { BaseAddress = survivors[i % survivors.Count].BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
                using (via)
                {
                    ids.Add(await via.SubmitAsync(Api.SeedRequest(adId: 500 + i, prompt: $"node loss {i}")));
                }
            }

            // Every task followed live (Server-Sent Events) from a survivor, through the loss.
            using var streaming = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            using var streamsTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(240));
            var opened = ids.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
            var streams = ids.Select((id, i) => FollowAsync(streaming, new Uri(survivors[i % survivors.Count].BaseUrl, Api.EventsPath(id)), opened[i], streamsTimeout.Token)).ToList();
            await Task.WhenAll(opened.Select(o => o.Task)).WaitAsync(TimeSpan.FromSeconds(60));

            // act: once the budget is running at Google, kill one node
            await Eventually.True(() => veo.GetStats().OperationsStarted >= Budget, TimeSpan.FromSeconds(60), () => "the budget to fill");
            output.WriteLine($"killing node {victim} of {nodes} with {veo.GetStats().OperationsStarted} generations started");
            services[victim].Kill();
            var killedAt = Stopwatch.StartNew();

            // assert: every status answer from the survivors is 200 or a 503 with Retry-After, and quick
            var answers = new Dictionary<HttpStatusCode, int>();
            TimeSpan slowest = TimeSpan.Zero, allAnswerable = TimeSpan.Zero;
            var done = new HashSet<string>();
            var round = 0;
            while (done.Count < ids.Count)
            {
                Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(150), $"not every task ended after the node loss: {ids.Count - done.Count} left; answers {Describe(answers)}");
                var allOk = true;
                foreach (var id in ids.Where(id => !done.Contains(id)))
                {
                    var node = survivors[round++ % survivors.Count];
                    var asked = Stopwatch.StartNew();
                    using var response = await http.GetAsync(new Uri(node.BaseUrl, Api.StatusPath(id)));
                    slowest = asked.Elapsed > slowest ? asked.Elapsed : slowest;
                    answers[response.StatusCode] = answers.GetValueOrDefault(response.StatusCode) + 1;
                    Assert.True(asked.Elapsed < LongestAnswer, $"a status took {asked.Elapsed.TotalSeconds:0.0} s");
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        Assert.NotNull(response.Headers.RetryAfter);
                        allOk = false;
                        continue;
                    }

                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"status {id} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    var status = await response.ReadJsonAsync();
                    Assert.NotEqual("FAILURE", status.State());
                    if (status.State() == "SUCCESS")
                    {
                        done.Add(id);
                    }
                }

                if (allOk && allAnswerable == TimeSpan.Zero)
                {
                    allAnswerable = killedAt.Elapsed;
                }

                await Task.Delay(250);
            }

            var stats = veo.GetStats();
            output.WriteLine($"{nodes} nodes, node {victim} killed: every task answerable again after {allAnswerable.TotalSeconds:0.0} s, all {Tasks} done after {killedAt.Elapsed.TotalSeconds:0.0} s; " +
                             $"answers {Describe(answers)}; slowest {slowest.TotalMilliseconds:0} ms; started {stats.OperationsStarted}; most at Google at once {stats.MaxActive} (budget {Budget})");
            Assert.Equal(Tasks, stats.OperationsStarted);   // nothing started twice
            Assert.InRange(stats.MaxActive, 1, Budget);     // one budget for the cluster, through the loss too

            // Every live stream went on to the end; the streams of the lost node's tasks were told and resumed.
            var followed = await Task.WhenAll(streams);
            var told = followed.Count(events => events.Any(e => e.EventType == "unavailable"));
            output.WriteLine($"live streams: {followed.Length}, told of an interruption: {told}, events {followed.Sum(e => e.Count)}");
            foreach (var events in followed)
            {
                output.WriteLine("  " + string.Join(" ", events.Select(e => e.EventType == "status" ? JsonDocument.Parse(e.Data).RootElement.State()![..2] : e.EventType)));
            }

            foreach (var events in followed)
            {
                Assert.Equal("status", events[^1].EventType);
                Assert.Equal("SUCCESS", JsonDocument.Parse(events[^1].Data).RootElement.State());
                var interruption = events.FindIndex(e => e.EventType == "unavailable");
                if (interruption >= 0)
                {
                    Assert.Equal("status", events[interruption + 1].EventType);   // the current status again, not a silence
                }
            }

            if (answers.ContainsKey(HttpStatusCode.ServiceUnavailable))
            {
                Assert.True(told > 0, "some tasks could not answer while they moved, but no live stream was told");
            }

            // Any survivor serves any video (they share the folder).
            using var final = await http.GetAsync(new Uri(survivors[^1].BaseUrl, Api.StatusPath(ids[0])));
            var videoUrl = (await final.ReadJsonAsync()).GetProperty("result").GetProperty("video_url").GetString()!;
            var video = await http.GetByteArrayAsync(new Uri(survivors[0].BaseUrl, new Uri(videoUrl).PathAndQuery));
            Assert.Equal("ftyp"u8.ToArray(), video[4..8]);
        }
        catch
        {
            foreach (var (service, i) in services.Select((s, i) => (s, i)))
            {
                output.WriteLine($"---- node {i} ----\n{service.RecentOutput}");
            }

            throw;
        }
        finally
        {
            foreach (var service in services)
            {
                await service.DisposeAsync();
            }
        }
    }

    private async Task<ServiceProcess> StartNodeAsync(int index, List<int> ports, VeoSimulator veo, string keyFile, string connectionString)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_data.Path, "node" + index.ToString(CultureInfo.InvariantCulture))).FullName;
        var settings = new Dictionary<string, string>
        {
            ["Veo:Backend"] = "VertexAi",
            ["Veo:BaseUrl"] = veo.BaseUrl.ToString(),
            ["Veo:CredentialsFile"] = keyFile,
            ["Persistence:Provider"] = "PostgreSql",
            ["Persistence:ConnectionString"] = connectionString,
            ["Storage:VideosPath"] = Path.Combine(_data.Path, "videos"),
            ["Generation:MaxConcurrency"] = Budget.ToString(CultureInfo.InvariantCulture),
            ["Akka:Port"] = ports[index].ToString(CultureInfo.InvariantCulture),
            ["Akka:SeedNodes:0"] = $"akka.tcp://veo@127.0.0.1:{ports[0]}",
        };
        var service = await ServiceProcess.StartAsync(folder, settings, TimeSpan.FromSeconds(90));
        try
        {
            await service.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Reads a task's Server-Sent Events to the end (the final status closes the stream), saying when the first event came.
    /// Opening it is asked again after a 503's Retry-After, as a client does while the task cannot answer (a busy machine
    /// starting two services can take longer than the read timeout); once open, the stream itself must carry on.
    /// </summary>
    private static async Task<List<SseItem<string>>> FollowAsync(HttpClient http, Uri events, TaskCompletionSource opened, CancellationToken cancellationToken)
    {
        var response = await http.GetAsync(events, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        while (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(wait, cancellationToken);
            response = await http.GetAsync(events, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }

        using var answer = response;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var items = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            items.Add(item);
            opened.TrySetResult();
        }

        Assert.NotEmpty(items);
        return items;
    }

    private static string Describe(Dictionary<HttpStatusCode, int> answers)
        => string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{(int)a.Key}: {a.Value}"));

    private static List<int> FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).Order().ToList();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    public void Dispose() => _data.Delete();
}
