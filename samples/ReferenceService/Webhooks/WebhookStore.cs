using System.Data.Common;
using Microsoft.Extensions.Options;
using ReferenceService.Generation;
using Veo.Sdk.Akka.Hosting;

namespace ReferenceService.Webhooks;

/// <summary>A task whose final state is to be called back.</summary>
public sealed record WebhookSubscription(string TaskId, string Url, string Caller, string BaseUrl);

/// <summary>A callback to send: what, where, and how often it was tried.</summary>
public sealed record WebhookDelivery(string WebhookId, string TaskId, string Url, string Caller, string Payload, int Attempts);

/// <summary>
/// The outbox of callbacks, in the service's tables of the engine's database: subscriptions written before the task is
/// submitted, deliveries written before the first attempt, so a restart or a crash at any point delivers afterwards.
/// </summary>
public sealed class WebhookStore : IDisposable
{
    private readonly ServiceDatabase _database;

    public WebhookStore(IOptions<VeoPersistenceOptions> persistence)
    {
        _database = new ServiceDatabase(persistence.Value, """
            CREATE TABLE IF NOT EXISTS veo_service_webhook_subscriptions (
                task_id VARCHAR(100) NOT NULL PRIMARY KEY,
                url VARCHAR(2048) NOT NULL,
                caller VARCHAR(200) NOT NULL,
                base_url VARCHAR(2048) NOT NULL);
            CREATE TABLE IF NOT EXISTS veo_service_webhook_deliveries (
                webhook_id VARCHAR(200) NOT NULL PRIMARY KEY,
                task_id VARCHAR(100) NOT NULL,
                url VARCHAR(2048) NOT NULL,
                caller VARCHAR(200) NOT NULL,
                payload TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt_at BIGINT NOT NULL,
                state VARCHAR(16) NOT NULL,
                last_error VARCHAR(500) NULL);
            CREATE INDEX IF NOT EXISTS ix_veo_service_webhook_deliveries_due ON veo_service_webhook_deliveries (state, next_attempt_at);
            """);
    }

    /// <summary>Records a subscription; a retried submit keeps the first one.</summary>
    public async Task SubscribeAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO veo_service_webhook_subscriptions (task_id, url, caller, base_url) VALUES (@task, @url, @caller, @base) ON CONFLICT (task_id) DO NOTHING";
        ServiceDatabase.AddParameter(command, "task", subscription.TaskId);
        ServiceDatabase.AddParameter(command, "url", subscription.Url);
        ServiceDatabase.AddParameter(command, "caller", subscription.Caller);
        ServiceDatabase.AddParameter(command, "base", subscription.BaseUrl);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Forgets a subscription (its task was never submitted, or its delivery is queued).</summary>
    public async Task UnsubscribeAsync(string taskId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM veo_service_webhook_subscriptions WHERE task_id = @task";
        ServiceDatabase.AddParameter(command, "task", taskId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Every task still waiting for its final state.</summary>
    public async Task<IReadOnlyList<WebhookSubscription>> SubscriptionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT task_id, url, caller, base_url FROM veo_service_webhook_subscriptions";
        var subscriptions = new List<WebhookSubscription>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            subscriptions.Add(new WebhookSubscription(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        return subscriptions;
    }

    /// <summary>Queues a delivery and drops its subscription in one transaction; the same webhook id is queued once.</summary>
    public async Task EnqueueAsync(WebhookDelivery delivery, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = Command(connection, transaction, """
            INSERT INTO veo_service_webhook_deliveries (webhook_id, task_id, url, caller, payload, attempts, next_attempt_at, state)
            VALUES (@id, @task, @url, @caller, @payload, 0, @due, 'pending') ON CONFLICT (webhook_id) DO NOTHING
            """))
        {
            ServiceDatabase.AddParameter(insert, "id", delivery.WebhookId);
            ServiceDatabase.AddParameter(insert, "task", delivery.TaskId);
            ServiceDatabase.AddParameter(insert, "url", delivery.Url);
            ServiceDatabase.AddParameter(insert, "caller", delivery.Caller);
            ServiceDatabase.AddParameter(insert, "payload", delivery.Payload);
            ServiceDatabase.AddParameter(insert, "due", dueAt.ToUnixTimeMilliseconds());
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var delete = Command(connection, transaction, "DELETE FROM veo_service_webhook_subscriptions WHERE task_id = @task"))
        {
            ServiceDatabase.AddParameter(delete, "task", delivery.TaskId);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Pending deliveries whose next attempt is due, oldest first.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT webhook_id, task_id, url, caller, payload, attempts FROM veo_service_webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= @now ORDER BY next_attempt_at LIMIT @limit";
        ServiceDatabase.AddParameter(command, "now", now.ToUnixTimeMilliseconds());
        ServiceDatabase.AddParameter(command, "limit", limit);
        var due = new List<WebhookDelivery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(new WebhookDelivery(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5)));
        }

        return due;
    }

    /// <summary>When the next pending delivery is due, if any is.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MIN(next_attempt_at) FROM veo_service_webhook_deliveries WHERE state = 'pending'";
        return await command.ExecuteScalarAsync(cancellationToken) is { } value and not DBNull
            ? DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture))
            : null;
    }

    /// <summary>Records an attempt: delivered, retried at <paramref name="retryAt"/>, or given up when that is null.</summary>
    public async Task RecordAttemptAsync(string webhookId, bool delivered, DateTimeOffset? retryAt, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE veo_service_webhook_deliveries SET attempts = attempts + 1, state = @state, next_attempt_at = @next, last_error = @error WHERE webhook_id = @id";
        ServiceDatabase.AddParameter(command, "id", webhookId);
        ServiceDatabase.AddParameter(command, "state", delivered ? "delivered" : retryAt is null ? "failed" : "pending");
        ServiceDatabase.AddParameter(command, "next", (retryAt ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds());
        ServiceDatabase.AddParameter(command, "error", (object?)error?[..Math.Min(error.Length, 500)] ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public void Dispose() => _database.Dispose();

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
