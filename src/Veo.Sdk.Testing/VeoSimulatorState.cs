using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Veo.Sdk.Testing.Internal;

namespace Veo.Sdk.Testing;

/// <summary>
/// The simulator's state: operations, files, the queue of scripted outcomes and the statistics. <see cref="VeoSimulator"/>
/// owns one; to host the simulator in your own ASP.NET Core app, register one with
/// <c>services.AddVeoSimulator(…)</c> and map the endpoints with <c>app.MapVeoSimulator()</c>. Thread-safe.
/// </summary>
/// <remarks>
/// No timer or task runs per operation: an operation is done when the clock passes its completion time. To keep
/// <see cref="VeoSimulatorStats.Active"/> and <see cref="VeoSimulatorStats.MaxActive"/> exact anyway, pending completion times
/// sit in a min-heap that is swept before every start and every read of the statistics; since <c>active</c> only grows at a
/// start, its maximum is always seen right after one.
/// </remarks>
public sealed class VeoSimulatorState
{
    /// <summary>How long the Gemini API keeps generated files (Google documents 2 days).</summary>
    internal static readonly TimeSpan FileRetention = TimeSpan.FromDays(2);

    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    private readonly Lock _gate = new();
    private readonly PriorityQueue<SimulatedOperation, long> _pending = new();
    private readonly Queue<SimulatedOutcome> _script = new();
    private readonly ConcurrentDictionary<string, SimulatedOperation> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SimulatedFile> _files = new(StringComparer.Ordinal);
    private readonly byte[] _mediaSigningKey = RandomNumberGenerator.GetBytes(32);
    private readonly ILogger _logger;

    private int _active;
    private int _maxActive;
    private long _operationsStarted;
    private long _polls;
    private long _downloads;
    private long _startRequests;
    private long _rejectedStarts;

    /// <summary>Creates the state for a simulator with these settings.</summary>
    /// <param name="options">The settings; checked here.</param>
    /// <param name="logger">Where the simulator logs what it does; nothing is logged when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public VeoSimulatorState(VeoSimulatorOptions options, ILogger<VeoSimulatorState>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        TimeProvider = options.TimeProvider;
        KnownModels = options.KnownModels.ToFrozenSet(StringComparer.Ordinal);
        RetiredModels = options.RetiredModels.ToFrozenSet(StringComparer.Ordinal);
        Tokens = new TokenAuthority(TimeProvider);
        Buckets = new SimulatedBuckets(TimeProvider);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The settings this state was created with.</summary>
    public VeoSimulatorOptions Options { get; }

    internal TimeProvider TimeProvider { get; }

    internal FrozenSet<string> KnownModels { get; }

    internal FrozenSet<string> RetiredModels { get; }

    internal TokenAuthority Tokens { get; }

    internal SimulatedBuckets Buckets { get; }

