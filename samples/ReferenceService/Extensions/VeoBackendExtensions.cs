using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Veo.Sdk;
using Veo.Sdk.Testing;

namespace ReferenceService.Extensions;

/// <summary>Where generations go: the embedded simulator (default) or one of Google's APIs.</summary>
public enum VeoServiceBackend
{
    /// <summary>A Veo simulator started inside this process on a loopback port; no key, no bill.</summary>
    Simulator = 0,

    /// <summary>The Gemini API (or any server speaking it, via <c>Veo:BaseUrl</c>).</summary>
    GeminiApi = 1,

    /// <summary>Vertex AI (<c>Veo:ProjectId</c>, <c>Veo:Location</c>, and <c>Veo:CredentialsFile</c> or Application Default Credentials).</summary>
    VertexAi = 2,
}

/// <summary>Settings of the embedded simulator, bound from <c>Veo:Simulator</c>.</summary>
public sealed class EmbeddedSimulatorOptions
{
    /// <summary>How long a simulated generation takes.</summary>
    [Range(0, 3600)]
    public double LatencySeconds { get; set; } = 4;

    /// <summary>When set, each generation takes a uniformly random time between <see cref="LatencySeconds"/> and this.</summary>
    [Range(0, 3600)]
    public double? MaxLatencySeconds { get; set; }

    /// <summary>When set, the simulator answers 429 RESOURCE_EXHAUSTED beyond this many running generations (a quota).</summary>
    [Range(1, 100_000)]
    public int? MaxConcurrentOperations { get; set; }

    /// <summary>The loopback port; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }
}

/// <summary>The backend this process talks to, for code that needs to know (model mapping, logs).</summary>
/// <param name="Backend">The configured backend.</param>
/// <param name="ClientBackend">The API surface the Veo client speaks (the embedded simulator is spoken to as Vertex AI).</param>
public sealed record VeoBackendInfo(VeoServiceBackend Backend, VeoBackend ClientBackend);

public static class VeoBackendExtensions
{
    private const string SectionName = "Veo";

    /// <summary>The Google Cloud project the embedded simulator's generations run under.</summary>
    public const string EmbeddedProjectId = "simulated-project";

    // Keys of the "Veo" section that belong to this service, not to VeoClientOptions (whose Backend enum has no Simulator).
    private static readonly string[] ServiceOnlyKeys = ["Backend", "Simulator"];

    /// <summary>
    /// Registers the real <see cref="VeoClient"/> against the configured backend. With <c>Veo:Backend=Simulator</c> (the default)
    /// a <see cref="VeoSimulator"/> is started first, on a loopback port, and the client is pointed at it with its key, so the
    /// real client path (HTTP, auth, polling, download) is exercised even without a Google account.
    /// </summary>
    /// <remarks>
    /// This is async and runs before the app is built because the simulator's port is chosen by the OS when it starts, and the
    /// client's options are built and validated when the host starts, before any hosted service could start the simulator.
    /// </remarks>
    public static async Task AddVeoBackendAsync(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SectionName);
        var backend = ParseBackend(section["Backend"]);
        var clientSettings = ClientSettings(section);

