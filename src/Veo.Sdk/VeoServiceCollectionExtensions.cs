using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veo.Sdk;
using Veo.Sdk.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="IVeoClient"/> in a service collection.</summary>
public static class VeoServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IVeoClient"/> and <see cref="VeoClient"/> (transient), their HTTP clients with the SDK's retry
    /// policy, and <see cref="VeoClientOptions"/>: bound from the configuration section <paramref name="configSectionPath"/>
    /// (when an <see cref="IConfiguration"/> is registered), then adjusted by <paramref name="configure"/>, and validated when
    /// the host starts, with messages that name the missing key (for example <c>Veo:ApiKey</c> / <c>Veo__ApiKey</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets options in code (for example the Vertex AI <see cref="VeoClientOptions.AccessTokenProvider"/>); applied after configuration binding.</param>
    /// <param name="configSectionPath">The configuration section to bind, <c>Veo</c> by default; <see langword="null"/> binds nothing.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddVeoClient(this IServiceCollection services, Action<VeoClientOptions>? configure = null, string? configSectionPath = VeoClientOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<VeoClientOptions>();
        if (configSectionPath is not null)
        {
            // Bound only when the application has configuration; a bare ServiceCollection configures in code.
            options.Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(configSectionPath).Bind(o));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        // Vertex AI is the production path: without an explicit Veo:Backend, a project or credentials choose it.
        options.PostConfigure<IServiceProvider>((o, sp) =>
        {
            var backendConfigured = configSectionPath is not null
                && !string.IsNullOrWhiteSpace(sp.GetService<IConfiguration>()?.GetSection(configSectionPath)[nameof(VeoClientOptions.Backend)]);
            if (!backendConfigured && o.Backend == VeoBackend.GeminiApi && o.HasVertexSettings)
            {
                o.Backend = VeoBackend.VertexAi;
            }
        });
        options.PostConfigure(o => o.ApplyDefaults());
        options.ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<VeoClientOptions>>(new VeoClientOptionsValidator(configSectionPath));

        // The HTTP pipeline is registered once, however often AddVeoClient is called (each call only adds configuration).
        if (!services.Any(d => d.ServiceType == typeof(VeoHttpRegistrationMarker)))
        {
            services.AddSingleton<VeoHttpRegistrationMarker>();
            VeoHttpRegistration.AddVeoHttpClients(services, sp => sp.GetRequiredService<IOptions<VeoClientOptions>>().Value, primaryHandler: null);
            services.TryAddTransient(sp => new VeoClient(
                sp.GetRequiredService<IOptions<VeoClientOptions>>().Value,
                sp.GetRequiredService<VeoHttpApis>(),
                sp.GetService<ILoggerFactory>(),
                sp.GetService<TimeProvider>(),
                sp.GetRequiredService<VeoMetrics>()));
            services.TryAddTransient<IVeoClient>(sp => sp.GetRequiredService<VeoClient>());
        }

        return services;
    }

    private sealed class VeoHttpRegistrationMarker;
}
