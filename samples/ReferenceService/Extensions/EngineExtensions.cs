using Microsoft.Extensions.DependencyInjection.Extensions;
using ReferenceService.Generation;
using Veo.Sdk.Akka.Hosting;

namespace ReferenceService.Extensions;

public static class EngineExtensions
{
    /// <summary>
    /// The generation engine (single-node Akka cluster, journal, task actors; see <c>Generation</c>, <c>Persistence</c>,
    /// <c>Storage</c> and <c>Akka</c> settings) and the database settings this service shares with it.
    /// </summary>
    public static IServiceCollection AddGenerationEngine(this IServiceCollection services, IConfiguration configuration)
    {
        var database = DatabaseSettings.From(configuration);
        database.EnsureSqliteFolderExists();
        services.TryAddSingleton(database);
        services.AddVeoGenerationEngine(configuration);
        return services;
    }
}
