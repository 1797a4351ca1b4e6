using System.Data.Common;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Microsoft.Extensions.Options;
using Veo.Sdk.Akka.Hosting;

namespace ReferenceService.Http;

/// <summary>Ready when this node is an Up member of its cluster (so the shard region can host tasks).</summary>
public sealed class ClusterHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ActorSystem? system;
        try
        {
            system = services.GetService<ActorSystem>();
        }
        catch (InvalidOperationException exception)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The actor system is not started yet.", exception));
        }

        if (system is null || system.WhenTerminated.IsCompleted)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The actor system is not running."));
        }

        var self = Cluster.Get(system).SelfMember;
        var data = new Dictionary<string, object> { ["address"] = self.Address.ToString(), ["status"] = self.Status.ToString() };
        return Task.FromResult(self.Status == MemberStatus.Up
            ? HealthCheckResult.Healthy("This node is Up in the cluster.", data)
            : HealthCheckResult.Unhealthy($"This node is {self.Status} in the cluster, not Up.", data: data));
    }
}

/// <summary>Ready when the journal's database answers a query.</summary>
public sealed class JournalHealthCheck(IOptions<VeoPersistenceOptions> persistence) : IHealthCheck
{
    private readonly VeoPersistenceOptions _database = persistence.Value;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = Connect();
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            command.CommandTimeout = 5;
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy($"The {_database.Provider} journal database answers.");
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"The {_database.Provider} journal database does not answer.", exception);
        }
    }

    private DbConnection Connect()
    {
        if (_database.Provider == VeoPersistenceProvider.PostgreSql)
        {
            return new NpgsqlConnection(_database.ConnectionString);
        }

        // ReadWrite, not ReadWriteCreate: a missing file means the journal was never created, which is not ready.
        var builder = new SqliteConnectionStringBuilder(_database.ConnectionString) { Mode = SqliteOpenMode.ReadWrite };
        return new SqliteConnection(builder.ConnectionString);
    }
}

/// <summary>Registers and maps <c>/health/live</c> (the process answers) and <c>/health/ready</c> (cluster Up, journal reachable).</summary>
public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddEngineHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ClusterHealthCheck>("cluster", tags: [ReadyTag])
            .AddCheck<JournalHealthCheck>("journal", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .AllowAnonymous().WithName("Liveness").WithSummary("Whether the process answers").WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .AllowAnonymous().WithName("Readiness").WithSummary("Whether the cluster is up and the journal reachable").WithTags("Health");
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString(), description = entry.Value.Description, data = entry.Value.Data }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, JsonSerializerOptions.Web, context.RequestAborted);
    }
}
