using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Veo.Sdk.Testing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="VeoSimulatorState"/> to host the Veo simulator in your own ASP.NET Core app (see <c>MapVeoSimulator</c>).</summary>
public static class VeoSimulatorServiceCollectionExtensions
{
    /// <summary>Registers a singleton <see cref="VeoSimulatorState"/> with the given settings.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the settings; <see cref="VeoSimulatorOptions.Host"/> and <see cref="VeoSimulatorOptions.Port"/> do not apply (the app listens where it is told to).</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddVeoSimulator(this IServiceCollection services, Action<VeoSimulatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp =>
        {
            var options = new VeoSimulatorOptions();
            configure?.Invoke(options);
            return new VeoSimulatorState(options, sp.GetService<ILogger<VeoSimulatorState>>());
        });
        return services;
    }

    /// <summary>
    /// Registers a singleton <see cref="VeoSimulatorState"/> configured from a section such as <c>Simulator</c>:
    /// <c>LatencySeconds</c>, <c>MaxLatencySeconds</c>, <c>ApiKey</c>, <c>VertexAccessToken</c>, <c>MaxConcurrentOperations</c>,
    /// <c>QuotaRetryDelaySeconds</c> and <c>Models</c> (model ids added to the known ones).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section to read.</param>
    /// <param name="configure">Adjusts the settings after the section is read.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentException">A value in the section is not a number where one is expected (thrown when the state is first resolved).</exception>
    public static IServiceCollection AddVeoSimulator(this IServiceCollection services, IConfiguration configuration, Action<VeoSimulatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddVeoSimulator(options =>
        {
            ApplyConfiguration(configuration, options);
            configure?.Invoke(options);
        });
    }

    internal static void ApplyConfiguration(IConfiguration configuration, VeoSimulatorOptions options)
    {
        if (configuration["ApiKey"] is { Length: > 0 } apiKey)
        {
            options.ApiKey = apiKey;
        }

        if (configuration["VertexAccessToken"] is { Length: > 0 } token)
        {
            options.VertexAccessToken = token;
        }

        if (ReadSeconds(configuration, "LatencySeconds") is { } latency)
        {
            options.Latency = latency;
        }

        if (ReadSeconds(configuration, "MaxLatencySeconds") is { } maxLatency)
        {
            options.MaxLatency = maxLatency;
        }

        if (ReadSeconds(configuration, "QuotaRetryDelaySeconds") is { } retryDelay)
        {
            options.QuotaRetryDelay = retryDelay;
        }

        if (configuration["MaxConcurrentOperations"] is { Length: > 0 } max)
        {
            options.MaxConcurrentOperations = int.TryParse(max, NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit)
                ? limit
                : throw new ArgumentException($"{Path(configuration, "MaxConcurrentOperations")} = '{max}' is not a whole number.", nameof(configuration));
        }

        foreach (var model in configuration.GetSection("Models").GetChildren().Select(c => c.Value).OfType<string>())
        {
            options.KnownModels.Add(model);
        }
    }

    private static TimeSpan? ReadSeconds(IConfiguration configuration, string key)
    {
        if (configuration[key] is not { Length: > 0 } text)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{Path(configuration, key)} = '{text}' is not a number of seconds (e.g. 2 or 0.5).", nameof(configuration));
    }

    private static string Path(IConfiguration configuration, string key) => configuration is IConfigurationSection section ? $"{section.Path}:{key}" : key;
}
