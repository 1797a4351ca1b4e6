using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Veo.Sdk.Akka.Storage;

/// <summary>
/// The generation table in the engine's SQLite file (the same file as the journal), and the start receipts and open tasks
/// in a file of their own beside it (<see cref="SqliteTaskLog"/>). Receipts an earlier version left in the journal's file
/// are still found there and pruned as before.
/// </summary>
internal sealed class SqliteGenerationStore(string connectionString) : AdoGenerationStore
{
    private readonly Lazy<SqliteTaskLog?> _receipts = new(() => SqliteTuning.DatabaseFile(connectionString) is { } file
        ? SqliteTaskLog.Open(file, DateTimeOffset.UtcNow - StartReceiptRetention)
        : null);

    public override async Task RecordStartAsync(StartReceipt receipt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        if (_receipts.Value is { } log)
        {
            await log.RecordAsync(receipt).WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await base.RecordStartAsync(receipt, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<StartReceipt?> FindStartAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        return (_receipts.Value is { } log ? await log.FindAsync(taskId, cancellationToken).ConfigureAwait(false) : null)
            ?? await base.FindStartAsync(taskId, cancellationToken).ConfigureAwait(false);
    }

    protected override Task ForgetStartAsync(string taskId) => _receipts.Value?.ForgetAsync(taskId) ?? Task.CompletedTask;

    public override async Task OpenTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        if (_receipts.Value is { } log)
        {
            await log.OpenAsync(taskId, DateTimeOffset.UtcNow).WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await base.OpenTaskAsync(taskId, cancellationToken).ConfigureAwait(false);
    }

    public override async Task CloseTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        if (_receipts.Value is { } log)
        {
            await log.CloseAsync(taskId).WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await base.CloseTaskAsync(taskId, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<IReadOnlyList<string>> ListOpenTasksAsync(CancellationToken cancellationToken = default)
        => _receipts.Value is { } log
            ? await log.ListOpenAsync(cancellationToken).ConfigureAwait(false)
            : await base.ListOpenTasksAsync(cancellationToken).ConfigureAwait(false);

    protected override void Dispose(bool disposing)
    {
        if (disposing && _receipts.IsValueCreated && _receipts.Value is { } log)
        {
            log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    protected override IReadOnlyList<string> SchemaStatements { get; } =
    [
        $"""
        CREATE TABLE IF NOT EXISTS {Table} (
            generation_id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_id TEXT NOT NULL UNIQUE,
            ad_id INTEGER NULL,
            prompt TEXT NOT NULL,
            model_key TEXT NULL,
            model TEXT NOT NULL,
            seed INTEGER NULL,
            aspect_ratio TEXT NULL,
            video_location TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            generation_time_seconds REAL NOT NULL,
            operation_name TEXT NULL,
            created_at TEXT NOT NULL,
            completed_at TEXT NOT NULL)
        """,
        $"CREATE INDEX IF NOT EXISTS ix_{Table}_ad_id ON {Table} (ad_id, generation_id DESC)",
        $"CREATE TABLE IF NOT EXISTS {StartsTable} (task_id TEXT NOT NULL PRIMARY KEY, operation_name TEXT NOT NULL, started_at TEXT NOT NULL) WITHOUT ROWID",
        $"CREATE TABLE IF NOT EXISTS {OpenTasksTable} (task_id TEXT NOT NULL PRIMARY KEY, opened_at TEXT NOT NULL) WITHOUT ROWID",
    ];

    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await SqliteTuning.ApplyConnectionPragmasAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override object ToDb(DateTimeOffset value) => ToIsoText(value);

    protected override DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) => FromIsoText(reader.GetString(ordinal));
}

/// <summary>The SQLite settings that measured fastest for the journal's write pattern (WAL, synchronous=NORMAL), shared by the journal and the generation table.</summary>
internal static class SqliteTuning
{
    /// <summary>
    /// Per connection: WAL makes NORMAL durable against process crashes (only an OS crash can lose the last commits). The
    /// journal, the generation rows and the start receipts share the file's one write lock: with a busy timeout SQLite
    /// waits for it in steps of a few milliseconds, instead of failing at once into Microsoft.Data.Sqlite's coarser retry.
    /// </summary>
    public const string ConnectionPragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";

    public static async Task ApplyConnectionPragmasAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = ConnectionPragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public static void ApplyConnectionPragmas(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = ConnectionPragmas;
        command.ExecuteNonQuery();
    }

    /// <summary>The full path of the database file, or <see langword="null"/> for an in-memory database.</summary>
    public static string? DatabaseFile(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        return string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory
            ? null
            : Path.GetFullPath(builder.DataSource);
    }

    /// <summary>
    /// Prepares the database file before the actor system starts: creates its folder and switches it to WAL (a property of
    /// the file that sticks, so once is enough; in WAL, readers no longer block the single writer).
    /// </summary>
    /// <returns>The full path of the database file, or <see langword="null"/> for an in-memory database.</returns>
    public static string? PrepareDatabaseFile(string connectionString)
    {
        if (DatabaseFile(connectionString) is not { } path)
        {
            return null;
        }

        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
        return path;
    }
}
