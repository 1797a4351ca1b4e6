using Veo.Sdk.Akka.Storage;
using Veo.Sdk.Akka.Tests.Support;

namespace Veo.Sdk.Akka.Tests;

/// <summary>The generation table on both providers: insert-or-get by task id, reads, and the folder video store.</summary>
public sealed class StoreTests
{
    private static NewGeneration Generation(string taskId, long? adId = 5, DateTimeOffset? completed = null) => new(
        taskId,
        adId,
        "a prompt with 'quotes'; DROP TABLE x; --",
        "veo_3_1_t2v_portrait",
        VeoModels.Veo31,
        4_294_967_295,
        "9:16",
        taskId + ".mp4",
        1_048_576,
        12.345,
        "models/veo/operations/abc",
        new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.FromHours(1)),
        completed ?? new DateTimeOffset(2026, 11, 26, 9, 0, 30, TimeSpan.Zero));

    [Fact]
    public async Task Sqlite_writes_a_generation_once_per_task()
    {
        using var folder = new TempFolder();
        using var store = new SqliteGenerationStore($"Data Source={folder.Combine("veo.db")}");
        await VerifyAsync(store);
    }

    [PostgresFact]
    public async Task PostgreSql_writes_a_generation_once_per_task()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        using var store = new PostgreSqlGenerationStore(database.ConnectionString);
        await VerifyAsync(store);
    }

    [Fact]
    public async Task Sqlite_keeps_start_receipts_until_the_generation_is_written()
    {
        using var folder = new TempFolder();
        var connectionString = $"Data Source={folder.Combine("veo.db")}";
        await VerifyReceiptsAsync(() => new SqliteGenerationStore(connectionString));
    }

    [Fact]
    public async Task Sqlite_commits_receipts_in_a_file_of_their_own_in_batches_and_still_finds_those_an_earlier_version_left_in_the_journals_file()
    {
        using var folder = new TempFolder();
        var file = folder.Combine("veo.db");
        var connectionString = $"Data Source={file}";
        var now = DateTimeOffset.UtcNow;

        // A receipt as the previous version wrote it: in the journal's file.
        using (var store = new SqliteGenerationStore(connectionString))
        {
            await store.InitializeAsync();
        }

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO video_generation_starts (task_id, operation_name, started_at) VALUES ('task-legacy', 'models/veo/operations/legacy', $at)";
            insert.Parameters.AddWithValue("$at", now.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            await insert.ExecuteNonQueryAsync();
        }

        using (var store = new SqliteGenerationStore(connectionString))
        {
            // 300 receipts at once: the single writer commits them in a few transactions, and each call returns once its own is durable.
            await Task.WhenAll(Enumerable.Range(0, 300).Select(i => store.RecordStartAsync(new StartReceipt($"task-{i}", $"models/veo/operations/{i}", now))));
            Assert.True(File.Exists(file + "-starts"));
            Assert.Equal("models/veo/operations/legacy", (await store.FindStartAsync("task-legacy"))!.OperationName);
        }

        // A new process finds every one of them.
        using (var store = new SqliteGenerationStore(connectionString))
        {
            for (var i = 0; i < 300; i += 37)
            {
                Assert.Equal($"models/veo/operations/{i}", (await store.FindStartAsync($"task-{i}"))!.OperationName);
            }

            await store.InsertOrGetAsync(new NewGeneration("task-37", null, "p", null, "m", null, null, "task-37.mp4", 1, 1, "models/veo/operations/37", now, now));
            await store.InsertOrGetAsync(new NewGeneration("task-legacy", null, "p", null, "m", null, null, "task-legacy.mp4", 1, 1, "models/veo/operations/legacy", now, now));
            Assert.Null(await store.FindStartAsync("task-37"));
            Assert.Null(await store.FindStartAsync("task-legacy"));
        }
    }

    [PostgresFact]
    public async Task PostgreSql_keeps_start_receipts_until_the_generation_is_written()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await VerifyReceiptsAsync(() => new PostgreSqlGenerationStore(database.ConnectionString));
    }

    private static async Task VerifyReceiptsAsync(Func<AdoGenerationStore> open)
    {
        var now = DateTimeOffset.UtcNow;
        var threeDaysAgo = now - TimeSpan.FromDays(3);
        using (var store = open())
        {
            Assert.Null(await store.FindStartAsync("task-r"));
            await store.RecordStartAsync(new StartReceipt("task-r", "models/veo/operations/first", now));
            await store.RecordStartAsync(new StartReceipt("task-r", "models/veo/operations/second", now + TimeSpan.FromSeconds(1)));
            var receipt = await store.FindStartAsync("task-r");
            Assert.Equal("models/veo/operations/first", receipt!.OperationName);   // the first answer wins
            Assert.Equal(now.UtcTicks / 10, receipt.StartedAt.UtcTicks / 10);        // PostgreSQL keeps microseconds

            await store.RecordStartAsync(new StartReceipt("task-old", "models/veo/operations/old", threeDaysAgo));
            await store.RecordStartAsync(new StartReceipt("task-other", "models/veo/operations/other", now));

            await store.InsertOrGetAsync(Generation("task-r"));
            Assert.Null(await store.FindStartAsync("task-r"));
            Assert.NotNull(await store.FindStartAsync("task-other"));
            Assert.NotNull(await store.FindStartAsync("task-old"));
        }

        // A node starting later prunes receipts older than an operation can be resumed (about two days).
        using (var store = open())
        {
            await store.InitializeAsync();
            Assert.Null(await store.FindStartAsync("task-old"));
            Assert.NotNull(await store.FindStartAsync("task-other"));
        }
    }

    private static async Task VerifyAsync(IGenerationRecorder store)
    {
        await store.InitializeAsync();
        await store.InitializeAsync();   // idempotent

        var first = await store.InsertOrGetAsync(Generation("task-a"));
        Assert.True(first.GenerationId > 0);
        Assert.Equal("task-a", first.TaskId);
        Assert.Equal("a prompt with 'quotes'; DROP TABLE x; --", first.Prompt);
        Assert.Equal(4_294_967_295, first.Seed);
        Assert.Equal(12.345, first.GenerationTimeSeconds);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero), first.CreatedAt);
        Assert.Equal(TimeSpan.Zero, first.CreatedAt.Offset);

        // A retry after a crash (different values, same task) gets the first row back and writes nothing.
        var again = await store.InsertOrGetAsync(Generation("task-a", adId: 99) with { SizeBytes = 1 });
        Assert.Equal(first, again);

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.InsertOrGetAsync(Generation("task-b"))));
        Assert.Single(concurrent.Select(g => g.GenerationId).Distinct());
        Assert.NotEqual(first.GenerationId, concurrent[0].GenerationId);

        var third = await store.InsertOrGetAsync(Generation("task-c", adId: null));
        Assert.Null(third.AdId);

        Assert.Equal(first, await store.GetAsync(first.GenerationId));
        Assert.Equal(first, await store.GetByTaskIdAsync("task-a"));
        Assert.Null(await store.GetAsync(-1));
        Assert.Null(await store.GetByTaskIdAsync("nope"));
        Assert.Equal(["task-b", "task-a"], (await store.ListByAdAsync(5)).Select(g => g.TaskId));
        Assert.Equal(["task-b"], (await store.ListByAdAsync(5, limit: 1)).Select(g => g.TaskId));
        Assert.Empty(await store.ListByAdAsync(12345));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListByAdAsync(5, limit: 0));

        // Open tasks: recorded once each, listed oldest first, closed once they end.
        Assert.Empty(await store.ListOpenTasksAsync());
        await store.OpenTaskAsync("open-1");
        await Task.Delay(5);   // a later opened_at
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.OpenTaskAsync("open-2")));
        await store.OpenTaskAsync("open-1");   // again: a no-op that keeps its place
        Assert.Equal(["open-1", "open-2"], await store.ListOpenTasksAsync());
        await store.CloseTaskAsync("open-1");
        await store.CloseTaskAsync("open-1");   // already closed: nothing happens
        Assert.Equal(["open-2"], await store.ListOpenTasksAsync());
    }

    [Fact]
    public async Task The_folder_store_serves_files_by_location_and_refuses_paths_outside_it()
    {
        using var folder = new TempFolder();
        var store = new FolderVideoStore(folder.Combine("videos"));
        Assert.True(Directory.Exists(store.Folder));
        Assert.Equal("abc.mp4", FolderVideoStore.LocationFor("abc"));
        await File.WriteAllBytesAsync(store.PathFor("abc.mp4"), [1, 2, 3]);

        await using (var stream = await store.OpenReadAsync("abc.mp4"))
        {
            Assert.NotNull(stream);
            Assert.True(stream.CanSeek);
            Assert.Equal(3, stream.Length);
        }

        Assert.Null(await store.OpenReadAsync("missing.mp4"));
        foreach (var bad in new[] { "../veo.db", "/etc/passwd", "sub/abc.mp4", "..", "a\\b.mp4" })
        {
            await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(bad));
        }

        await store.DeleteAsync("abc.mp4");
        await store.DeleteAsync("abc.mp4");   // already gone: nothing happens
        Assert.Null(await store.OpenReadAsync("abc.mp4"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync("../veo.db"));
    }
}
