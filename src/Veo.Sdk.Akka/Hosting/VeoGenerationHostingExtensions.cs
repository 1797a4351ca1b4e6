using System.Data;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using AkkaPersistenceJournalBuilder = Akka.Persistence.Hosting.AkkaPersistenceJournalBuilder;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using LinqToDB;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veo.Sdk.Akka.Actors;
using Veo.Sdk.Akka.Diagnostics;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Serialization;
using Veo.Sdk.Akka.Storage;
using AkkaLogLevel = Akka.Event.LogLevel;

namespace Veo.Sdk.Akka.Hosting;

/// <summary>Registers the Veo generation engine: an Akka.NET cluster node with the task shard region, the cluster's dispatcher, persistence and the facade.</summary>
public static class VeoGenerationHostingExtensions
{
    /// <summary>The shard region's type name.</summary>
    public const string ShardRegionName = "video-generation";

    /// <summary>The cluster singleton that owns the generation slots and the queue.</summary>
    internal const string DispatcherSingletonName = "veo-generation-dispatcher";

    /// <summary>How long a graceful stop waits at most for start calls in flight (real Veo answers a start within seconds).</summary>
    private static readonly TimeSpan StartCallDrainLimit = TimeSpan.FromSeconds(10);

    /// <summary>The actor system's name when <c>Akka:SystemName</c> is not set (every node of a cluster must use the same).</summary>
    public const string DefaultActorSystemName = "veo";

    /// <summary>
    /// Adds everything a single-node app needs: the options (sections <c>Generation</c>, <c>Persistence</c>, <c>Storage</c>),
    /// the stores, <see cref="IVideoGenerationService"/>, and an actor system (<c>AddAkka</c>) with remoting on
    /// <c>Akka:Hostname</c> (default 127.0.0.1) port <c>Akka:Port</c> (default 0 = any free port), clustering that joins
    /// itself unless <c>Akka:SeedNodes</c> lists seeds, persistence and the generation shard region. No HOCON to write.
    /// </summary>
    /// <remarks>An <see cref="IVeoClient"/> must be registered too (for example with <c>AddVeoClient</c>).</remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration to bind from.</param>
    /// <param name="configureAkka">Further Akka configuration (more actors, other plugins), applied last.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddVeoGenerationEngine(
        this IServiceCollection services,
        IConfiguration configuration,
        Action<AkkaConfigurationBuilder, IServiceProvider>? configureAkka = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddVeoGenerationServices(configuration);

