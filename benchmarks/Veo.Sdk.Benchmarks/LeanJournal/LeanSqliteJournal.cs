using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Microsoft.Data.Sqlite;

namespace Veo.Sdk.Benchmarks.LeanJournal;

/// <summary>
/// PROTOTYPE (benchmarks only, not for src/): a lean Akka.Persistence journal straight on Microsoft.Data.Sqlite, to measure
/// what Akka.Persistence.Sql's linq2db path costs. One writer connection with prepared statements and group commit: every
/// write that arrives while a transaction is being written joins the next one, up to <c>max-batch-size</c> rows. Reads use
/// their own connections (WAL: readers never block the writer) with prepared statements; the highest sequence number of an
/// id this journal has written is answered from memory.
/// </summary>
/// <remarks>
/// Not supported (would be needed before production use): tags and Akka.Persistence.Query, a global ordering column,
/// PostgreSQL, schema migrations. Durability is WAL with synchronous=NORMAL: a committed write survives the process being
/// killed (kill -9), not a power loss, the same trade-off the engine makes with Akka.Persistence.Sql.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor ends in PostStop, which disposes the store.")]
public sealed class LeanSqliteJournal : AsyncWriteJournal
{
    /// <summary>The HOCON section of this plugin; select it with <c>akka.persistence.journal.plugin = "akka.persistence.journal.lean-sqlite"</c>.</summary>
    public const string PluginId = "akka.persistence.journal.lean-sqlite";

    private readonly LeanSqliteStore _store;
    private readonly global::Akka.Serialization.Serialization _serialization;
    private readonly ConcurrentDictionary<string, long> _highest = new(StringComparer.Ordinal);

    public LeanSqliteJournal(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _serialization = Context.System.Serialization;
        _store = new LeanSqliteStore(
            config.GetString("connection-string") ?? throw new ConfigurationException($"{PluginId}.connection-string is required."),
            config.GetInt("max-batch-size", 500),
            config.GetInt("reader-connections", 2));
    }

    /// <summary>HOCON that registers the plugin with <paramref name="connectionString"/>.</summary>
    public static string Hocon(string connectionString, int maxBatchSize = 500) => $$"""
        {{PluginId}} {
          class = "{{typeof(LeanSqliteJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
          connection-string = "{{connectionString.Replace("\"", "\\\"", StringComparison.Ordinal)}}"
          max-batch-size = {{maxBatchSize}}
          reader-connections = 2
        }
        """;

    protected override void PreStart()
    {
        base.PreStart();
        _store.Initialize();
    }

    protected override void PostStop()
    {
        _store.Dispose();
        base.PostStop();
    }

    protected override Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        var batches = new List<LeanSqliteStore.Row[]?>(writes.Count);
        Exception?[]? rejections = null;
        var now = DateTime.UtcNow.Ticks;
        for (var i = 0; i < writes.Count; i++)
        {
            try
            {
                var events = (IImmutableList<IPersistentRepresentation>)writes[i].Payload;
                var rows = new LeanSqliteStore.Row[events.Count];
                for (var j = 0; j < events.Count; j++)
                {
                    rows[j] = ToRow(events[j], now);
                }

                batches.Add(rows);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A payload that cannot be serialized is rejected (not stored); the others are written.
                (rejections ??= new Exception?[writes.Count])[i] = e;
                batches.Add(null);
            }
        }

        var pending = batches.OfType<LeanSqliteStore.Row[]>().ToArray();
        var written = pending.Length == 0 ? Task.CompletedTask : _store.WriteAsync(pending);
        return Complete(written, writes, rejections);
    }

    private async Task<IImmutableList<Exception?>> Complete(Task written, List<AtomicWrite> writes, Exception?[]? rejections)
    {
        await written.ConfigureAwait(false);
        for (var i = 0; i < writes.Count; i++)
        {
            if (rejections?[i] is null)
            {
                _highest.AddOrUpdate(writes[i].PersistenceId, writes[i].HighestSequenceNr, (_, old) => Math.Max(old, writes[i].HighestSequenceNr));
            }
        }

        return rejections is null ? null! : rejections.ToImmutableList();
    }

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) =>
        _store.DeleteToAsync(persistenceId, toSequenceNr);

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        if (_highest.TryGetValue(persistenceId, out var known))
        {
            return Task.FromResult(Math.Max(known, fromSequenceNr));
        }

        return ReadAndRemember(persistenceId, fromSequenceNr);

        async Task<long> ReadAndRemember(string id, long from)
        {
            var highest = await _store.ReadHighestAsync(id).ConfigureAwait(false);
            if (highest > 0)
            {
                _highest.AddOrUpdate(id, highest, (_, old) => Math.Max(old, highest));
            }

            return Math.Max(highest, from);
        }
    }

    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback)
    {
        if (max <= 0 || toSequenceNr < fromSequenceNr)
        {
            return Task.CompletedTask;
        }

        // An id this journal has never written and whose highest number was read as 0 has nothing to replay.
        return _store.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, row =>
        {
            var payload = _serialization.Deserialize(row.Payload, row.SerializerId, row.Manifest);
            recoveryCallback(new Persistent(payload, row.SequenceNr, persistenceId, row.Manifest, isDeleted: false, ActorRefs.NoSender, row.WriterUuid, row.Timestamp));
        });
    }

    private LeanSqliteStore.Row ToRow(IPersistentRepresentation e, long now)
    {
        var payload = e.Payload is Tagged tagged ? tagged.Payload : e.Payload;
        var serializer = _serialization.FindSerializerFor(payload);
        var bytes = global::Akka.Serialization.Serialization.WithTransport(_serialization.System, () => serializer.ToBinary(payload));
        var manifest = global::Akka.Serialization.Serialization.ManifestFor(serializer, payload);
        return new LeanSqliteStore.Row(e.PersistenceId, e.SequenceNr, e.Timestamp == 0 ? now : e.Timestamp, e.WriterGuid, manifest, serializer.Identifier, bytes);
    }
}

