using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Veo.Sdk.Akka.Storage;

/// <summary>
/// The start receipts and the open tasks of a SQLite engine, in a database file of their own beside the journal's
/// (<c>veo.db</c> → <c>veo.db-starts</c>), written by one connection that commits every write waiting at that moment in
/// one transaction.
/// </summary>
/// <remarks>
/// <para>
/// A receipt is the only record of a generation Veo started whose <c>Started</c> event the journal has not committed yet,
/// so the time from Veo's answer to its commit is the window in which a crash loses a task. In the journal's file a receipt
/// waited for SQLite's one write lock behind the journal's batches (tens of milliseconds under load, in busy-timeout
/// steps); in a file of its own, with a single writer, nothing waits but the commit itself. WAL with synchronous=NORMAL
/// is durable against a process crash, as the journal is.
/// </para>
/// <para>
/// An open task is one that is submitted and not ended: the list recovery walks to bring unfinished tasks back. It is
/// written while the submit's event is journaled, so it costs the submit no wait of its own, and removed when the task ends.
/// </para>
/// </remarks>
internal sealed class SqliteTaskLog : IAsyncDisposable
{
    private const string StartsTable = "video_generation_starts";
    private const string OpenTable = AdoGenerationStore.OpenTasksTable;

    private readonly string _connectionString;
    private readonly Channel<Write> _writes = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    private SqliteTaskLog(string path, string connectionString)
    {
        Path = path;
        _connectionString = connectionString;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The log's database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating when missing) the log file beside <paramref name="journalFile"/>, and drops receipts older than <paramref name="before"/>.</summary>
    public static SqliteTaskLog Open(string journalFile, DateTimeOffset before)
    {
        var path = journalFile + "-starts";
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText =
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; " +
                $"CREATE TABLE IF NOT EXISTS {StartsTable} (task_id TEXT NOT NULL PRIMARY KEY, operation_name TEXT NOT NULL, started_at TEXT NOT NULL) WITHOUT ROWID; " +
                $"CREATE TABLE IF NOT EXISTS {OpenTable} (task_id TEXT NOT NULL PRIMARY KEY, opened_at TEXT NOT NULL) WITHOUT ROWID; " +
                $"DELETE FROM {StartsTable} WHERE started_at < $before;";
            command.Parameters.AddWithValue("$before", AdoGenerationStore.ToIsoText(before));
            command.ExecuteNonQuery();
        }

        return new SqliteTaskLog(path, connectionString);
    }

    /// <summary>Stores a receipt (the first answer for a task wins); completes once it is committed.</summary>
    public Task RecordAsync(StartReceipt receipt) => Enqueue(new Write(WriteKind.Receipt, receipt.TaskId, receipt.OperationName, receipt.StartedAt));

    /// <summary>Removes a task's receipt (its generation row says everything the receipt did); completes once committed.</summary>
    public Task ForgetAsync(string taskId) => Enqueue(new Write(WriteKind.ForgetReceipt, taskId, null, default));

    /// <summary>Records a task as open (once; again is a no-op); completes once committed.</summary>
    public Task OpenAsync(string taskId, DateTimeOffset openedAt) => Enqueue(new Write(WriteKind.Open, taskId, null, openedAt));

    /// <summary>Removes a task from the open ones; completes once committed.</summary>
    public Task CloseAsync(string taskId) => Enqueue(new Write(WriteKind.Close, taskId, null, default));

