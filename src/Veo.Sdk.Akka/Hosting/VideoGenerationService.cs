using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Veo.Sdk.Akka.Actors;
using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Akka.Hosting;

/// <summary>
/// The facade over the shard region: the only place that waits on actors (<c>Ask</c> with a timeout), so endpoints and
/// consoles never touch Akka.
/// </summary>
internal sealed class VideoGenerationService(ActorRegistry registry, IServiceProvider services, IOptions<VeoGenerationOptions> options, IOptions<VeoStorageOptions> storage)
    : IVideoGenerationService
{
    private readonly TimeSpan _askTimeout = TimeSpan.FromSeconds(options.Value.AskTimeoutSeconds);
    private readonly TimeSpan _readAskTimeout = TimeSpan.FromSeconds(options.Value.ReadAskTimeoutSeconds);

    public async Task<SubmitResult> SubmitAsync(VideoGenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Veo, nameof(request.Veo));
        // The backend's own rules too, so a request the client would refuse at its start is refused here, before it queues.
        var backend = (services.GetService<IVeoClient>() as VeoClient)?.Backend;
        if (backend is { } known)
        {
            request.Veo.Validate(known);
        }
        else
        {
            request.Veo.Validate();
        }

        if (!Enum.IsDefined(request.Priority))
        {
            throw new ArgumentException($"Priority {(int)request.Priority} is not one of High, Normal, Low.", nameof(request));
        }

        var id = request.TaskId is null ? VideoTaskId.New() : VideoTaskId.Parse(request.TaskId, nameof(request));

        // Decided here, once, and journaled with the request: a recovered task writes to the same folder.
        if (backend == VeoBackend.VertexAi && request.Veo.StorageUri is null && storage.Value.StorageUriFor(id.Value) is { } storageUri)
        {
            request = request with { Veo = request.Veo with { StorageUri = storageUri } };
        }
        var reply = await AskAsync(new VideoTaskCommands.Submit(id, request with { TaskId = id.Value }), _askTimeout, nameof(VeoGenerationOptions.AskTimeoutSeconds), cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            VideoTaskReplies.SubmitAccepted accepted => new SubmitResult(id.Value, accepted.AlreadyExisted, accepted.EstimatedTimeSeconds),
            VideoTaskReplies.QueueFull full => throw new GenerationQueueFullException(full.MaxQueueLength, TimeSpan.FromSeconds(full.RetryAfterSeconds)),
            VideoTaskReplies.TaskIdConflict => throw new TaskIdConflictException(id.Value),
            _ => throw Unexpected(reply),
        };
    }

    public async Task<VideoTaskStatus?> GetStatusAsync(string taskId, CancellationToken cancellationToken = default)
    {
        if (!VideoTaskId.TryParse(taskId, out var id, out _))
        {
            return null;   // no task can have this id
        }

        var reply = await AskAsync(new VideoTaskCommands.GetStatus(id), _readAskTimeout, nameof(VeoGenerationOptions.ReadAskTimeoutSeconds), cancellationToken).ConfigureAwait(false);
        return reply is VideoTaskReplies.StatusReply status ? status.Status : throw Unexpected(reply);
    }

    public async Task<CancelOutcome> CancelAsync(string taskId, CancellationToken cancellationToken = default)
    {
        if (!VideoTaskId.TryParse(taskId, out var id, out _))
        {
            return CancelOutcome.NotFound;
        }

        var reply = await AskAsync(new VideoTaskCommands.Cancel(id), _readAskTimeout, nameof(VeoGenerationOptions.ReadAskTimeoutSeconds), cancellationToken).ConfigureAwait(false);
        return reply is VideoTaskReplies.CancelReply cancel ? cancel.Outcome : throw Unexpected(reply);
    }

    public async IAsyncEnumerable<VideoTaskStatus> WatchAsync(string taskId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var watched in WatchEventsAsync(taskId, cancellationToken).ConfigureAwait(false))
        {
            if (watched is VideoTaskStatusEvent changed)
            {
                yield return changed.Status;
            }
        }
    }

    public async IAsyncEnumerable<VideoTaskWatchEvent> WatchEventsAsync(string taskId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!VideoTaskId.TryParse(taskId, out var id, out _))
        {
            yield break;
        }

        var region = await registry.GetAsync<VideoGenerationRegion>(cancellationToken).ConfigureAwait(false);
        var system = services.GetRequiredService<ActorSystem>();

        // Bounded: a slow reader loses intermediate events (oldest first), never the final status, which is written last.
        var channel = Channel.CreateBounded<VideoTaskWatchEvent>(new BoundedChannelOptions(64)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        });
        var subscriber = system.ActorOf(Props.CreateBy(new StatusSubscriberProducer(id, region, channel.Writer)));
        try
        {
            await foreach (var watched in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return watched;
                if (watched is VideoTaskStatusEvent { Status.IsFinal: true })
                {
                    yield break;
                }
            }
        }
        finally
        {
            // The subscriber unsubscribes from the task when it stops.
            system.Stop(subscriber);
        }
    }

    private async Task<object> AskAsync(object command, TimeSpan timeout, string setting, CancellationToken cancellationToken)
    {
        var region = await registry.GetAsync<VideoGenerationRegion>(cancellationToken).ConfigureAwait(false);
        try
        {
            var reply = await region.Ask<object>(command, timeout, cancellationToken).ConfigureAwait(false);
            return reply is Status.Failure failure
                ? throw new InvalidOperationException($"The generation engine could not store the task: {failure.Cause.Message}", failure.Cause)
                : reply;
        }
        catch (AskTimeoutException ex)
        {
            throw new GenerationUnavailableException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"The task did not answer within {timeout.TotalSeconds:0.###} s (Generation:{setting}); its shard may be moving to another node, or the node is starting, recovering or overloaded."),
                TimeSpan.FromSeconds(1),
                ex);
        }
    }

    private static InvalidOperationException Unexpected(object reply)
        => new($"The generation engine answered with an unexpected {reply.GetType().Name}.");
}