        var akka = configuration.GetSection("Akka");
        var systemName = akka["SystemName"] is { Length: > 0 } name ? name : DefaultActorSystemName;
        services.AddAkka(systemName, (builder, provider) =>
        {
            var generation = provider.GetRequiredService<IOptions<VeoGenerationOptions>>().Value;
            var persistence = provider.GetRequiredService<IOptions<VeoPersistenceOptions>>().Value;
            var seeds = SeedNodes(akka);
            builder
                .ConfigureLoggers(loggers =>
                {
                    loggers.LogLevel = Enum.TryParse<AkkaLogLevel>(akka["LogLevel"], ignoreCase: true, out var level) ? level : AkkaLogLevel.WarningLevel;
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithRemoting(new RemoteOptions
                {
                    HostName = akka["Hostname"] is { Length: > 0 } host ? host : "127.0.0.1",
                    Port = int.TryParse(akka["Port"], out var port) ? port : 0,
                    PublicHostName = akka["PublicHostname"] is { Length: > 0 } publicHost ? publicHost : null,
                })
                .WithClustering(new ClusterOptions
                {
                    SeedNodes = seeds.Length > 0 ? seeds : null,
                    Roles = generation.Role is { } role ? [role] : null,
                    SplitBrainResolver = SplitBrainStrategy(akka),
                })
                .AddHocon(
                    $"akka.cluster.split-brain-resolver.stable-after = {StableAfter(akka).TotalMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}ms",
                    HoconAddMode.Prepend)
                .WithVeoGeneration(generation, persistence);

            if (seeds.Length == 0)
            {
                // A single node is its own cluster.
                builder.AddStartup((system, _) =>
                {
                    var cluster = global::Akka.Cluster.Cluster.Get(system);
                    cluster.Join(cluster.SelfAddress);
                });
            }

            configureAkka?.Invoke(builder, provider);
        });
        return services;
    }

    /// <summary>
    /// Adds the engine's services without an actor system, for apps that own their <c>AddAkka</c> and call
    /// <see cref="WithVeoGeneration"/> in it: the options, the generation and video stores, the metrics and
    /// <see cref="IVideoGenerationService"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration to bind from.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddVeoGenerationServices(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<VeoGenerationOptions>()
            .Bind(configuration.GetSection(VeoGenerationOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => Valid(o.Validate), "The Generation settings are inconsistent (see the exception message).")
            .ValidateOnStart();
        services.AddOptions<VeoPersistenceOptions>()
            .Bind(configuration.GetSection(VeoPersistenceOptions.SectionName))
            .Validate(o => Valid(o.Validate), "The Persistence settings are invalid (see the exception message).")
            .ValidateOnStart();
        services.AddOptions<VeoStorageOptions>()
            .Bind(configuration.GetSection(VeoStorageOptions.SectionName))
            .Validate(o => Valid(o.Validate), "The Storage settings are invalid (see the exception message).")
            .ValidateOnStart();

        // The dispatcher schedules quota retries itself (the task waits in its place, the budget learns the quota); a retry
        // inside the start call would ask Veo again blindly while holding a slot.
        services.PostConfigure<VeoClientOptions>(o => o.RetryStartsRefusedForQuota = false);
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new VeoGenerationMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<IGenerationRecorder>(provider => CreateRecorder(provider.GetRequiredService<IOptions<VeoPersistenceOptions>>().Value));
        services.TryAddSingleton<IGenerationStore>(provider => provider.GetRequiredService<IGenerationRecorder>());
        services.TryAddSingleton(provider => VideoStores.Create(
            provider.GetRequiredService<IOptions<VeoStorageOptions>>().Value,
            provider.GetService<IOptions<VeoClientOptions>>()?.Value));
        services.TryAddSingleton<IVideoGenerationService, VideoGenerationService>();
        services.AddHostedService<GenerationTableInitializer>();
        return services;
    }

    /// <summary>
    /// Adds the engine to an actor system configured by the app: Akka.Persistence.Sql (SQLite or PostgreSQL, tuned as
    /// measured), the engine's serializer, the cluster's dispatcher (a singleton) and the "video-generation" shard region, whose
    /// unfinished tasks come back through the open-task table. The app provides remoting and clustering, and registers the services with
    /// <see cref="AddVeoGenerationServices"/> (plus an <see cref="IVeoClient"/>).
    /// </summary>
    /// <param name="builder">The Akka configuration builder.</param>
    /// <param name="options">The engine settings.</param>
    /// <param name="persistence">Where the journal lives.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public static AkkaConfigurationBuilder WithVeoGeneration(this AkkaConfigurationBuilder builder, VeoGenerationOptions options, VeoPersistenceOptions persistence)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(persistence);
        persistence.Validate();
        var settings = EngineSettings.From(options);
        var warmup = new EngineWarmup();

        builder
            .WithVeoPersistence(persistence)

            // Akka.Hosting's own probes, in the app's health check service: the actor system answers (live), and this node
            // has joined its cluster (ready); the journal's checks come with WithVeoPersistence.
            .WithActorSystemLivenessCheck(tags: [VeoGenerationHealthChecks.LiveTag])
            .WithAkkaClusterReadinessCheck(tags: [VeoGenerationHealthChecks.ReadyTag])
            .WithHealthCheck(VeoGenerationHealthChecks.WarmupCheckName, new EngineWarmupHealthCheck(warmup), HealthStatus.Unhealthy, [VeoGenerationHealthChecks.ReadyTag])
            .AddStartup((system, _) => warmup.StartWhenUp(system))

            // The region asks the (singleton) coordinator for shard homes and retries every retry-interval while it is not
            // up yet; at the default 2 s a fresh node may serve its first task up to 2 s late. Half a second is cheap.
            .AddHocon("akka.cluster.sharding.retry-interval = 500ms", HoconAddMode.Prepend)
            .AddHocon($"akka.coordinated-shutdown.phases.before-actor-system-terminate.timeout = {(int)(StartCallDrainLimit.TotalSeconds + 2)}s", HoconAddMode.Prepend)
            .WithCustomSerializer(VideoTaskSerializer.Name, [typeof(IVideoTaskProtocol), typeof(IDispatcherMessage)], system => new VideoTaskSerializer(system))
            // One dispatcher for the whole cluster: Google's quota is per project and model, so the budget is too. It lives on
            // the oldest node (a singleton); every node's tasks reach it through the proxy, which holds their messages while
            // the singleton moves (up to 10,000, the most Akka allows; a task asks again when an answer does not come).
            .WithSingleton<GenerationDispatcherKey>(
                DispatcherSingletonName,
                (_, registry, resolver) =>
                {
                    var metrics = Require<VeoGenerationMetrics>(resolver.GetService<VeoGenerationMetrics>());
                    var clock = resolver.GetService<TimeProvider>() ?? TimeProvider.System;
                    var openTasks = new OpenTaskSource(Require<IGenerationRecorder>(resolver.GetService<IGenerationRecorder>()), registry);
                    var dispatcherProps = Props.Create(() => new GenerationDispatcher(settings, metrics, clock, openTasks));
                    return Props.Create(() => new GenerationDispatcherGuardian(dispatcherProps));
                },
                new ClusterSingletonOptions
                {
                    Role = options.Role,
                    BufferSize = 10_000,
                    SingletonIdentificationInterval = TimeSpan.FromMilliseconds(250),

                    // Its "not found after 30 seconds" fires within a second of start-up, while the singleton is still being
                    // created; readiness asks the dispatcher itself and says so when it cannot be reached.
                    LogSingletonIdentificationFailure = false,
                },
                createProxyToo: true)
            .WithShardRegion<VideoGenerationRegion>(
                ShardRegionName,
                (system, registry, resolver) =>
                {
                    var shared = new TaskServices(
                        Require<IVeoClient>(resolver.GetService<IVeoClient>(), VeoClientHint),
                        Require<IVideoStore>(resolver.GetService<IVideoStore>()),
                        Require<IGenerationRecorder>(resolver.GetService<IGenerationRecorder>()),
                        Require<VeoGenerationMetrics>(resolver.GetService<VeoGenerationMetrics>()),
                        settings,
                        resolver.GetService<TimeProvider>() ?? TimeProvider.System);
                    var logger = (resolver.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance)
                        .CreateLogger(typeof(StartCallsInFlight).FullName!);
                    DrainStartCallsOnShutdown(system, shared, logger);
                    return entityId =>
                    {
                        // The client is resolved per task: typed HTTP clients are meant to be short-lived (handler rotation).
                        var services = shared with { Client = Require<IVeoClient>(resolver.GetService<IVeoClient>(), VeoClientHint) };
                        var dispatcher = registry.Get<GenerationDispatcherKey>();
                        registry.TryGet<VideoGenerationRegion>(out var region);
                        return Props.CreateBy(new VideoTaskActorProducer(entityId, services, dispatcher, region));
                    };
                },
                new VideoTaskMessageExtractor(),
                new ShardOptions
                {
                    Role = options.Role,
                    // Unfinished tasks come back through the open-task table, which the dispatcher walks when it starts and
                    // when a node is removed: remember-entities would cost two journal writes per task and a recovery per shard.
                    RememberEntities = false,
                    StateStoreMode = StateStoreMode.DData,   // Akka's default; without remember-entities nothing of it is stored on disk
                    HandOffStopMessage = TaskHandOff.Instance,   // a task whose shard moves asks to be woken at the new home
                });
        return builder;
    }