        if (backend is VeoServiceBackend.Simulator)
        {
            var settings = section.GetSection("Simulator").Get<EmbeddedSimulatorOptions>() ?? new EmbeddedSimulatorOptions();
            Validator.ValidateObject(settings, new ValidationContext(settings), validateAllProperties: true);
            if (settings.MaxLatencySeconds < settings.LatencySeconds)
            {
                throw new InvalidOperationException("Veo:Simulator:MaxLatencySeconds must not be smaller than Veo:Simulator:LatencySeconds.");
            }

            var simulatorOptions = new VeoSimulatorOptions
            {
                Port = settings.Port,
                Latency = TimeSpan.FromSeconds(settings.LatencySeconds),
                MaxLatency = settings.MaxLatencySeconds is { } max ? TimeSpan.FromSeconds(max) : null,
                MaxConcurrentOperations = settings.MaxConcurrentOperations,
            };

            // VeoSimulator.StartAsync builds its host outside this async flow, so test hosts (WebApplicationFactory) still
            // find this app, not the simulator.
            var simulator = await VeoSimulator.StartAsync(simulatorOptions);

            // Until the engine has seen a generation finish, its ETAs and progress estimates assume this duration; make the
            // first ones right for the simulator (Google's real generations take about a minute, the engine's default).
            if (builder.Configuration["Generation:ExpectedGenerationSeconds"] is null)
            {
                var expected = (settings.LatencySeconds + (settings.MaxLatencySeconds ?? settings.LatencySeconds)) / 2;
                builder.Configuration.AddInMemoryCollection([new("Generation:ExpectedGenerationSeconds", Math.Max(0.1, expected).ToString(CultureInfo.InvariantCulture))]);
            }

            // The first hosted service registered is the last one stopped: the simulator outlives the engine's last poll.
            builder.Services.AddSingleton(simulator);
            builder.Services.AddHostedService<EmbeddedSimulatorLifetime>();
            // The production path end to end: Vertex AI, with a service-account key the simulator issued, so the client signs
            // its own token requests and refreshes them, as it does against Google.
            var serviceAccountKey = simulator.CreateServiceAccountKey("reference-service@simulated-project.iam.gserviceaccount.com", EmbeddedProjectId);
            builder.Services.AddVeoClient(
                options =>
                {
                    clientSettings.Bind(options);
                    options.Backend = VeoBackend.VertexAi;
                    options.BaseUrl = simulator.BaseUrl;
                    options.ProjectId = EmbeddedProjectId;
                    options.CredentialsJson = serviceAccountKey;
                    options.CredentialsFile = null;
                    options.AccessToken = null;
                },
                configSectionPath: null);
            builder.Services.AddSingleton(new VeoBackendInfo(backend, VeoBackend.VertexAi));
            return;
        }

        // On Vertex AI the client authenticates itself: Veo:CredentialsFile or Veo:CredentialsJson, else Application
        // Default Credentials; Veo:AccessToken (a token pasted from gcloud, about an hour long) is for quick tries only.
        var clientBackend = backend is VeoServiceBackend.VertexAi ? VeoBackend.VertexAi : VeoBackend.GeminiApi;
        builder.Services.AddVeoClient(
            options =>
            {
                clientSettings.Bind(options);
                options.Backend = clientBackend;
            },
            configSectionPath: null);
        builder.Services.AddSingleton(new VeoBackendInfo(backend, clientBackend));
    }

    private static VeoServiceBackend ParseBackend(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return VeoServiceBackend.Simulator;
        }

        return Enum.TryParse<VeoServiceBackend>(value, ignoreCase: true, out var backend) && Enum.IsDefined(backend)
            ? backend
            : throw new InvalidOperationException($"Veo:Backend '{value}' is not supported; use Simulator, GeminiApi or VertexAi.");
    }

    private static IConfiguration ClientSettings(IConfigurationSection section)
    {
        var values = section.AsEnumerable(makePathsRelative: true)
            .Where(pair => pair.Value is not null && !ServiceOnlyKeys.Contains(pair.Key.Split(':')[0], StringComparer.OrdinalIgnoreCase));
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    /// <summary>Stops the embedded simulator when the host stops.</summary>
    private sealed class EmbeddedSimulatorLifetime(VeoSimulator simulator, ILogger<EmbeddedSimulatorLifetime> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogInformation(
                "Embedded Veo simulator listening on {SimulatorUrl} (latency {Latency}); set Veo:Backend=VertexAi and Veo:ProjectId (with Application Default Credentials) to call Google",
                simulator.BaseUrl,
                simulator.Options.Latency);
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken) => await simulator.DisposeAsync();
    }
}
