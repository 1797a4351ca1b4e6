using System.Text.Json;
using ReferenceService.Generation;
using ReferenceService.Http;
using Veo.Sdk.Akka.Hosting;

namespace ReferenceService.Extensions;

public static class ApiExtensions
{
    /// <summary>The HTTP surface: snake_case JSON, problem details, submit pipeline, batches, limits, health.</summary>
    public static IServiceCollection AddGenerationApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SubmitRateLimitOptions>().Bind(configuration.GetSection(SubmitRateLimitOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();

        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.DictionaryKeyPolicy = null;
        });
        services.AddApiProblemDetails();

        services.AddSingleton<GenerationRequestValidator>();
        services.AddSingleton<SubmitRateLimiter>();
        services.AddSingleton<BatchStore>();
        services.AddSingleton<ApiLinks>();
        services.AddSingleton<ServiceTelemetry>();
        services.AddScoped<GenerationSubmitter>();

        // The engine registers Akka.Hosting's own probes (actor system, cluster membership, journal and its database).
        services.AddHealthChecks()
            .AddCheck<VeoCredentialsHealthCheck>("veo-credentials", tags: [VeoGenerationHealthChecks.ReadyTag]);
        return services;
    }
}