/// <summary>The SQLite side of <see cref="LeanSqliteJournal"/>: one writer loop with group commit, a few prepared readers.</summary>
internal sealed class LeanSqliteStore : IDisposable
{
    private readonly string _connectionString;
    private readonly int _maxBatchRows;
    private readonly Channel<WriteRequest> _writes = Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Reader> _readers;
    private readonly int _readerCount;
    private SqliteConnection? _writer;
    private SqliteCommand? _insert;
    private Task? _writerLoop;

    public LeanSqliteStore(string connectionString, int maxBatchRows, int readerCount)
    {
        _connectionString = connectionString;
        _maxBatchRows = Math.Max(1, maxBatchRows);
        _readerCount = Math.Max(1, readerCount);
        _readers = Channel.CreateBounded<Reader>(_readerCount);
    }

    public long Transactions { get; private set; }

    public long RowsWritten { get; private set; }

    public void Initialize()
    {
        _writer = Open();
        Execute(_writer, "PRAGMA journal_mode=WAL;");
        Execute(_writer, """
            CREATE TABLE IF NOT EXISTS lean_journal (
              persistence_id TEXT NOT NULL,
              sequence_nr INTEGER NOT NULL,
              timestamp INTEGER NOT NULL,
              writer_uuid TEXT,
              manifest TEXT NOT NULL,
              serializer_id INTEGER NOT NULL,
              payload BLOB NOT NULL,
              deleted INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (persistence_id, sequence_nr)
            ) WITHOUT ROWID;
            """);
        _insert = _writer.CreateCommand();
        _insert.CommandText = "INSERT INTO lean_journal (persistence_id, sequence_nr, timestamp, writer_uuid, manifest, serializer_id, payload) VALUES ($p, $s, $t, $w, $m, $z, $b)";
        foreach (var name in new[] { "$p", "$s", "$t", "$w", "$m", "$z", "$b" })
        {
            _insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        _insert.Prepare();
        for (var i = 0; i < _readerCount; i++)
        {
            _readers.Writer.TryWrite(new Reader(Open()));
        }

        _writerLoop = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public Task WriteAsync(Row[][] atomicWrites)
    {
        var request = new WriteRequest(atomicWrites);
        return _writes.Writer.TryWrite(request) ? request.Done.Task : Task.FromException(new InvalidOperationException("The journal is stopping."));
    }

    public Task<long> ReadHighestAsync(string persistenceId) => Task.Run(() => ReadHighestCoreAsync(persistenceId));

    public Task ReplayAsync(string persistenceId, long from, long to, long max, Action<Row> callback) =>
        Task.Run(() => ReplayCoreAsync(persistenceId, from, to, max, callback));

    private async Task<long> ReadHighestCoreAsync(string persistenceId)
    {
        var reader = await _readers.Reader.ReadAsync().ConfigureAwait(false);
        try
        {
            reader.Highest.Parameters[0].Value = persistenceId;
            return reader.Highest.ExecuteScalar() is long value ? value : 0;
        }
        finally
        {
            _readers.Writer.TryWrite(reader);
        }
    }

    private async Task ReplayCoreAsync(string persistenceId, long from, long to, long max, Action<Row> callback)
    {
        var reader = await _readers.Reader.ReadAsync().ConfigureAwait(false);
        try
        {
            var cmd = reader.Replay;
            cmd.Parameters[0].Value = persistenceId;
            cmd.Parameters[1].Value = from;
            cmd.Parameters[2].Value = to;
            cmd.Parameters[3].Value = max;
            using var rows = cmd.ExecuteReader();
            while (rows.Read())
            {
                callback(new Row(persistenceId, rows.GetInt64(0), rows.GetInt64(1), rows.IsDBNull(2) ? null : rows.GetString(2), rows.GetString(3), rows.GetInt32(4), (byte[])rows.GetValue(5)));
            }
        }
        finally
        {
            _readers.Writer.TryWrite(reader);
        }
    }

    public async Task DeleteToAsync(string persistenceId, long toSequenceNr)
    {
        // The highest row stays (marked deleted) so the sequence number never goes back; the rest are removed.
        await WriteAsync([]).ConfigureAwait(false); // a barrier: writes queued before the delete land first
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        using var mark = connection.CreateCommand();
        mark.Transaction = tx;
        mark.CommandText = """
            UPDATE lean_journal SET deleted = 1 WHERE persistence_id = $p AND sequence_nr <= $s;
            DELETE FROM lean_journal WHERE persistence_id = $p AND sequence_nr <= $s
              AND sequence_nr < (SELECT MAX(sequence_nr) FROM lean_journal WHERE persistence_id = $p);
            """;
        mark.Parameters.AddWithValue("$p", persistenceId);
        mark.Parameters.AddWithValue("$s", toSequenceNr);
        mark.ExecuteNonQuery();
        tx.Commit();
    }

    public void Dispose()
    {
        _writes.Writer.TryComplete();
        _writerLoop?.Wait(TimeSpan.FromSeconds(5));
        _insert?.Dispose();
        _writer?.Dispose();
        while (_readers.Reader.TryRead(out var reader))
        {
            reader.Dispose();
        }
    }

    private async Task WriteLoop()
    {
        var batch = new List<WriteRequest>();
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var rows = 0;
            while (rows < _maxBatchRows && _writes.Reader.TryRead(out var request))
            {
                batch.Add(request);
                rows += request.RowCount;
            }

            try
            {
                WriteInOneTransaction(batch);
                foreach (var request in batch)
                {
                    request.Done.TrySetResult();
                }
            }
            catch (SqliteException)
            {
                // One bad write (e.g. a sequence number written twice) must not fail its neighbours: retry each on its own.
                foreach (var request in batch)
                {
                    try
                    {
                        WriteInOneTransaction([request]);
                        request.Done.TrySetResult();
                    }
                    catch (SqliteException e)
                    {
                        request.Done.TrySetException(e);
                    }
                }
            }
        }
    }

    private void WriteInOneTransaction(IReadOnlyList<WriteRequest> requests)
    {
        var insert = _insert!;
        using var tx = _writer!.BeginTransaction(deferred: true);
        insert.Transaction = tx;
        var rows = 0;
        foreach (var request in requests)
        {
            foreach (var atomic in request.AtomicWrites)
            {
                foreach (var row in atomic)
                {
                    insert.Parameters[0].Value = row.PersistenceId;
                    insert.Parameters[1].Value = row.SequenceNr;
                    insert.Parameters[2].Value = row.Timestamp;
                    insert.Parameters[3].Value = (object?)row.WriterUuid ?? DBNull.Value;
                    insert.Parameters[4].Value = row.Manifest;
                    insert.Parameters[5].Value = row.SerializerId;
                    insert.Parameters[6].Value = row.Payload;
                    insert.ExecuteNonQuery();
                    rows++;
                }
            }
        }

        tx.Commit();
        Transactions++;
        RowsWritten += rows;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    internal sealed record Row(string PersistenceId, long SequenceNr, long Timestamp, string? WriterUuid, string Manifest, int SerializerId, byte[] Payload);

    private sealed class WriteRequest(Row[][] atomicWrites)
    {
        public Row[][] AtomicWrites { get; } = atomicWrites;

        public int RowCount { get; } = atomicWrites.Sum(a => a.Length);

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Reader : IDisposable
    {
        public Reader(SqliteConnection connection)
        {
            Connection = connection;
            Highest = connection.CreateCommand();
            Highest.CommandText = "SELECT MAX(sequence_nr) FROM lean_journal WHERE persistence_id = $p";
            Highest.Parameters.Add(new SqliteParameter { ParameterName = "$p" });
            Highest.Prepare();
            Replay = connection.CreateCommand();
            Replay.CommandText = """
                SELECT sequence_nr, timestamp, writer_uuid, manifest, serializer_id, payload FROM lean_journal
                WHERE persistence_id = $p AND sequence_nr >= $f AND sequence_nr <= $t AND deleted = 0
                ORDER BY sequence_nr LIMIT $m
                """;
            foreach (var name in new[] { "$p", "$f", "$t", "$m" })
            {
                Replay.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            Replay.Prepare();
        }

        public SqliteConnection Connection { get; }

        public SqliteCommand Highest { get; }

        public SqliteCommand Replay { get; }

        public void Dispose()
        {
            Highest.Dispose();
            Replay.Dispose();
            Connection.Dispose();
        }
    }
}
