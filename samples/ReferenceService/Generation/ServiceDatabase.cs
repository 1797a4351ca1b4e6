using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Veo.Sdk.Akka.Hosting;

namespace ReferenceService.Generation;

/// <summary>The service's own tables live in the engine's database; this opens connections to it for either provider.</summary>
internal static class ServiceDatabase
{
    public static DbProviderFactory Factory(VeoPersistenceProvider provider)
        => provider == VeoPersistenceProvider.PostgreSql ? NpgsqlFactory.Instance : SqliteFactory.Instance;

    public static async Task<DbConnection> OpenAsync(DbProviderFactory factory, string connectionString, CancellationToken cancellationToken)
    {
        var connection = factory.CreateConnection()!;
        connection.ConnectionString = connectionString;
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

    public static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
