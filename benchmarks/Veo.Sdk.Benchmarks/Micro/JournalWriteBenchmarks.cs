using Veo.Sdk.Akka.Hosting;
using System.Data;
using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Hosting;
using BenchmarkDotNet.Attributes;
using LinqToDB;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Serialization;
using Veo.Sdk.Akka.Storage;
using Veo.Sdk.Benchmarks.LeanJournal;
using static Veo.Sdk.Akka.Generation.VideoTaskEvents;

namespace Veo.Sdk.Benchmarks.Micro;

/// <summary>
/// The journal write path of a new task: recover an id never seen (highest sequence number + replay), then persist its
/// four lifecycle events one after the other, for 1,000 tasks at once. Akka.Persistence.Sql configured exactly as the engine
/// configures it (WAL, synchronous=NORMAL, one writer, batches of 500, read-uncommitted, the engine's binary serializer)
/// against the lean prototype journal (<see cref="LeanSqliteJournal"/>). No sharding, no Veo: the journal alone.
/// </summary>
[MemoryDiagnoser]
public class JournalWriteBenchmarks
{
    private const int Tasks = 1000;
    private IHost? _host;
    private ActorSystem? _system;
    private string _directory = "";
    private int _round;

    [Params("akka-persistence-sql", "lean")]
    public string Journal { get; set; } = "akka-persistence-sql";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "veo-bench", "journal-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_directory);
        var connectionString = $"Data Source={Path.Combine(_directory, "journal.db")}";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka("journal-bench", akka =>
        {
            akka.WithCustomSerializer(VideoTaskSerializer.Name, [typeof(IVideoTaskProtocol)], system => new VideoTaskSerializer(system));
            if (Journal == "lean")
            {
                akka.AddHocon(LeanSqliteJournal.Hocon(connectionString) + $"\nakka.persistence.journal.plugin = \"{LeanSqliteJournal.PluginId}\"", HoconAddMode.Prepend);
                return;
            }

            // Exactly the engine's journal settings, so the benchmark measures what users run.
            akka.WithVeoPersistence(new VeoPersistenceOptions { Provider = VeoPersistenceProvider.Sqlite, ConnectionString = connectionString });
        });
        _host = builder.Build();
        _host.Start();
        _system = _host.Services.GetRequiredService<ActorSystem>();
        WriteTasks(); // creates the tables and warms the path up
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host?.StopAsync().Wait(TimeSpan.FromSeconds(30));
        _host?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    [Benchmark(OperationsPerInvoke = Tasks, Description = "per task: recover a new id, persist 4 events")]
    public void WriteTasks()
    {
        var round = Interlocked.Increment(ref _round);
        var done = new CountdownEvent(Tasks);
        for (var i = 0; i < Tasks; i++)
        {
            var id = VideoTaskId.Parse(string.Create(CultureInfo.InvariantCulture, $"j{round}-{i:D5}"));
            _system!.ActorOf(Props.Create<TaskJournalActor>(id, done));
        }

        if (!done.Wait(TimeSpan.FromMinutes(2)))
        {
            throw new TimeoutException($"{done.CurrentCount} of {Tasks} tasks did not finish persisting within 2 minutes.");
        }
    }

    /// <summary>Persists a task's four events in order, then stops (what a task's actor does to the journal).</summary>
    private sealed class TaskJournalActor : ReceivePersistentActor
    {
        public TaskJournalActor(VideoTaskId id, CountdownEvent done)
        {
            PersistenceId = "task-" + id.Value;
            var t0 = EngineSamples.T0;
            IVideoTaskEvent[] events =
            [
                new Submitted(id, EngineSamples.Request with { TaskId = id.Value }, t0),
                new StartRequested(id, 1, false, t0.AddSeconds(1)),
                new Started(id, "models/veo-3.1-fast-generate-preview/operations/" + id.Value, t0.AddSeconds(1.05)),
                new Succeeded(id, 4711, id.Value + ".mp4", 97119, 43.2, t0.AddSeconds(44)),
            ];
            var next = 0;
            Recover<IVideoTaskEvent>(_ => { });
            Command<string>(_ => PersistNext());
            void PersistNext() => Persist(events[next], _ =>
            {
                if (++next < events.Length)
                {
                    PersistNext();
                }
                else
                {
                    done.Signal();
                    Context.Stop(Self);
                }
            });
            Self.Tell("go");
        }

        public override string PersistenceId { get; }

        // As the engine's task actor: no snapshot read on recovery.
        public override Recovery Recovery => new(SnapshotSelectionCriteria.None);
    }
}
