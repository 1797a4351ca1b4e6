using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Veo.Sdk.Benchmarks.LeanJournal;
using Xunit.Abstractions;

namespace Veo.Sdk.Benchmarks.Tests;

/// <summary>The lean journal prototype keeps Akka.Persistence's contract: what was persisted comes back, in order, after a restart.</summary>
public sealed class LeanJournalSpecs : global::Akka.TestKit.Xunit2.TestKit
{
    private static readonly string DbFile = Path.Combine(Path.GetTempPath(), $"veo-lean-journal-{Guid.NewGuid():N}.db");

    public LeanJournalSpecs(ITestOutputHelper output)
        : base(Config(DbFile), output: output)
    {
    }

    [Fact]
    public void Should_replay_every_event_in_order_when_an_actor_is_recreated()
    {
        // arrange
        var first = Sys.ActorOf(Props.Create(() => new Counter("counter-1")));
        for (var i = 1; i <= 5; i++)
        {
            first.Tell(i, TestActor);
            ExpectMsg($"persisted {i}");
        }

        Watch(first);
        first.Tell(PoisonPill.Instance);
        ExpectTerminated(first);

        // act
        var second = Sys.ActorOf(Props.Create(() => new Counter("counter-1")));
        second.Tell("state", TestActor);

        // assert
        ExpectMsg("1,2,3,4,5 (last sequence number 5)");
    }

    [Fact]
    public void Should_store_writes_of_many_actors_at_once_when_they_arrive_together()
    {
        // arrange
        var actors = Enumerable.Range(0, 50).Select(i => Sys.ActorOf(Props.Create(() => new Counter($"many-{i}")))).ToList();

        // act
        foreach (var actor in actors)
        {
            actor.Tell(1, TestActor);
            actor.Tell(2, TestActor);
        }

        // assert
        ReceiveN(100, TimeSpan.FromSeconds(10));
        var again = Sys.ActorOf(Props.Create(() => new Counter("many-49")), "many-49-again");
        again.Tell("state", TestActor);
        ExpectMsg("1,2 (last sequence number 2)");
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        foreach (var file in new[] { DbFile, DbFile + "-wal", DbFile + "-shm" })
        {
            File.Delete(file);
        }
    }

    private static Config Config(string file) => ConfigurationFactory.ParseString(
        LeanSqliteJournal.Hocon($"Data Source={file}") + $"\nakka.persistence.journal.plugin = \"{LeanSqliteJournal.PluginId}\"\n"
        + "akka.persistence.snapshot-store.plugin = \"akka.persistence.snapshot-store.inmem\"");

    private sealed class Counter : ReceivePersistentActor
    {
        private readonly List<int> _seen = [];

        public Counter(string id)
        {
            PersistenceId = id;
            Recover<int>(_seen.Add);
            Command<int>(n => Persist(n, e =>
            {
                _seen.Add(e);
                Sender.Tell($"persisted {e}");
            }));
            Command<string>(_ => Sender.Tell($"{string.Join(',', _seen)} (last sequence number {LastSequenceNr})"));
        }

        public override string PersistenceId { get; }
    }
}