    public async Task<StartReceipt?> FindAsync(string taskId, CancellationToken cancellationToken)
    {
        var found = await ReadAsync(
            $"SELECT operation_name, started_at FROM {StartsTable} WHERE task_id = $task_id",
            c => c.Parameters.AddWithValue("$task_id", taskId),
            r => new StartReceipt(taskId, r.GetString(0), AdoGenerationStore.FromIsoText(r.GetString(1))),
            cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>The open tasks, oldest first.</summary>
    public Task<List<string>> ListOpenAsync(CancellationToken cancellationToken)
        => ReadAsync($"SELECT task_id FROM {OpenTable} ORDER BY opened_at, task_id", _ => { }, r => r.GetString(0), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task<List<T>> ReadAsync<T>(string sql, Action<SqliteCommand> bind, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = sql;
                bind(command);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var rows = new List<T>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        rows.Add(read(reader));
                    }

                    return rows;
                }
            }
        }
    }

    private Task Enqueue(Write write)
    {
        if (!_writes.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(SqliteTaskLog), "The engine's log of start receipts and open tasks is closed.");
        }

        return write.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Write>();
        Commands? commands = null;
        try
        {
            while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_writes.Reader.TryRead(out var write))
                {
                    batch.Add(write);
                }

                try
                {
                    commands ??= Commands.Prepare(_connectionString);
                    using (var transaction = commands.Connection.BeginTransaction())
                    {
                        commands.Enlist(transaction);
                        foreach (var write in batch)
                        {
                            commands.Execute(write);
                        }

                        transaction.Commit();
                    }

                    foreach (var write in batch)
                    {
                        write.Done.TrySetResult();
                    }
                }
                catch (Exception ex) when (ex is SqliteException or InvalidOperationException or IOException)
                {
                    // The callers see the fault (a write not stored is retried or reported by them); the next batch
                    // starts on a fresh connection.
                    foreach (var write in batch)
                    {
                        write.Done.TrySetException(ex);
                    }

                    commands?.Dispose();
                    commands = null;
                }

                batch.Clear();
            }
        }
        finally
        {
            commands?.Dispose();
        }
    }

    private enum WriteKind
    {
        Receipt,
        ForgetReceipt,
        Open,
        Close,
    }

    private sealed record Write(WriteKind Kind, string TaskId, string? OperationName, DateTimeOffset At)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The writer's connection and its four prepared statements.</summary>
    private sealed class Commands : IDisposable
    {
        private readonly SqliteCommand _insertReceipt;
        private readonly SqliteCommand _deleteReceipt;
        private readonly SqliteCommand _open;
        private readonly SqliteCommand _close;

        private Commands(SqliteConnection connection)
        {
            Connection = connection;
            _insertReceipt = Prepare($"INSERT INTO {StartsTable} (task_id, operation_name, started_at) VALUES ($task_id, $operation_name, $at) ON CONFLICT (task_id) DO NOTHING", withOperation: true, withTime: true);
            _deleteReceipt = Prepare($"DELETE FROM {StartsTable} WHERE task_id = $task_id", withOperation: false, withTime: false);
            _open = Prepare($"INSERT INTO {OpenTable} (task_id, opened_at) VALUES ($task_id, $at) ON CONFLICT (task_id) DO NOTHING", withOperation: false, withTime: true);
            _close = Prepare($"DELETE FROM {OpenTable} WHERE task_id = $task_id", withOperation: false, withTime: false);
        }

        public SqliteConnection Connection { get; }

        public static Commands Prepare(string connectionString)
        {
            var connection = new SqliteConnection(connectionString);
            try
            {
                connection.Open();
                using (var pragmas = connection.CreateCommand())
                {
                    pragmas.CommandText = SqliteTuning.ConnectionPragmas;
                    pragmas.ExecuteNonQuery();
                }

                return new Commands(connection);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        public void Enlist(SqliteTransaction transaction)
        {
            _insertReceipt.Transaction = transaction;
            _deleteReceipt.Transaction = transaction;
            _open.Transaction = transaction;
            _close.Transaction = transaction;
        }

        public void Execute(Write write)
        {
            var command = write.Kind switch
            {
                WriteKind.Receipt => _insertReceipt,
                WriteKind.ForgetReceipt => _deleteReceipt,
                WriteKind.Open => _open,
                _ => _close,
            };
            command.Parameters["$task_id"].Value = write.TaskId;
            if (write.Kind == WriteKind.Receipt)
            {
                command.Parameters["$operation_name"].Value = write.OperationName;
            }

            if (write.Kind is WriteKind.Receipt or WriteKind.Open)
            {
                command.Parameters["$at"].Value = AdoGenerationStore.ToIsoText(write.At);
            }

            command.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _insertReceipt.Dispose();
            _deleteReceipt.Dispose();
            _open.Dispose();
            _close.Dispose();
            Connection.Dispose();
        }

        private SqliteCommand Prepare(string sql, bool withOperation, bool withTime)
        {
            var command = Connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.Add("$task_id", SqliteType.Text);
            if (withOperation)
            {
                command.Parameters.Add("$operation_name", SqliteType.Text);
            }

            if (withTime)
            {
                command.Parameters.Add("$at", SqliteType.Text);
            }

            command.Prepare();
            return command;
        }
    }
}
