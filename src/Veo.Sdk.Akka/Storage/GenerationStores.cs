using System.Data.Common;
using System.Globalization;

namespace Veo.Sdk.Akka.Storage;

/// <summary>A generation row to write; <see cref="GenerationRecord"/> without the database's id.</summary>
internal sealed record NewGeneration(
    string TaskId,
    long? AdId,
    string Prompt,
    string? ModelKey,
    string Model,
    long? Seed,
    string? AspectRatio,
    string VideoLocation,
    long SizeBytes,
    double GenerationTimeSeconds,
    string? OperationName,
    DateTimeOffset CreatedAt,
    DateTimeOffset CompletedAt);

/// <summary>
/// Veo's answer to a start call, written the moment it arrives on a path that does not queue behind the journal, so a
/// crash before the journal has stored the operation name does not leave the task's start indeterminate.
/// </summary>
/// <param name="TaskId">The task that asked Veo to start.</param>
/// <param name="OperationName">The operation Veo named.</param>
/// <param name="StartedAt">When Veo answered.</param>
internal sealed record StartReceipt(string TaskId, string OperationName, DateTimeOffset StartedAt);

/// <summary>The engine's write side of the generation table, and the start receipts beside it.</summary>
internal interface IGenerationRecorder : IGenerationStore
{
    /// <summary>Stores Veo's answer to a start call (first answer wins); removed again when the task's generation row is written.</summary>
    Task RecordStartAsync(StartReceipt receipt, CancellationToken cancellationToken = default);

    /// <summary>The start receipt of a task, if Veo's answer was stored and the task has not finished since.</summary>
    Task<StartReceipt?> FindStartAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a task as open (submitted, not ended) so that recovery finds it; again for the same task is a no-op.
    /// Completes once durable.
    /// </summary>
    Task OpenTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Removes a task from the open ones (it ended, or it never was stored); completes once durable.</summary>
    Task CloseTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>The open tasks' ids, oldest first: what recovery brings back after a restart or a node loss.</summary>
    Task<IReadOnlyList<string>> ListOpenTasksAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates the table and its indexes when missing; safe to call any number of times, from several nodes.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the row for a task unless one exists (the task id is unique), and returns the stored row either way: a task
    /// that crashed after writing and before journaling its success gets its first row back, never a second one.
    /// </summary>
    Task<GenerationRecord> InsertOrGetAsync(NewGeneration generation, CancellationToken cancellationToken = default);
}

/// <summary>The generation table over plain ADO.NET; subclasses supply the connection and the dialect's DDL.</summary>
internal abstract class AdoGenerationStore : IGenerationRecorder, IDisposable
{
    protected const string Table = "video_generations";

    private const string Columns =
        "generation_id, task_id, ad_id, prompt, model_key, model, seed, aspect_ratio, video_location, size_bytes, " +
        "generation_time_seconds, operation_name, created_at, completed_at";

    protected const string StartsTable = "video_generation_starts";

    /// <summary>The tasks submitted and not ended (recovery walks it; Akka's remember-entities is not used).</summary>
    internal const string OpenTasksTable = "video_generation_open_tasks";

    /// <summary>How long a start receipt is kept at most: Gemini keeps an operation about two days, so an older one could not be resumed anyway.</summary>
    protected static readonly TimeSpan StartReceiptRetention = TimeSpan.FromDays(2);

    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    protected abstract IReadOnlyList<string> SchemaStatements { get; }

    protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Converts a timestamp to the provider's parameter value.</summary>
    protected abstract object ToDb(DateTimeOffset value);

