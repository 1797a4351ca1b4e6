using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Veo.Sdk.Benchmarks.Infrastructure;

/// <summary>
/// The PostgreSQL server of a <c>--store postgresql</c> run: the one named by <c>--postgres</c> or <c>VEO_BENCH_POSTGRES</c>
/// (or <c>VEO_TEST_POSTGRES</c>, which <c>.ci/run</c> exports), else a throwaway server started the way <c>.ci/run</c>
/// starts one (initdb in a temporary folder, <c>fsync=off</c>, loopback only) and removed at the end. Each run gets a
/// database of its own, so no run sees another's journal.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string? _directory;
    private readonly string? _binaries;

    private ThrowawayPostgres(string connectionString, string? directory, string? binaries)
    {
        ConnectionString = connectionString;
        _directory = directory;
        _binaries = binaries;
    }

    /// <summary>The server's connection string (database <c>postgres</c>).</summary>
    public string ConnectionString { get; }

    /// <summary>Whether this process started the server (and stops it).</summary>
    public bool Started => _directory is not null;

    public static async Task<ThrowawayPostgres> StartAsync(string? connectionString, CancellationToken cancellationToken)
    {
        connectionString ??= Environment.GetEnvironmentVariable("VEO_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("VEO_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new ThrowawayPostgres(connectionString, null, null);
        }

        var binaries = FindBinaries() ?? throw new InvalidOperationException(
            "--store postgresql needs a server: pass --postgres \"Host=…;Username=…;Database=postgres\", set VEO_BENCH_POSTGRES, or install PostgreSQL (apt-get install postgresql) so a throwaway one can be started.");
        var directory = Directory.CreateTempSubdirectory("veo-bench-pg-").FullName;
        var port = LoopbackPorts.Free();
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // initdb refuses to run as root; .ci/run runs it as the postgres user too.
            await RunAsync("chown", ["-R", "postgres:postgres", directory], cancellationToken).ConfigureAwait(false);
        }

        var data = Path.Combine(directory, "data");
        await RunPostgresToolAsync(asRoot, Path.Combine(binaries, "initdb"), $"-D {data} -A trust -U postgres", cancellationToken).ConfigureAwait(false);
        await RunPostgresToolAsync(asRoot, Path.Combine(binaries, "pg_ctl"),
            $"-D {data} -o \"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -l {Path.Combine(directory, "server.log")} -w start",
            cancellationToken).ConfigureAwait(false);
        return new ThrowawayPostgres(
            string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50"),
            directory,
            binaries);
    }

    /// <summary>Creates an empty database for one run and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a run's database (its connections are closed by then; any left are ended).</summary>
    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory is null || _binaries is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunPostgresToolAsync(Environment.UserName == "root", Path.Combine(_binaries, "pg_ctl"), $"-D {Path.Combine(_directory, "data")} -m immediate stop", CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string? FindBinaries()
    {
        var packaged = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).LastOrDefault()
            : null;
        return packaged ?? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")));
    }

    private static Task RunPostgresToolAsync(bool asRoot, string tool, string arguments, CancellationToken cancellationToken)
        => asRoot ? RunAsync("su", ["postgres", "-c", $"{tool} {arguments}"], cancellationToken) : RunAsync("/bin/sh", ["-c", $"{tool} {arguments}"], cancellationToken);

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
        }
    }
}
