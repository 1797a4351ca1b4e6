using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Refit;

namespace Veo.Sdk.Internal;

/// <summary>
/// Registers the SDK's HTTP plumbing: three named clients (start, poll, download), each with the resilience policy of
/// <see cref="VeoResiliencePolicy"/> outermost, then (downloads only) redirect following, then authentication. The DI
/// registration and the constructors without DI (through a private service collection) both come through here.
/// </summary>
internal static class VeoHttpRegistration
{
    public const string StartClientName = "Veo.Sdk.Start";
    public const string PollClientName = "Veo.Sdk.Poll";
    public const string DownloadClientName = "Veo.Sdk.Download";
    public const string LoggerCategory = "Veo.Sdk.VeoClient";

    public static void AddVeoHttpClients(IServiceCollection services, Func<IServiceProvider, VeoClientOptions> getOptions, Func<HttpMessageHandler>? primaryHandler)
    {
        // The Refit interfaces sit on plain named clients (RestService.For picks the source-generated implementation), so
        // the package needs Refit alone and not Refit.HttpClientFactory, whose Microsoft.Extensions.Http floor is a late
        // 10.0.x patch that would force every consumer up to it.
        services.AddHttpClient(StartClientName)
            .ConfigureVeoPipeline(VeoCallKind.Start, getOptions, primaryHandler);
        services.AddHttpClient(PollClientName)
            .ConfigureVeoPipeline(VeoCallKind.Poll, getOptions, primaryHandler);
        services.AddHttpClient(DownloadClientName)
            .ConfigureVeoPipeline(VeoCallKind.Download, getOptions, primaryHandler);
        services.TryAddSingleton(_ => CreateRefitSettings());
        services.TryAddSingleton(sp => new VertexCredentials(getOptions(sp)));
        services.TryAddTransient<VeoHttpApis>();
        services.TryAddSingleton(sp => new VeoMetrics(sp.GetService<IMeterFactory>()));
    }

    public static RefitSettings CreateRefitSettings()
    {
        var settings = RefitSettings.ForJsonContext(VeoJsonContext.Default);

        // A retried request re-sends its body; a buffered body can be sent twice.
        settings.RequestBodySerialization = RequestBodySerializationMode.Buffered;
        return settings;
    }

    public static HttpMessageHandler CreateSocketsHandler() => new SocketsHttpHandler
    {
        // Redirects are followed by FollowRedirectsHandler, which keeps the key away from other hosts.
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    };

    public static ILogger CreateLogger(IServiceProvider services)
        => services.GetService<ILoggerFactory>()?.CreateLogger(LoggerCategory) ?? NullLogger.Instance;

    private static IHttpClientBuilder ConfigureVeoPipeline(this IHttpClientBuilder builder, VeoCallKind kind, Func<IServiceProvider, VeoClientOptions> getOptions, Func<HttpMessageHandler>? primaryHandler)
    {
        builder
            .ConfigureHttpClient((sp, client) =>
            {
                client.BaseAddress = VeoEndpoints.GetBaseUrl(getOptions(sp));

                // Timeouts come from the resilience pipeline (per attempt) and, for downloads, from the client.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(primaryHandler ?? CreateSocketsHandler)
            .AddResilienceHandler($"Veo.{kind}", (pipeline, context) => VeoResiliencePolicy.Configure(
                pipeline,
                kind,
                getOptions(context.ServiceProvider),
                CreateLogger(context.ServiceProvider),
                context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System,
                context.ServiceProvider.GetRequiredService<VeoMetrics>()));

        if (kind == VeoCallKind.Download)
        {
            builder.AddHttpMessageHandler(() => new FollowRedirectsHandler());
        }

        builder.AddHttpMessageHandler(sp => new VeoAuthenticationHandler(getOptions(sp), sp.GetRequiredService<VertexCredentials>()));
        return builder;
    }
}

/// <summary>The three HTTP entry points a <see cref="VeoClient"/> uses.</summary>
internal sealed class VeoHttpApis(IHttpClientFactory httpClientFactory, RefitSettings refitSettings, VertexCredentials credentials)
{
    public VertexCredentials Credentials { get; } = credentials;

    public IVeoStartApi Start { get; } = RestService.For<IVeoStartApi>(httpClientFactory.CreateClient(VeoHttpRegistration.StartClientName), refitSettings);

    public IVeoPollApi Poll { get; } = RestService.For<IVeoPollApi>(httpClientFactory.CreateClient(VeoHttpRegistration.PollClientName), refitSettings);

    public HttpClient Download { get; } = httpClientFactory.CreateClient(VeoHttpRegistration.DownloadClientName);
}
