using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Veo.Sdk.Internal;

namespace Veo.Sdk;

/// <summary>
/// A Veo video generation in progress, in the style of Azure's <c>Operation&lt;T&gt;</c>. Its <see cref="Name"/> is Veo's
/// operation name and is all another process needs to re-attach (<see cref="IVeoClient.GetGenerateVideoOperation"/>).
/// </summary>
/// <remarks>
/// Veo cannot cancel a generation. Cancelling a token passed here stops waiting only; the generation runs on and is billed.
/// </remarks>
public class GenerateVideoOperation
{
    private readonly IVeoClient? _client;
    private readonly TimeSpan _defaultPollingInterval;
    private readonly ILogger _logger = NullLogger.Instance;
    private readonly TimeProvider _timeProvider = TimeProvider.System;
    private readonly long? _startedTimestamp;
    private readonly string? _model;
    private readonly VeoMetrics _metrics = VeoMetrics.Shared;
    private VeoOperationStatus? _status;
    private int _pollCount;
    private int _durationRecorded;

    /// <summary>Creates an operation for mocking.</summary>
    protected GenerateVideoOperation()
    {
        Name = string.Empty;
    }

    /// <summary>Creates an operation that polls through <paramref name="client"/>.</summary>
    /// <param name="client">The client that polls Veo.</param>
    /// <param name="name">Veo's operation name.</param>
    /// <param name="defaultPollingInterval">How long to wait between polls when Veo names no delay.</param>
    /// <param name="status">The state already known, if any.</param>
    public GenerateVideoOperation(IVeoClient client, string name, TimeSpan defaultPollingInterval, VeoOperationStatus? status = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(defaultPollingInterval, TimeSpan.Zero);
        _client = client;
        Name = name;
        _defaultPollingInterval = defaultPollingInterval;
        _status = status;
    }

    /// <summary>The client's own constructor: adds logging, and the start time for the generation-duration metric.</summary>
    internal GenerateVideoOperation(
        IVeoClient client, string name, TimeSpan defaultPollingInterval, VeoOperationStatus? status,
        ILogger logger, TimeProvider timeProvider, long? startedTimestamp, string? model, VeoMetrics metrics)
        : this(client, name, defaultPollingInterval, status)
    {
        _metrics = metrics;
        _logger = logger;
        _timeProvider = timeProvider;
        _startedTimestamp = startedTimestamp;
        _model = model;
    }

    /// <summary>Veo's operation name, e.g. <c>models/veo-3.1-generate-preview/operations/abc123def456</c>.</summary>
    public virtual string Name { get; }

    /// <summary>Whether the last known state is done (videos, filtered or failed).</summary>
    public virtual bool HasCompleted => _status?.HasCompleted == true;

    /// <summary>Whether <see cref="Value"/> holds a <see cref="GenerateVideoResult.Succeeded"/> result.</summary>
    public virtual bool HasValue => _status?.Result is GenerateVideoResult.Succeeded;

    /// <summary>The outcome once <see cref="HasCompleted"/> is true.</summary>
    /// <exception cref="InvalidOperationException">The operation has not completed (as far as this object knows).</exception>
    public virtual GenerateVideoResult Value => _status is { HasCompleted: true, Result: { } result }
        ? result
        : throw new InvalidOperationException($"Operation '{Name}' has not completed yet; call UpdateStatusAsync or WaitForCompletionAsync first.");

    /// <summary>The last state polled, if any.</summary>
    public virtual VeoOperationStatus? LastStatus => _status;

    /// <summary>Polls Veo once and updates this object.</summary>
    /// <param name="cancellationToken">Stops waiting for the answer (not the generation).</param>
    /// <returns>The new state.</returns>
    /// <exception cref="VeoRequestFailedException">Veo answered with an error or could not be reached.</exception>
    public virtual async Task<VeoOperationStatus> UpdateStatusAsync(CancellationToken cancellationToken = default)
    {
        var client = _client ?? throw new InvalidOperationException("This operation was created for mocking and cannot poll.");
        var status = await client.GetOperationStatusAsync(Name, cancellationToken).ConfigureAwait(false);
        _status = status;
        _pollCount++;
        if (status is { HasCompleted: true, Result: { } result } && _startedTimestamp is { } started
            && Interlocked.Exchange(ref _durationRecorded, 1) == 0)
        {
            _metrics.RecordGenerationDuration(_timeProvider.GetElapsedTime(started), result, _model);
        }

        return status;
    }

    /// <summary>Polls until Veo reports the operation done, waiting the client's configured polling interval between polls.</summary>
    /// <param name="cancellationToken">Stops waiting (not the generation).</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="VeoRequestFailedException">A poll failed after the client's retries.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<GenerateVideoResult> WaitForCompletionAsync(CancellationToken cancellationToken = default)
        => WaitForCompletionAsync(_defaultPollingInterval, cancellationToken);

    /// <summary>Polls until Veo reports the operation done. A delay that Veo asks for wins over <paramref name="pollingInterval"/>.</summary>
    /// <param name="pollingInterval">How long to wait between polls.</param>
    /// <param name="cancellationToken">Stops waiting (not the generation).</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="VeoRequestFailedException">A poll failed after the client's retries.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task<GenerateVideoResult> WaitForCompletionAsync(TimeSpan pollingInterval, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollingInterval, TimeSpan.Zero);
        while (true)
        {
            if (_status is { HasCompleted: true, Result: { } done })
            {
                return done;
            }

            var wait = _status is null ? TimeSpan.Zero : _status.SuggestedPollDelay ?? pollingInterval;
            if (wait > TimeSpan.Zero)
            {
                Log.OperationPending(_logger, Name, _pollCount, wait);
                await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
            }

            await UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"GenerateVideoOperation {Name} ({(HasCompleted ? "completed" : "running")})";
}
