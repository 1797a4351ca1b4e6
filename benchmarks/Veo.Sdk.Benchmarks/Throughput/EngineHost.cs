using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Veo.Sdk.Akka.Hosting;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>The engine as an app registers it: configuration keys, <c>AddVeoGenerationEngine</c>, an <see cref="IVeoClient"/>.</summary>
public static class EngineHost
{
    /// <param name="workDirectory">Holds the video folder, and the SQLite file (journal, sharding state, generation table) unless <paramref name="postgres"/> is given.</param>
    /// <param name="veo">The Veo client the engine calls.</param>
    /// <param name="concurrency">Generation:MaxConcurrency.</param>
    /// <param name="maxQueueLength">Generation:MaxQueueLength.</param>
    /// <param name="postgres">A PostgreSQL database to persist to instead of SQLite.</param>
    /// <param name="akkaPort">The node's remoting port; with <paramref name="seed"/>, a node of a cluster.</param>
    /// <param name="seed">The cluster's seed node address; <see langword="null"/>: a single-node cluster.</param>
    public static IHost Build(string workDirectory, IVeoClient veo, int concurrency, int maxQueueLength, string? postgres = null, int? akkaPort = null, string? seed = null)
    {
        var database = Path.Combine(workDirectory, "veo.db");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = workDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Generation:MaxConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture),
            ["Generation:MaxQueueLength"] = maxQueueLength.ToString(CultureInfo.InvariantCulture),
            ["Persistence:Provider"] = postgres is null ? "Sqlite" : "PostgreSql",
            ["Persistence:ConnectionString"] = postgres ?? $"Data Source={database}",
            ["Storage:VideosPath"] = Path.Combine(workDirectory, "videos"),
            ["Akka:LogLevel"] = "Warning",
            ["Akka:Port"] = akkaPort?.ToString(CultureInfo.InvariantCulture),
            ["Akka:SeedNodes:0"] = seed,
        });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(veo);
        builder.Services.AddVeoGenerationEngine(builder.Configuration);
        return builder.Build();
    }
}