    protected abstract DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal);

    /// <summary>Whether an exception from the DDL means another node created the same object at the same time.</summary>
    protected virtual bool IsConcurrentCreate(DbException exception) => false;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_initialized)
        {
            return;
        }

        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                foreach (var statement in SchemaStatements)
                {
                    var command = connection.CreateCommand();
                    await using (command.ConfigureAwait(false))
                    {
                        command.CommandText = statement;
                        try
                        {
                            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }
                        catch (DbException ex) when (IsConcurrentCreate(ex))
                        {
                            // Another node created it between our "IF NOT EXISTS" check and the create: the table is there.
                        }
                    }
                }

                await ExecuteAsync(
                    connection,
                    $"DELETE FROM {StartsTable} WHERE started_at < @before",
                    c => Add(c, "before", ToDb(DateTimeOffset.UtcNow - StartReceiptRetention)),
                    cancellationToken).ConfigureAwait(false);
            }

            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    public async Task<GenerationRecord> InsertOrGetAsync(NewGeneration generation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generation);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await ExecuteAsync(
                connection,
                $"INSERT INTO {Table} (task_id, ad_id, prompt, model_key, model, seed, aspect_ratio, video_location, size_bytes, " +
                "generation_time_seconds, operation_name, created_at, completed_at) VALUES " +
                "(@task_id, @ad_id, @prompt, @model_key, @model, @seed, @aspect_ratio, @video_location, @size_bytes, " +
                "@generation_time_seconds, @operation_name, @created_at, @completed_at) ON CONFLICT (task_id) DO NOTHING",
                insert =>
                {
                    Add(insert, "task_id", generation.TaskId);
                    Add(insert, "ad_id", generation.AdId);
                    Add(insert, "prompt", generation.Prompt);
                    Add(insert, "model_key", generation.ModelKey);
                    Add(insert, "model", generation.Model);
                    Add(insert, "seed", generation.Seed);
                    Add(insert, "aspect_ratio", generation.AspectRatio);
                    Add(insert, "video_location", generation.VideoLocation);
                    Add(insert, "size_bytes", generation.SizeBytes);
                    Add(insert, "generation_time_seconds", generation.GenerationTimeSeconds);
                    Add(insert, "operation_name", generation.OperationName);
                    Add(insert, "created_at", ToDb(generation.CreatedAt));
                    Add(insert, "completed_at", ToDb(generation.CompletedAt));
                },
                cancellationToken).ConfigureAwait(false);

            // The row now says everything the receipt did; a receipt left behind would only be pruned days later.
            await ExecuteAsync(connection, $"DELETE FROM {StartsTable} WHERE task_id = @task_id", c => Add(c, "task_id", generation.TaskId), cancellationToken).ConfigureAwait(false);
            await ForgetStartAsync(generation.TaskId).ConfigureAwait(false);

            var rows = await QueryAsync(connection, $"SELECT {Columns} FROM {Table} WHERE task_id = @task_id", c => Add(c, "task_id", generation.TaskId), ReadGeneration, cancellationToken).ConfigureAwait(false);
            return rows.Count == 1
                ? rows[0]
                : throw new InvalidOperationException($"The generation row of task {generation.TaskId} was neither written nor found.");
        }
    }

    /// <summary>Removes a task's receipt from wherever else the store keeps receipts (nothing to do when they share the table).</summary>
    protected virtual Task ForgetStartAsync(string taskId) => Task.CompletedTask;

    public virtual async Task RecordStartAsync(StartReceipt receipt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await ExecuteAsync(
                connection,
                $"INSERT INTO {StartsTable} (task_id, operation_name, started_at) VALUES (@task_id, @operation_name, @started_at) ON CONFLICT (task_id) DO NOTHING",
                c =>
                {
                    Add(c, "task_id", receipt.TaskId);
                    Add(c, "operation_name", receipt.OperationName);
                    Add(c, "started_at", ToDb(receipt.StartedAt));
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    public virtual async Task<StartReceipt?> FindStartAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        return (await QueryAsync(
                $"SELECT operation_name, started_at FROM {StartsTable} WHERE task_id = @task_id",
                c => Add(c, "task_id", taskId),
                reader => new StartReceipt(taskId, reader.GetString(0), ReadTimestamp(reader, 1)),
                cancellationToken).ConfigureAwait(false))
            .FirstOrDefault();
    }

    public virtual async Task OpenTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await ExecuteAsync(
                connection,
                $"INSERT INTO {OpenTasksTable} (task_id, opened_at) VALUES (@task_id, @opened_at) ON CONFLICT (task_id) DO NOTHING",
                c =>
                {
                    Add(c, "task_id", taskId);
                    Add(c, "opened_at", ToDb(DateTimeOffset.UtcNow));
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    public virtual async Task CloseTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await ExecuteAsync(connection, $"DELETE FROM {OpenTasksTable} WHERE task_id = @task_id", c => Add(c, "task_id", taskId), cancellationToken).ConfigureAwait(false);
        }
    }

    public virtual async Task<IReadOnlyList<string>> ListOpenTasksAsync(CancellationToken cancellationToken = default)
        => await QueryAsync($"SELECT task_id FROM {OpenTasksTable} ORDER BY opened_at, task_id", _ => { }, r => r.GetString(0), cancellationToken).ConfigureAwait(false);

    public async Task<GenerationRecord?> GetAsync(long generationId, CancellationToken cancellationToken = default)
        => (await QueryAsync($"SELECT {Columns} FROM {Table} WHERE generation_id = @id", c => Add(c, "id", generationId), ReadGeneration, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault();

    public async Task<GenerationRecord?> GetByTaskIdAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        return (await QueryAsync($"SELECT {Columns} FROM {Table} WHERE task_id = @task_id", c => Add(c, "task_id", taskId), ReadGeneration, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault();
    }

    public async Task<IReadOnlyList<GenerationRecord>> ListByAdAsync(long adId, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return await QueryAsync(
            $"SELECT {Columns} FROM {Table} WHERE ad_id = @ad_id ORDER BY generation_id DESC LIMIT @limit",
            c =>
            {
                Add(c, "ad_id", adId);
                Add(c, "limit", limit);
            },
            ReadGeneration,
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            bind(command);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<T>> QueryAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await QueryAsync(connection, sql, bind, read, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<List<T>> QueryAsync<T>(DbConnection connection, string sql, Action<DbCommand> bind, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
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

    /// <summary>Reads a row selected with <see cref="Columns"/>.</summary>
    private GenerationRecord ReadGeneration(DbDataReader reader) => new()
    {
        GenerationId = reader.GetInt64(0),
        TaskId = reader.GetString(1),
        AdId = reader.IsDBNull(2) ? null : reader.GetInt64(2),
        Prompt = reader.GetString(3),
        ModelKey = reader.IsDBNull(4) ? null : reader.GetString(4),
        Model = reader.GetString(5),
        Seed = reader.IsDBNull(6) ? null : reader.GetInt64(6),
        AspectRatio = reader.IsDBNull(7) ? null : reader.GetString(7),
        VideoLocation = reader.GetString(8),
        SizeBytes = reader.GetInt64(9),
        GenerationTimeSeconds = reader.GetDouble(10),
        OperationName = reader.IsDBNull(11) ? null : reader.GetString(11),
        CreatedAt = ReadTimestamp(reader, 12),
        CompletedAt = ReadTimestamp(reader, 13),
    };

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _initLock.Dispose();
        }
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Timestamps are stored as ISO 8601 text in UTC where the database has no timestamp type.</summary>
    internal static string ToIsoText(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    internal static DateTimeOffset FromIsoText(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