    /// <summary>
    /// The names of the Cloud Storage objects in a bucket right now, in order: the videos Vertex AI wrote under a
    /// <c>storageUri</c> (once their operation is done) and what clients uploaded or copied there.
    /// </summary>
    /// <param name="bucket">The bucket's name.</param>
    /// <returns>The object names, sorted ordinally.</returns>
    public IReadOnlyList<string> GetStorageObjectNames(string bucket)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        return Buckets.ListNames(bucket, TimeProvider.GetTimestamp());
    }

    /// <summary>
    /// Registers a service account whose signed JWT assertions the token endpoint (<c>POST /token</c>) accepts, as Google
    /// knows the public half of a service-account key.
    /// </summary>
    /// <param name="clientEmail">The service account's e-mail (the assertion's <c>iss</c>).</param>
    /// <param name="publicKey">The key that verifies its signatures; only the public half is kept.</param>
    public void AddServiceAccount(string clientEmail, RSA publicKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientEmail);
        ArgumentNullException.ThrowIfNull(publicKey);
        Tokens.AddServiceAccount(clientEmail, publicKey);
    }

    /// <summary>Revokes a service account's key: its token requests get <c>invalid_grant</c> and its tokens stop working.</summary>
    /// <param name="clientEmail">The service account's e-mail.</param>
    public void RevokeServiceAccount(string clientEmail) => Tokens.Revoke(clientEmail);

    /// <summary>Lets every access token issued so far expire now, as if an hour had passed; clients must fetch new ones.</summary>
    public void ExpireAccessTokens() => Tokens.ExpireAll();

    internal ILogger Logger => _logger;

    /// <summary>Queues a scripted outcome; each start request that passes validation takes the next one (FIFO).</summary>
    /// <param name="outcome">What happens to that request.</param>
    /// <exception cref="ArgumentException">The outcome is invalid (e.g. a negative latency, a non-error HTTP status).</exception>
    public void Enqueue(SimulatedOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        outcome.Validate();
        lock (_gate)
        {
            _script.Enqueue(outcome);
        }
    }

    /// <summary>The names of the operations started since the simulator started, oldest first (for tests that reason about a lost answer).</summary>
    public IReadOnlyList<string> GetOperationNames()
        => [.. _operations.Values.OrderBy(o => o.CompletesAt - (long)(o.Latency.TotalSeconds * TimeProvider.TimestampFrequency)).Select(o => o.Name)];

    /// <summary>A snapshot of the statistics, the same numbers <c>GET /_simulator/stats</c> returns.</summary>
    public VeoSimulatorStats GetStats()
    {
        lock (_gate)
        {
            SweepLocked(TimeProvider.GetTimestamp());
            return new VeoSimulatorStats(
                Interlocked.Read(ref _operationsStarted),
                Interlocked.Read(ref _polls),
                Interlocked.Read(ref _downloads),
                _active,
                _maxActive,
                Interlocked.Read(ref _startRequests),
                Interlocked.Read(ref _rejectedStarts),
                Tokens.TokenRequests,
                Buckets.Uploads,
                Buckets.Copies);
        }
    }

    /// <summary>
    /// Sets the counters back to zero. Operations in flight keep running: <c>active</c> keeps counting them and
    /// <c>max_active</c> restarts from the current <c>active</c>.
    /// </summary>
    public void ResetStats()
    {
        lock (_gate)
        {
            SweepLocked(TimeProvider.GetTimestamp());
            Interlocked.Exchange(ref _operationsStarted, 0);
            Interlocked.Exchange(ref _polls, 0);
            Interlocked.Exchange(ref _downloads, 0);
            Interlocked.Exchange(ref _startRequests, 0);
            Interlocked.Exchange(ref _rejectedStarts, 0);
            Tokens.ResetStats();
            Buckets.ResetStats();
            _maxActive = _active;
        }
    }

    /// <summary>Resets the statistics (see <see cref="ResetStats"/>) and drops the scripted outcomes not yet used.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _script.Clear();
        }

        ResetStats();
        Log.Reset(_logger);
    }

    internal void CountStartRequest() => Interlocked.Increment(ref _startRequests);

    internal void CountRejectedStart() => Interlocked.Increment(ref _rejectedStarts);

    internal void CountPoll() => Interlocked.Increment(ref _polls);

    internal void CountDownload() => Interlocked.Increment(ref _downloads);

    /// <summary>
    /// Decides what a validated start request gets and, when that is an operation, starts it. The quota check and the start
    /// happen under one lock, so <see cref="VeoSimulatorOptions.MaxConcurrentOperations"/> is never exceeded.
    /// </summary>
    internal StartDecision Start(ApiSurface surface, string model, string resourcePrefix, StartRequest request, PromptMarkers markers)
    {
        var options = Options;
        SimulatedOperation operation;
        TimeSpan responseDelay;
        lock (_gate)
        {
            var now = TimeProvider.GetTimestamp();
            SweepLocked(now);

            _script.TryPeek(out var scripted);
            responseDelay = TimeSpan.Zero;
            var effective = scripted;
            while (effective is SimulatedOutcome.SlowStart slow)
            {
                responseDelay += slow.Delay;
                effective = slow.Then;
            }

            if (effective is SimulatedOutcome.HttpError httpError)
            {
                _script.Dequeue();
                return StartDecision.Reject(GoogleApiError.Scripted(httpError.Status, httpError.GoogleStatus, httpError.Message, httpError.RetryDelay), responseDelay);
            }

            if (scripted is null && markers.Outcome == MarkerOutcome.QuotaExceeded)
            {
                return StartDecision.Reject(GoogleApiError.QuotaExceeded(
                    model, options.QuotaRetryDelay, "PredictLongRunningRequestsPerMinutePerProjectPerModel", "10",
                    "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."), TimeSpan.Zero);
            }

            if (scripted is null && markers.Outcome == MarkerOutcome.InternalError)
            {
                return StartDecision.Reject(GoogleApiError.Internal(), TimeSpan.Zero);
            }

            if (options.MaxConcurrentOperations is { } limit && _active >= limit)
            {
                // the scripted outcome stays queued for the next request that gets through
                return StartDecision.Reject(GoogleApiError.QuotaExceeded(
                    model, options.QuotaRetryDelay, "ConcurrentPredictLongRunningRequestsPerProjectPerModel", limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    $"You exceeded your current quota: at most {limit} video generations may run at once for this project and model. Please retry after the delay."), TimeSpan.Zero);
            }

            if (scripted is not null)
            {
                _script.Dequeue();
            }

            var (result, latency, reason, code, message) = effective switch
            {
                SimulatedOutcome.Success s => (OperationResultKind.Succeeded, s.Latency, null, 0, null),
                SimulatedOutcome.Filtered f => (OperationResultKind.Filtered, f.Latency, f.Reason, 0, null),
                SimulatedOutcome.OperationError e => (OperationResultKind.Failed, e.Latency, null, e.Code, e.Message),
                _ => markers.Outcome switch
                {
                    MarkerOutcome.Filtered => (OperationResultKind.Filtered, (TimeSpan?)null, DefaultFilterReason(request.SampleCount), 0, (string?)null),
                    MarkerOutcome.OperationError => (OperationResultKind.Failed, null, null, 13, "Video generation failed due to an internal error. (simulated by [sim:error])"),
                    _ when markers.FilteredSamples >= request.SampleCount => (OperationResultKind.Filtered, null, DefaultFilterReason(request.SampleCount), 0, null),
                    _ when markers.FilteredSamples > 0 => (OperationResultKind.Succeeded, null, DefaultFilterReason(markers.FilteredSamples), 0, null),
                    _ => (OperationResultKind.Succeeded, null, null, 0, null),
                },
            };

            var filteredSamples = result switch
            {
                OperationResultKind.Filtered => request.SampleCount,
                OperationResultKind.Succeeded when effective is null => Math.Min(markers.FilteredSamples, request.SampleCount),
                _ => 0,
            };
            var delivered = result == OperationResultKind.Succeeded ? request.SampleCount - filteredSamples : 0;

            var duration = latency ?? markers.Latency ?? NextLatency(options);
            var completesAt = now + (long)(duration.TotalSeconds * TimeProvider.TimestampFrequency);
            var id = surface == ApiSurface.Gemini ? RandomId() : Guid.NewGuid().ToString("D");
            var fileIds = result == OperationResultKind.Succeeded && surface == ApiSurface.Gemini
                ? Enumerable.Range(0, delivered).Select(_ => RandomId()).ToArray()
                : [];

            // Vertex AI writes the videos under the storage prefix: {prefix}{operation id}/sample_{i}.mp4
            string[] storageObjects = [];
            var bucket = string.Empty;
            if (result == OperationResultKind.Succeeded && surface == ApiSurface.Vertex && request.StorageUri is { } storageUri)
            {
                var rest = storageUri["gs://".Length..];
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                bucket = slash < 0 ? rest : rest[..slash];
                var prefix = slash < 0 ? string.Empty : rest[(slash + 1)..];
                if (prefix.Length > 0 && !prefix.EndsWith('/'))
                {
                    prefix += "/";
                }

                storageObjects = Enumerable.Range(0, delivered).Select(i => $"{prefix}{id}/sample_{i}.mp4").ToArray();
            }

            operation = new SimulatedOperation(markers.FailFirstPoll, markers.BrokenDownloads)
            {
                Name = $"{resourcePrefix}/operations/{id}",
                Model = model,
                Surface = surface,
                Request = request,
                CompletesAt = completesAt,
                CompletesAtUtc = TimeProvider.GetUtcNow() + duration,
                Latency = duration,
                Result = result,
                FilterReason = reason,
                FilteredSamples = filteredSamples,
                ErrorCode = code,
                ErrorMessage = message,
                FileIds = fileIds,
                StorageObjects = storageObjects,
                StorageBucket = bucket,
            };

            if (!_operations.TryAdd(operation.Name, operation))
            {
                // 36^12 ids make this a near impossibility; refuse loudly rather than overwrite another operation
                return StartDecision.Reject(GoogleApiError.Internal(), TimeSpan.Zero);
            }

            foreach (var fileId in fileIds)
            {
                _files[fileId] = new SimulatedFile(fileId, SampleVideos.For(request.AspectRatio), operation);
            }

            foreach (var objectName in storageObjects)
            {
                Buckets.AddGenerated(bucket, objectName, SampleVideos.For(request.AspectRatio), operation);
            }

            _pending.Enqueue(operation, completesAt);
            _active++;
            _maxActive = Math.Max(_maxActive, _active);
            Interlocked.Increment(ref _operationsStarted);
        }

        Log.OperationStarted(_logger, operation.Name, operation.Result, operation.Latency.TotalMilliseconds);
        return StartDecision.Started(operation, responseDelay);
    }

    internal bool TryGetOperation(string name, out SimulatedOperation operation) => _operations.TryGetValue(name, out operation!);

    internal bool TryGetFile(string fileId, out SimulatedFile file) => _files.TryGetValue(fileId, out file!);

    /// <summary>Whether a file can be downloaded now: its operation is done and the 2-day retention has not passed.</summary>
    internal bool IsAvailable(SimulatedFile file)
        => file.Operation.IsDone(TimeProvider.GetTimestamp()) && TimeProvider.GetUtcNow() < file.Operation.CompletesAtUtc + FileRetention;

    internal string SignMedia(string fileId)
        => Convert.ToBase64String(HMACSHA256.HashData(_mediaSigningKey, Encoding.UTF8.GetBytes(fileId)).AsSpan(0, 18)).Replace('+', '-').Replace('/', '_');

    internal bool VerifyMediaSignature(string fileId, string? signature)
        => signature is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(SignMedia(fileId)), Encoding.ASCII.GetBytes(signature));

    private void SweepLocked(long now)
    {
        while (_pending.TryPeek(out _, out var completesAt) && completesAt <= now)
        {
            _pending.Dequeue();
            _active--;
        }
    }

    private static TimeSpan NextLatency(VeoSimulatorOptions options)
        => options.MaxLatency is { } max && max > options.Latency
            ? options.Latency + (max - options.Latency) * Random.Shared.NextDouble()
            : options.Latency;

    private static string RandomId() => new(RandomNumberGenerator.GetItems<char>(IdAlphabet, 12));

    private static string DefaultFilterReason(int count)
        => $"Veo could not generate {count} videos because the input prompt violates Google's Responsible AI practices. You will not be charged for blocked videos. Support codes: 58061214 (simulated by [sim:filtered])";
}

/// <summary>What a start request gets: an operation, or an error; either answered after <see cref="ResponseDelay"/>.</summary>
internal sealed record StartDecision(SimulatedOperation? Operation, GoogleApiError? Error, TimeSpan ResponseDelay)
{
    public static StartDecision Started(SimulatedOperation operation, TimeSpan delay) => new(operation, null, delay);

    public static StartDecision Reject(GoogleApiError error, TimeSpan delay) => new(null, error, delay);
}
