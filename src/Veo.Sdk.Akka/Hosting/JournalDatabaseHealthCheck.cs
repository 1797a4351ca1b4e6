using System.Data.Common;
using Akka.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Veo.Sdk.Akka.Hosting;

/// <summary>Ready when the journal's database answers a query.</summary>
internal sealed class JournalDatabaseHealthCheck(VeoPersistenceOptions persistence) : IAkkaHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(AkkaHealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = Connect();
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = "SELECT 1";
                    command.CommandTimeout = 5;
                    await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return HealthCheckResult.Healthy($"The {persistence.Provider} journal database answers.");
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"The {persistence.Provider} journal database does not answer.", exception);
        }
    }

    private DbConnection Connect()
    {
        if (persistence.Provider == VeoPersistenceProvider.PostgreSql)
        {
            return new NpgsqlConnection(persistence.ConnectionString);
        }

        // ReadWrite, not ReadWriteCreate: a missing file means the journal was never created, which is not ready.
        var builder = new SqliteConnectionStringBuilder(persistence.ConnectionString) { Mode = SqliteOpenMode.ReadWrite };
        return new SqliteConnection(builder.ConnectionString);
    }
}
