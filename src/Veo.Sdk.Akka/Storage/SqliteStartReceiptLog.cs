using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Veo.Sdk.Akka.Storage;

/// <summary>
/// The start receipts of a SQLite engine, in a database file of their own beside the journal's (<c>veo.db</c> →
/// <c>veo.db-starts</c>), written by one connection that commits every receipt waiting at that moment in one transaction.
/// </summary>
/// <remarks>
/// A receipt is the only record of a generation Veo started whose <c>Started</c> event the journal has not committed yet,
/// so the time from Veo's answer to its commit is the window in which a crash loses a task. In the journal's file a receipt
/// waited for SQLite's one write lock behind the journal's batches (tens of milliseconds under load, in busy-timeout
/// steps); in a file of its own, with a single writer, nothing waits but the commit itself. WAL with synchronous=NORMAL
/// is durable against a process crash, as the journal is.
/// </remarks>
internal sealed class SqliteStartReceiptLog : IAsyncDisposable
{
    private const string Table = "video_generation_starts";

    private readonly string _connectionString;
    private readonly Channel<Write> _writes = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    private SqliteStartReceiptLog(string path, string connectionString)
    {
        Path = path;
        _connectionString = connectionString;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The receipts' database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating when missing) the receipt file beside <paramref name="journalFile"/>, and drops receipts older than <paramref name="before"/>.</summary>
    public static SqliteStartReceiptLog Open(string journalFile, DateTimeOffset before)
    {
        var path = journalFile + "-starts";
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText =
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; " +
                $"CREATE TABLE IF NOT EXISTS {Table} (task_id TEXT NOT NULL PRIMARY KEY, operation_name TEXT NOT NULL, started_at TEXT NOT NULL) WITHOUT ROWID; " +
                $"DELETE FROM {Table} WHERE started_at < $before;";
            command.Parameters.AddWithValue("$before", AdoGenerationStore.ToIsoText(before));
            command.ExecuteNonQuery();
        }

        return new SqliteStartReceiptLog(path, connectionString);
    }

    /// <summary>Stores a receipt (the first answer for a task wins); completes once it is committed.</summary>
    public Task RecordAsync(StartReceipt receipt) => Enqueue(new Write(receipt, null));

    /// <summary>Removes a task's receipt (its generation row says everything the receipt did); completes once committed.</summary>
    public Task ForgetAsync(string taskId) => Enqueue(new Write(null, taskId));

    public async Task<StartReceipt?> FindAsync(string taskId, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = $"SELECT operation_name, started_at FROM {Table} WHERE task_id = $task_id";
                command.Parameters.AddWithValue("$task_id", taskId);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                        ? new StartReceipt(taskId, reader.GetString(0), AdoGenerationStore.FromIsoText(reader.GetString(1)))
                        : null;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private Task Enqueue(Write write)
    {
        if (!_writes.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(SqliteStartReceiptLog), "The engine's store of start receipts is closed.");
        }

        return write.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Write>();
        SqliteConnection? connection = null;
        SqliteCommand? insert = null;
        SqliteCommand? delete = null;
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
                    if (connection is null)
                    {
                        connection = new SqliteConnection(_connectionString);
                        connection.Open();
                        using (var pragmas = connection.CreateCommand())
                        {
                            pragmas.CommandText = SqliteTuning.ConnectionPragmas;
                            pragmas.ExecuteNonQuery();
                        }

                        insert = connection.CreateCommand();
                        insert.CommandText = $"INSERT INTO {Table} (task_id, operation_name, started_at) VALUES ($task_id, $operation_name, $started_at) ON CONFLICT (task_id) DO NOTHING";
                        insert.Parameters.Add("$task_id", SqliteType.Text);
                        insert.Parameters.Add("$operation_name", SqliteType.Text);
                        insert.Parameters.Add("$started_at", SqliteType.Text);
                        insert.Prepare();
                        delete = connection.CreateCommand();
                        delete.CommandText = $"DELETE FROM {Table} WHERE task_id = $task_id";
                        delete.Parameters.Add("$task_id", SqliteType.Text);
                        delete.Prepare();
                    }

                    using (var transaction = connection.BeginTransaction())
                    {
                        insert!.Transaction = transaction;
                        delete!.Transaction = transaction;
                        foreach (var write in batch)
                        {
                            if (write.Receipt is { } receipt)
                            {
                                insert.Parameters[0].Value = receipt.TaskId;
                                insert.Parameters[1].Value = receipt.OperationName;
                                insert.Parameters[2].Value = AdoGenerationStore.ToIsoText(receipt.StartedAt);
                                insert.ExecuteNonQuery();
                            }
                            else
                            {
                                delete.Parameters[0].Value = write.ForgetTaskId;
                                delete.ExecuteNonQuery();
                            }
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
                    // The callers see the fault (a receipt not stored is retried or reported by them); the next batch
                    // starts on a fresh connection.
                    foreach (var write in batch)
                    {
                        write.Done.TrySetException(ex);
                    }

                    insert?.Dispose();
                    delete?.Dispose();
                    connection?.Dispose();
                    (connection, insert, delete) = (null, null, null);
                }

                batch.Clear();
            }
        }
        finally
        {
            insert?.Dispose();
            delete?.Dispose();
            connection?.Dispose();
        }
    }

    private sealed record Write(StartReceipt? Receipt, string? ForgetTaskId)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
