using Microsoft.Extensions.Options;
using Veo.Sdk.Akka.Hosting;

using ReferenceService.Generation;

namespace ReferenceService.Callers;

/// <summary>
/// Who created which task and batch, in a table of the service's own (the engine's) database, so ownership survives
/// restarts as long as the tasks do. Only written and read when API keys are configured.
/// </summary>
public sealed class OwnershipStore : IDisposable
{
    private readonly ServiceDatabase _database;

    public OwnershipStore(IOptions<VeoPersistenceOptions> persistence)
    {
        _database = new ServiceDatabase(persistence.Value, """
            CREATE TABLE IF NOT EXISTS veo_service_owners (
                kind VARCHAR(16) NOT NULL,
                id VARCHAR(100) NOT NULL,
                owner VARCHAR(200) NOT NULL,
                PRIMARY KEY (kind, id));
            """);
    }

    /// <summary>Records the owner of a task or batch; the first owner stays (a retried submit changes nothing).</summary>
    public async Task ClaimAsync(string kind, string id, string owner, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO veo_service_owners (kind, id, owner) VALUES (@kind, @id, @owner) ON CONFLICT (kind, id) DO NOTHING";
        ServiceDatabase.AddParameter(command, "kind", kind);
        ServiceDatabase.AddParameter(command, "id", id);
        ServiceDatabase.AddParameter(command, "owner", owner);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The owner of a task or batch, or <see langword="null"/> when none was recorded.</summary>
    public async Task<string?> OwnerAsync(string kind, string id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT owner FROM veo_service_owners WHERE kind = @kind AND id = @id";
        ServiceDatabase.AddParameter(command, "kind", kind);
        ServiceDatabase.AddParameter(command, "id", id);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public void Dispose() => _database.Dispose();
}
