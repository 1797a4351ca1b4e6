using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using Akka.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Veo.Sdk.Akka.Actors;
using Veo.Sdk.Akka.Generation;
using Veo.Sdk.Akka.Storage;

namespace Veo.Sdk.Akka.Hosting;

/// <summary>
/// Walks the submit path once as soon as the node is up, before readiness says yes: the generation table and the start
/// receipts are opened, the journal writes, reads and deletes an event of its own, the cluster's dispatcher answers, and a
/// status is asked of the shard region. The first submit after start-up took 1.3–1.5 s, nearly all of it one-time work (the journal plugin starting,
/// its first queries compiled, stores opened, the JIT); a node that is ready has done it already.
/// </summary>
internal sealed partial class EngineWarmup
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether the warm-up has run (successfully or not: a failure is for the other probes to report).</summary>
    public bool IsDone => _done.Task.IsCompleted;

    /// <summary>Waits until the warm-up has run.</summary>
    public Task Completion => _done.Task;

    /// <summary>Starts the warm-up once this node is a member of its cluster; returns at once.</summary>
    public void StartWhenUp(ActorSystem system)
    {
        global::Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => _ = RunAsync(system));
    }

    private async Task RunAsync(ActorSystem system)
    {
        var resolver = DependencyResolver.For(system).Resolver;
        var logger = resolver.GetService<ILoggerFactory>()?.CreateLogger<EngineWarmup>() ?? (ILogger)NullLogger.Instance;
        var started = DateTimeOffset.UtcNow;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            // A receipt lookup opens the receipt store and the generation table (creating it when missing).
            if (resolver.GetService<IGenerationRecorder>() is { } recorder)
            {
                await recorder.FindStartAsync(VideoTaskId.New().Value, timeout.Token).ConfigureAwait(false);
            }

            var journal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            system.ActorOf(Props.Create(() => new JournalWarmupActor(journal)), "veo-journal-warmup");
            await journal.Task.WaitAsync(timeout.Token).ConfigureAwait(false);

            // The dispatcher is a cluster singleton: a submit waits for its answer, so readiness waits until the proxy has found it.
            var dispatcher = await ActorRegistry.For(system).GetAsync<GenerationDispatcherKey>(timeout.Token).ConfigureAwait(false);
            while (true)
            {
                try
                {
                    await dispatcher.Ask<DispatcherProtocol.State>(DispatcherProtocol.GetState.Instance, TimeSpan.FromSeconds(2), timeout.Token).ConfigureAwait(false);
                    break;
                }
                catch (AskTimeoutException) when (!timeout.IsCancellationRequested)
                {
                    // not found yet (the cluster is still forming): ask again
                }
            }

            if (resolver.GetService<IVideoGenerationService>() is { } service)
            {
                // A cold node's first ask can outlast one read timeout (the coordinator is still being found): ask again,
                // so that readiness means the shard region answers.
                while (true)
                {
                    try
                    {
                        await service.GetStatusAsync(VideoTaskId.New().Value, timeout.Token).ConfigureAwait(false);
                        break;
                    }
                    catch (GenerationUnavailableException unavailable) when (!timeout.IsCancellationRequested)
                    {
                        await Task.Delay(unavailable.RetryAfter, timeout.Token).ConfigureAwait(false);
                    }
                }
            }

            LogWarm(logger, (DateTimeOffset.UtcNow - started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not fatal: the journal and database probes say what is wrong, and the first submit does the work itself.
            LogFailed(logger, ex);
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The submit path is warm ({Milliseconds:0} ms: stores, journal, dispatcher, shard region)")]
    private static partial void LogWarm(ILogger logger, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming up the submit path failed; the first submit will do that work instead")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    /// <summary>Writes one event to the engine's journal, deletes it again, and stops: the journal's write, read and delete paths are then warm.</summary>
    private sealed class JournalWarmupActor : ReceivePersistentActor
    {
        private readonly TaskCompletionSource _done;

        public JournalWarmupActor(TaskCompletionSource done)
        {
            _done = done;
            Recover<RecoveryCompleted>(_ => Persist(DateTimeOffset.UtcNow.UtcTicks, _ => DeleteMessages(LastSequenceNr)));
            Command<DeleteMessagesSuccess>(_ =>
            {
                done.TrySetResult();
                Context.Stop(Self);
            });
            Command<DeleteMessagesFailure>(failure =>
            {
                done.TrySetException(failure.Cause);
                Context.Stop(Self);
            });
        }

        public override string PersistenceId => "veo-engine-warmup";

        protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
        {
            _done.TrySetException(cause);
            base.OnPersistFailure(cause, @event, sequenceNr);
        }
    }
}

/// <summary>Readiness waits for <see cref="EngineWarmup"/>, so a balancer sends the first submit to a node that is warm.</summary>
internal sealed class EngineWarmupHealthCheck(EngineWarmup warmup) : IAkkaHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(AkkaHealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(warmup.IsDone
            ? HealthCheckResult.Healthy("The submit path is warm.")
            : HealthCheckResult.Unhealthy("The node is warming up its submit path (stores, journal, shard region)."));
}