    /// <summary>
    /// A graceful stop lets the start calls in flight finish (bounded) after the tasks are handed off: their continuations
    /// store Veo's answers as start receipts, so the tasks resume those operations wherever they come back.
    /// </summary>
    private static void DrainStartCallsOnShutdown(ActorSystem system, TaskServices services, ILogger logger)
    {
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "veo-drain-start-calls", async () =>
        {
            var pending = services.StartCalls.Count;
            if (pending == 0)
            {
                return global::Akka.Done.Instance;
            }

            var limit = services.Settings.StartCallTimeout < StartCallDrainLimit ? services.Settings.StartCallTimeout : StartCallDrainLimit;
            StartCallDrainLog.Waiting(logger, limit.TotalSeconds, pending);
            if (!await services.StartCalls.WaitUntilDrainedAsync(limit, services.Clock).ConfigureAwait(false))
            {
                StartCallDrainLog.Abandoned(logger, services.StartCalls.Count);
            }

            return global::Akka.Done.Instance;
        });
    }

    /// <summary>
    /// Akka.Persistence.Sql with the settings measured fastest on SQLite (WAL + synchronous=NORMAL, one
    /// writer, large write batches, read-uncommitted reads so recovery does not take the write lock) and the plain
    /// defaults PostgreSQL does well with.
    /// </summary>
    internal static AkkaConfigurationBuilder WithVeoPersistence(this AkkaConfigurationBuilder builder, VeoPersistenceOptions persistence)
    {
        var connectionString = persistence.ConnectionString;
        // Akka.Persistence.Sql.Hosting's own connectivity probe (WithConnectivityCheck) cannot load against the linq2db it
        // runs with (a missing LinqToDB.Data.DataConnectionExtensions), so the database is probed by a query of ours.
        builder.WithHealthCheck(
            VeoGenerationHealthChecks.DatabaseCheckName,
            new JournalDatabaseHealthCheck(persistence),
            HealthStatus.Unhealthy,
            [VeoGenerationHealthChecks.ReadyTag]);
        if (persistence.Provider == VeoPersistenceProvider.Sqlite)
        {
            SqliteTuning.PrepareDatabaseFile(connectionString);
            var dataOptions = new DataOptions()
                .UseConnectionString(ProviderName.SQLiteMS, connectionString)
                .UseAfterConnectionOpened(SqliteTuning.ApplyConnectionPragmas, (connection, ct) => SqliteTuning.ApplyConnectionPragmasAsync(connection, ct));
            var journal = new SqlJournalOptions(isDefaultPlugin: true)
            {
                ConnectionString = connectionString,
                ProviderName = ProviderName.SQLiteMS,
                DataOptions = dataOptions,
                AutoInitialize = true,
                TagStorageMode = TagMode.Csv,
                ReadIsolationLevel = IsolationLevel.ReadUncommitted,
            };
            builder.WithSqlPersistence(
                journal,
                new SqlSnapshotOptions(isDefaultPlugin: true)
                {
                    ConnectionString = connectionString,
                    ProviderName = ProviderName.SQLiteMS,
                    DataOptions = dataOptions,
                    AutoInitialize = true,
                    ReadIsolationLevel = IsolationLevel.ReadUncommitted,
                },
                WithJournalHealthChecks,
                _ => { });

            // One writer: SQLite has a single write lock, and a second writer measured slower (366 vs 410 tasks/s).
            builder.AddHocon("akka.persistence.journal.sql { parallelism = 1, batch-size = 500 }", HoconAddMode.Prepend);
        }
        else
        {
            var journal = new SqlJournalOptions(isDefaultPlugin: true)
            {
                ConnectionString = connectionString,
                ProviderName = ProviderName.PostgreSQL15,
                AutoInitialize = true,
                TagStorageMode = TagMode.Csv,
            };
            builder.WithSqlPersistence(
                journal,
                new SqlSnapshotOptions(isDefaultPlugin: true)
                {
                    ConnectionString = connectionString,
                    ProviderName = ProviderName.PostgreSQL15,
                    AutoInitialize = true,
                },
                WithJournalHealthChecks,
                _ => { });
            builder.AddHocon("akka.persistence.journal.sql { batch-size = 500 }", HoconAddMode.Prepend);
        }

        return builder;
    }

    /// <summary>Akka.Persistence's journal probe (the plugin answers, its circuit breaker is closed), part of readiness.</summary>
    private static void WithJournalHealthChecks(AkkaPersistenceJournalBuilder journal)
        => journal.WithHealthCheck(HealthStatus.Unhealthy, VeoGenerationHealthChecks.JournalCheckName, [VeoGenerationHealthChecks.ReadyTag]);

    private const string VeoClientHint = "register one with AddVeoClient (package Veo.Sdk)";

    internal static IGenerationRecorder CreateRecorder(VeoPersistenceOptions persistence) => persistence.Provider switch
    {
        VeoPersistenceProvider.PostgreSql => new PostgreSqlGenerationStore(persistence.ConnectionString),
        _ => new SqliteGenerationStore(persistence.ConnectionString),
    };

    /// <summary>
    /// Who survives a partition, or a node that stops answering: keep-majority unless <c>Akka:SplitBrainResolver</c> says
    /// keep-oldest. A crash and a partition look the same from the other side, so some node must decide alone; the majority
    /// is the side that can be trusted to have the journal's writers, and with three or more nodes the loss of any one
    /// leaves a majority. Two nodes cannot both survive either loss under any static rule: keep-majority keeps the node with
    /// the lowest address, keep-oldest (down-if-alone) the oldest.
    /// </summary>
    internal static global::Akka.Cluster.Hosting.SBR.SplitBrainResolverOption SplitBrainStrategy(IConfigurationSection akka)
        => akka["SplitBrainResolver"]?.Trim().ToUpperInvariant() switch
        {
            null or "" or "KEEP-MAJORITY" or "KEEPMAJORITY" => new global::Akka.Cluster.Hosting.SBR.KeepMajorityOption(),
            "KEEP-OLDEST" or "KEEPOLDEST" => new global::Akka.Cluster.Hosting.SBR.KeepOldestOption { DownIfAlone = true },
            var other => throw new ArgumentException($"Akka:SplitBrainResolver '{other}' is not one of keep-majority, keep-oldest (environment variable Akka__SplitBrainResolver)."),
        };

    /// <summary>
    /// How long membership must be unchanged before the split-brain resolver downs the unreachable side (<c>Akka:StableAfterSeconds</c>,
    /// default 7 s). Akka's default of 20 s suits clusters of hundreds; for a handful of nodes, 7 s is what Akka recommends
    /// and is the bulk of the time a lost node's tasks wait for another node to take them over.
    /// </summary>
    internal static TimeSpan StableAfter(IConfigurationSection akka)
    {
        var raw = akka["StableAfterSeconds"];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return TimeSpan.FromSeconds(7);
        }

        return double.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 1
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"Akka:StableAfterSeconds '{raw}' must be a number of seconds, at least 1 (environment variable Akka__StableAfterSeconds).");
    }

    private static string[] SeedNodes(IConfigurationSection akka)
    {
        var section = akka.GetSection("SeedNodes");
        var listed = section.GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim());
        var inline = (section.Value ?? string.Empty).Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. listed.Concat(inline).Distinct(StringComparer.Ordinal)];
    }

    private static T Require<T>(T? service, string? hint = null)
        where T : class
        => service ?? throw new InvalidOperationException(
            $"The Veo generation engine needs a {typeof(T).Name} in the service provider; {hint ?? "call AddVeoGenerationServices (or AddVeoGenerationEngine)"}.");

    private static bool Valid(Action validate)
    {
        validate();   // throws an ArgumentException whose message names the key
        return true;
    }
}

/// <summary>Creates the generation table at start-up, so the first finished task does not pay for it.</summary>
internal sealed partial class GenerationTableInitializer(IGenerationRecorder recorder, ILogger<GenerationTableInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await recorder.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not fatal here: the store creates the table on first use, and the database may come up later.
            LogInitializationFailed(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not create the generation table at start-up; it will be created on first use.")]
    private static partial void LogInitializationFailed(ILogger logger, Exception exception);
}

internal static partial class StartCallDrainLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting up to {LimitSeconds} s for {Pending} start call(s) to Veo to be answered before the node stops")]
    public static partial void Waiting(ILogger logger, double limitSeconds, int pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Pending} start call(s) to Veo were still unanswered when the node stopped; their tasks will wait for the start-call timeout after recovery and then count as indeterminate starts")]
    public static partial void Abandoned(ILogger logger, int pending);
}
