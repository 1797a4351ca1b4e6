using Microsoft.Extensions.Options;
using Veo.Sdk.Akka.Hosting;

namespace ReferenceService.Generation;

/// <summary>A batch: its tasks in request order.</summary>
public sealed record BatchRecord(string BatchId, DateTimeOffset CreatedAt, IReadOnlyList<string> TaskIds);

/// <summary>
/// Keeps batch membership in two small tables of the engine's own database (SQLite or PostgreSQL), so a batch survives
/// restarts exactly as long as its tasks do. Tasks themselves live in the engine; only the grouping lives here.
/// </summary>
public sealed class BatchStore : IDisposable
{
    private readonly ServiceDatabase _database;

    public BatchStore(IOptions<VeoPersistenceOptions> persistence)
    {
        _database = new ServiceDatabase(persistence.Value, """
            CREATE TABLE IF NOT EXISTS veo_service_batches (
                batch_id VARCHAR(64) NOT NULL PRIMARY KEY,
                created_at_ms BIGINT NOT NULL,
                task_count INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS veo_service_batch_tasks (
                batch_id VARCHAR(64) NOT NULL,
                position INTEGER NOT NULL,
                task_id VARCHAR(100) NOT NULL,
                PRIMARY KEY (batch_id, position));
            """);
    }

    /// <summary>Records a batch; recording the same batch again changes nothing (a retried batch submit).</summary>
    public async Task SaveAsync(BatchRecord batch, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var insertBatch = connection.CreateCommand())
        {
            insertBatch.Transaction = transaction;
            insertBatch.CommandText =
                "INSERT INTO veo_service_batches (batch_id, created_at_ms, task_count) VALUES (@batch_id, @created_at_ms, @task_count) ON CONFLICT (batch_id) DO NOTHING";
            ServiceDatabase.AddParameter(insertBatch, "batch_id", batch.BatchId);
            ServiceDatabase.AddParameter(insertBatch, "created_at_ms", batch.CreatedAt.ToUnixTimeMilliseconds());
            ServiceDatabase.AddParameter(insertBatch, "task_count", batch.TaskIds.Count);
            if (await insertBatch.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return;
            }
        }

        for (var position = 0; position < batch.TaskIds.Count; position++)
        {
            await using var insertTask = connection.CreateCommand();
            insertTask.Transaction = transaction;
            insertTask.CommandText = "INSERT INTO veo_service_batch_tasks (batch_id, position, task_id) VALUES (@batch_id, @position, @task_id)";
            ServiceDatabase.AddParameter(insertTask, "batch_id", batch.BatchId);
            ServiceDatabase.AddParameter(insertTask, "position", position);
            ServiceDatabase.AddParameter(insertTask, "task_id", batch.TaskIds[position]);
            await insertTask.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Reads a batch.</summary>
    /// <returns>The batch, or <see langword="null"/> when there is none with that id.</returns>
    public async Task<BatchRecord?> GetAsync(string batchId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);

        DateTimeOffset createdAt;
        await using (var readBatch = connection.CreateCommand())
        {
            readBatch.CommandText = "SELECT created_at_ms FROM veo_service_batches WHERE batch_id = @batch_id";
            ServiceDatabase.AddParameter(readBatch, "batch_id", batchId);
            if (await readBatch.ExecuteScalarAsync(cancellationToken) is not { } value || value is DBNull)
            {
                return null;
            }

            createdAt = DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
        }

        var taskIds = new List<string>();
        await using var readTasks = connection.CreateCommand();
        readTasks.CommandText = "SELECT task_id FROM veo_service_batch_tasks WHERE batch_id = @batch_id ORDER BY position";
        ServiceDatabase.AddParameter(readTasks, "batch_id", batchId);
        await using var reader = await readTasks.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            taskIds.Add(reader.GetString(0));
        }

        return new BatchRecord(batchId, createdAt, taskIds);
    }

    public void Dispose() => _database.Dispose();
}
