using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Veo.Sdk.Akka.Hosting;

namespace ReferenceService.Generation;

/// <summary>
/// The service's own tables in the engine's database (SQLite or PostgreSQL): connections for either provider, with the
/// tables' schema created once, on the first connection.
/// </summary>
internal sealed class ServiceDatabase(VeoPersistenceOptions persistence, string schema) : IDisposable
{
    private readonly DbProviderFactory _factory = persistence.Provider == VeoPersistenceProvider.PostgreSql ? NpgsqlFactory.Instance : SqliteFactory.Instance;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>An open connection; the schema exists once it returns.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_schemaReady)
        {
            await _schemaLock.WaitAsync(cancellationToken);
            try
            {
                if (!_schemaReady)
                {
                    await using var connection = await ConnectAsync(cancellationToken);
                    await using var command = connection.CreateCommand();
                    command.CommandText = schema;
                    await command.ExecuteNonQueryAsync(cancellationToken);
                    _schemaReady = true;
                }
            }
            finally
            {
                _schemaLock.Release();
            }
        }

        return await ConnectAsync(cancellationToken);
    }

    public static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    public void Dispose() => _schemaLock.Dispose();

    private async Task<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = _factory.CreateConnection()!;
        connection.ConnectionString = persistence.ConnectionString;
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
