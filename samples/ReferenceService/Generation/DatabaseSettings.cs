using Microsoft.Data.Sqlite;

namespace ReferenceService.Generation;

/// <summary>The engine's database (the <c>Persistence</c> section), which this service also uses for its own small tables.</summary>
public sealed record DatabaseSettings(string Provider, string ConnectionString)
{
    /// <summary>The engine's default: a SQLite file under <c>data/</c>.</summary>
    public const string DefaultConnectionString = "Data Source=data/veo.db";

    public bool IsPostgreSql => Provider.Equals("PostgreSql", StringComparison.OrdinalIgnoreCase)
                                || Provider.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase);

    public static DatabaseSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Persistence");
        var provider = section["Provider"] is { Length: > 0 } p ? p : "Sqlite";
        var connectionString = section["ConnectionString"] is { Length: > 0 } c ? c : DefaultConnectionString;
        var settings = new DatabaseSettings(provider, connectionString);
        if (!settings.IsPostgreSql && !provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Persistence:Provider '{provider}' is not supported; use Sqlite or PostgreSql.");
        }

        return settings;
    }

    /// <summary>Creates the folder of a SQLite file (SQLite creates files, not folders).</summary>
    public void EnsureSqliteFolderExists()
    {
        if (IsPostgreSql)
        {
            return;
        }

        var dataSource = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }
}
