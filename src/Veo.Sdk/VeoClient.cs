using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.Timeout;
using Refit;
using Veo.Sdk.Internal;

namespace Veo.Sdk;

/// <summary>
/// Client for Google's Veo video generation models on the Gemini API or Vertex AI (or any server that speaks the same
/// protocol, such as the simulator in <c>Veo.Sdk.Testing</c>, through <see cref="VeoClientOptions.BaseUrl"/>).
/// </summary>
/// <remarks>
/// <para>
/// Register it with <c>services.AddVeoClient(...)</c>, or create it directly with <see cref="VeoClient(VeoClientOptions)"/>;
/// both get the same retry policy: polls and downloads retry transient failures (5xx, 408, 429, no connection), while
/// starting a generation is retried only when Veo surely started nothing (429, or the connection never opened), because a
/// repeated start is a second bill. A delay Google asks for (<c>RetryInfo</c>, <c>Retry-After</c>) is honoured.
/// </para>
/// <para>Veo cannot cancel a generation: cancellation tokens stop waiting, never the generation.</para>
/// <para>The API key is never logged and never appears in exception messages.</para>
/// </remarks>
public class VeoClient : IVeoClient
{
    private const int DownloadBufferSize = 81920;

    private readonly VeoClientOptions _options = null!;
    private readonly VeoHttpApis _apis = null!;
    private readonly ILogger _logger = NullLogger.Instance;
    private readonly TimeProvider _timeProvider = TimeProvider.System;
    private readonly Redactor _redactor = new(null);
    private readonly Uri _baseUrl = VeoEndpoints.GeminiDefault;
    private readonly VeoMetrics _metrics = VeoMetrics.Shared;

    /// <summary>Creates a client for mocking.</summary>
    protected VeoClient() { }

    /// <summary>Creates a client without dependency injection, with its own connection pool and the SDK's retry policy.</summary>
    /// <param name="options">The settings; copied, so later changes to the instance do not affect the client.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid (for example no API key for the Gemini API); the message says what to set.</exception>
    public VeoClient(VeoClientOptions options)
        : this(Compose(options, httpClient: null, loggerFactory: null))
    {
    }

    /// <summary>
    /// Creates a client without dependency injection that sends through <paramref name="httpClient"/> (for example one
    /// with a proxy). The SDK's retry policy, timeouts and authentication are applied around it.
    /// </summary>
    /// <param name="options">The settings; copied, so later changes to the instance do not affect the client.</param>
    /// <param name="httpClient">
    /// The transport; it stays the caller's to dispose. Its own <see cref="HttpClient.Timeout"/> still applies. Create its handler
    /// with <c>AllowAutoRedirect = false</c>: the SDK then follows download redirects itself and sends the key to the API's host only.
    /// </param>
    /// <param name="loggerFactory">Where to log; nothing is logged when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="httpClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message says what to set.</exception>
    public VeoClient(VeoClientOptions options, HttpClient httpClient, ILoggerFactory? loggerFactory = null)
        : this(Compose(options, httpClient ?? throw new ArgumentNullException(nameof(httpClient)), loggerFactory))
    {
    }

    /// <summary>The DI constructor (see <c>AddVeoClient</c>).</summary>
    internal VeoClient(VeoClientOptions options, VeoHttpApis apis, ILoggerFactory? loggerFactory, TimeProvider? timeProvider, VeoMetrics? metrics = null)
        : this(new Composition(Validated(options, VeoClientOptions.SectionName), apis, loggerFactory ?? NullLoggerFactory.Instance, timeProvider ?? TimeProvider.System, metrics ?? VeoMetrics.Shared))
    {
    }

    private static int s_geminiLegacyLogged;

    private VeoClient(Composition composition)
    {
        _options = composition.Options;
        _apis = composition.Apis;
        _logger = composition.LoggerFactory.CreateLogger(VeoHttpRegistration.LoggerCategory);
        _timeProvider = composition.TimeProvider;
        _redactor = new Redactor(_options.ApiKey);
        _baseUrl = VeoEndpoints.GetBaseUrl(_options);
        _metrics = composition.Metrics;

        // Once per process, and not for a server of the caller's own (a simulator, a proxy).
        if (_options.Backend == VeoBackend.GeminiApi && _options.BaseUrl is null && Interlocked.Exchange(ref s_geminiLegacyLogged, 1) == 0)
        {
            Log.GeminiApiIsLegacy(_logger);
        }
    }

    /// <summary>The backend this client talks to.</summary>
    public virtual VeoBackend Backend => _options.Backend;

    /// <summary>
    /// Where this client's Vertex AI credentials come from, in words (never the secret), e.g. "the credentials file
    /// /secrets/veo.json (Veo:CredentialsFile)"; <see langword="null"/> on the Gemini API.
    /// </summary>
    public virtual string? CredentialSource => _options.Backend == VeoBackend.VertexAi ? _apis.Credentials.Source : null;

    /// <summary>
    /// Obtains an access token the way every Vertex AI call does (from the cache while it is fresh), to tell at start-up or
    /// in a readiness probe whether the credentials work. Does nothing on the Gemini API.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when a token was obtained.</returns>
    /// <exception cref="VeoAuthenticationException">No token could be obtained; the message names the credential source.</exception>
    public virtual async Task EnsureCredentialsAsync(CancellationToken cancellationToken = default)
    {
        if (_options.Backend == VeoBackend.VertexAi)
        {
            await _apis.Credentials.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public virtual async Task<GenerateVideoOperation> StartGenerateVideoAsync(GenerateVideoRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var backend = _options.Backend;
        request.Validate(backend);
        var body = ToWire(request, backend);

        using var activity = VeoTelemetry.ActivitySource.StartActivity("Veo.StartGenerateVideo", ActivityKind.Client);
        activity?.SetTag("veo.model", request.Model);
        activity?.SetTag("veo.backend", backend.ToString());
        Log.StartingGeneration(_logger, request.Model, backend, request.Prompt?.Length ?? 0);

        var started = _timeProvider.GetTimestamp();
        var what = $"the start of a generation with model {request.Model}";
        var (operation, _) = await SendAsync(
            VeoCallKind.Start,
            what,
            activity,
            ct => backend == VeoBackend.VertexAi
                ? _apis.Start.StartVertexAsync(_options.ProjectId!, _options.Location, request.Model, body, ct)
                : _apis.Start.StartGeminiAsync(request.Model, body, ct),
            cancellationToken,
            request.Model).ConfigureAwait(false);

        if (string.IsNullOrWhiteSpace(operation.Name))
        {
            throw Failed(VeoCallKind.Start, new VeoRequestFailedException(200, null, $"Veo accepted {what} but returned no operation name."), activity);
        }

        activity?.SetTag("veo.operation", operation.Name);
        Log.GenerationStarted(_logger, operation.Name);
        var status = ParseStatus(operation, operation.Name, null, VeoCallKind.Start, activity);
        return new GenerateVideoOperation(this, operation.Name, _options.PollingInterval, status, _logger, _timeProvider, started, request.Model, _metrics);
    }

    /// <inheritdoc />
    public virtual async Task<VeoOperationStatus> GetOperationStatusAsync(string operationName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationName);
        var backend = _options.Backend;
        Func<CancellationToken, Task<HttpResponseMessage>> call;
        if (backend == VeoBackend.VertexAi)
        {
            var parts = OperationNames.ParseVertex(operationName);
            var fetch = new FetchPredictOperationRequest { OperationName = operationName };
            call = ct => _apis.Poll.FetchVertexOperationAsync(parts.Project, parts.Location, parts.Model, fetch, ct);
        }
        else
        {
            OperationNames.ValidateGemini(operationName);
            call = ct => _apis.Poll.GetGeminiOperationAsync(operationName, ct);
        }

        using var activity = VeoTelemetry.ActivitySource.StartActivity("Veo.GetOperation", ActivityKind.Client);
        activity?.SetTag("veo.operation", operationName);
        activity?.SetTag("veo.backend", backend.ToString());

        var status = await PollAsync(operationName, call, activity, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("veo.done", status.HasCompleted);
        Log.OperationPolled(_logger, operationName, status.HasCompleted);
        if (status is { HasCompleted: true, Result: { } result })
        {
            var outcome = VeoTelemetry.OutcomeName(result);
            var videoCount = result is GenerateVideoResult.Succeeded succeeded ? succeeded.Videos.Count : 0;
            activity?.SetTag("veo.outcome", outcome);
            Log.OperationCompleted(_logger, operationName, outcome, videoCount);
        }

        return status;
    }

    /// <inheritdoc />
    public virtual GenerateVideoOperation GetGenerateVideoOperation(string operationName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationName);
        if (_options.Backend == VeoBackend.VertexAi)
        {
            OperationNames.ParseVertex(operationName);
        }
        else
        {
            OperationNames.ValidateGemini(operationName);
        }

        return new GenerateVideoOperation(this, operationName, _options.PollingInterval, null, _logger, _timeProvider, null, null, _metrics);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="video"/> has neither a URI nor inline bytes, or <paramref name="destination"/> is not writable.</exception>
    /// <exception cref="NotSupportedException">The video is in Cloud Storage (<c>gs://</c>) and this client speaks the Gemini API, which has no Cloud Storage credentials.</exception>
    public virtual async Task<long> DownloadVideoAsync(GeneratedVideo video, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream is not writable.", nameof(destination));
        }

        if (video.InlineBytes is { } inline)
        {
            await destination.WriteAsync(inline, cancellationToken).ConfigureAwait(false);
            return inline.Length;
        }

        if (video.Spooled is { } spooled)
        {
            return await spooled.CopyToAsync(destination, DownloadBufferSize, cancellationToken).ConfigureAwait(false);
        }

        var uri = ResolveDownloadUri(video);

        // A Cloud Storage video is named as the caller knows it, not by the JSON API address it is read from.
        var display = VeoEndpoints.ForDisplay(video.Uri is { IsAbsoluteUri: true, Scheme: "gs" } gcs ? gcs : uri);
        var what = $"the download of {display}";

        using var activity = VeoTelemetry.ActivitySource.StartActivity("Veo.DownloadVideo", ActivityKind.Client);
        activity?.SetTag("url.full", display);
        Log.DownloadingVideo(_logger, display);
        _metrics.RecordRequest(VeoCallKind.Download, _options.Backend);

        HttpResponseMessage response;
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        try
        {
            response = await _apis.Download.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or IOException or OperationCanceledException)
        {
            throw Failed(VeoCallKind.Download, GoogleErrors.NoResponse(what, ex, _redactor), activity);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var errorBody = await GoogleErrors.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
                throw Failed(VeoCallKind.Download, FromResponse((int)response.StatusCode, errorBody, response.Headers, what), activity);
            }

            if (response.Content.Headers.ContentType?.MediaType is "text/html" or "application/json")
            {
                // An expired or unauthorised link can answer 200 with a page instead of the video.
                throw Failed(VeoCallKind.Download, new VeoRequestFailedException(
                    (int)response.StatusCode, null, $"Veo answered {what} with {response.Content.Headers.ContentType.MediaType} instead of a video; the link may have expired (Gemini keeps videos for 2 days)."), activity);
            }

            // The resilience pipeline bounds the wait for the headers; this bounds reading the body.
            using var bodyTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bodyTimeout.CancelAfter(_options.DownloadTimeout);
            long total = 0;
            try
            {
                var body = await response.Content.ReadAsStreamAsync(bodyTimeout.Token).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    var buffer = new byte[DownloadBufferSize];
                    int read;
                    while ((read = await body.ReadAsync(buffer, bodyTimeout.Token).ConfigureAwait(false)) > 0)
                    {
                        await destination.WriteAsync(buffer.AsMemory(0, read), bodyTimeout.Token).ConfigureAwait(false);
                        total += read;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException ex)
            {
                throw Failed(VeoCallKind.Download, new VeoRequestFailedException(
                    0, null, $"The download of {display} did not finish within {_options.DownloadTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s ({total} bytes received).", null, ex), activity);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw Failed(VeoCallKind.Download, new DownloadBrokeOffException(
                    0, _redactor.Redact($"The download of {display} broke off after {total} bytes: {ex.Message}"), ex), activity);
            }

            if (response.Content.Headers.ContentLength is { } expected && expected != total)
            {
                throw Failed(VeoCallKind.Download, new DownloadBrokeOffException(
                    (int)response.StatusCode, $"The download of {display} ended after {total} of {expected} bytes.", null), activity);
            }

            activity?.SetTag("veo.bytes", total);
            Log.VideoDownloaded(_logger, total, display);
            return total;
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="video"/> has neither a URI nor inline bytes, or <paramref name="path"/> is empty.</exception>
    /// <exception cref="NotSupportedException">The video is in Cloud Storage (<c>gs://</c>) and this client speaks the Gemini API.</exception>
    public virtual async Task<long> DownloadVideoToFileAsync(GeneratedVideo video, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // Written under a temporary name and moved into place, so a reader never sees half a video. A body that breaks
        // off midway is fetched again from the start (the file is rewritten, so nothing is appended to a broken prefix).
        for (var attempt = 1; ; attempt++)
        {
            var temporary = $"{fullPath}.{Guid.NewGuid():N}.part";
            try
            {
                long written;
                var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, DownloadBufferSize, FileOptions.Asynchronous);
                await using (file.ConfigureAwait(false))
                {
                    written = await DownloadVideoAsync(video, file, cancellationToken).ConfigureAwait(false);
                    await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                File.Move(temporary, fullPath, overwrite: true);
                return written;
            }
            catch (DownloadBrokeOffException broken) when (attempt <= _options.MaxRetries && !cancellationToken.IsCancellationRequested)
            {
                TryDelete(temporary);
                // The pipeline's back-off for the other retries: doubling from RetryDelay, never beyond MaxRetryDelay.
                var doubled = _options.RetryDelay * Math.Pow(2, attempt - 1);
                var delay = doubled < _options.MaxRetryDelay ? doubled : _options.MaxRetryDelay;
                Log.RetryingRequest(_logger, VeoCallKind.Download, attempt, delay, broken.Message);
                _metrics.RecordRetry(VeoCallKind.Download, "broken-body");
                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }
        }
    }

    /// <summary>A download whose response began and then broke off or came up short: worth fetching again from the start.</summary>
    private sealed class DownloadBrokeOffException(int status, string message, Exception? innerException)
        : VeoRequestFailedException(status, null, message, null, innerException);

    /// <inheritdoc />
    public override string ToString() => $"VeoClient {{ Backend = {_options?.Backend}, BaseUrl = {_baseUrl} }}";

    private Uri ResolveDownloadUri(GeneratedVideo video)
    {
        if (video.Uri is not { } uri)
        {
            throw new ArgumentException("The video has neither a URI nor inline bytes; nothing can be downloaded.", nameof(video));
        }

        if (uri.IsAbsoluteUri && string.Equals(uri.Scheme, "gs", StringComparison.OrdinalIgnoreCase))
        {
            if (_options.Backend != VeoBackend.VertexAi)
            {
                throw new NotSupportedException($"The video is stored in Cloud Storage ({VeoEndpoints.ForDisplay(uri)}), which only a Vertex AI client has credentials for.");
            }

            // Read through the Cloud Storage JSON API with the client's own bearer token, retry policy and timeouts.
            if (!VeoStorageUri.TryParse(uri.OriginalString, out var bucket, out var objectName) || objectName.Length == 0)
            {
                throw new ArgumentException($"'{VeoEndpoints.ForDisplay(uri)}' does not name a Cloud Storage object (gs://bucket/object).", nameof(video));
            }

            return VeoStorageUri.MediaUri(VeoEndpoints.GetStorageUrl(_options), bucket, objectName);
        }

        if (!uri.IsAbsoluteUri)
        {
            return new Uri(_baseUrl, uri);
        }

        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"The video URI scheme '{uri.Scheme}' cannot be downloaded; expected http(s).", nameof(video));
        }

        // Behind a proxy (BaseUrl), a file URI on Google's host is fetched through the proxy too.
        if (_options.BaseUrl is not null && VeoEndpoints.IsSameOrigin(uri, VeoEndpoints.GeminiDefault))
        {
            return new Uri(_baseUrl, uri.PathAndQuery.TrimStart('/'));
        }

        return uri;
    }

    private async Task<(OperationResource Operation, HttpResponseHeaders? Headers)> SendAsync(
        VeoCallKind kind,
        string what,
        Activity? activity,
        Func<CancellationToken, Task<IApiResponse<OperationResource>>> call,
        CancellationToken cancellationToken,
        string? model = null)
    {
        _metrics.RecordRequest(kind, _options.Backend);
        IApiResponse<OperationResource> response;
        try
        {
            response = await call(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (ApiException ex)
        {
            throw Failed(kind, FromResponse((int)ex.StatusCode, ex.Content, ex.Headers, what, model), activity);
        }
        catch (Exception ex) when (TransportFailure(ex, what) is { } failure)
        {
            throw Failed(kind, failure, activity);
        }

        using (response)
        {
            if (response.HasRequestError(out var requestError))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (requestError.InnerException is VeoAuthenticationException authentication)
                {
                    throw Failed(kind, authentication, activity);
                }

                throw Failed(kind, GoogleErrors.NoResponse(what, requestError.InnerException ?? requestError, _redactor), activity);
            }

            if (!response.IsSuccessStatusCode)
            {
                var content = response.Error is ApiException apiError ? apiError.Content : null;
                throw Failed(kind, FromResponse((int)(response.StatusCode ?? 0), content, response.Headers, what, model), activity);
            }

            if (response.Error is not null || response.Content is null)
            {
                throw Failed(kind, new VeoRequestFailedException(
                    (int)(response.StatusCode ?? 0), null, $"Veo answered {what} with a body that is not an operation ({response.Error?.InnerException?.Message ?? "empty"})."), activity);
            }

            return (response.Content, response.Headers);
        }
    }

    /// <summary>
    /// One poll: the answer's inline videos are decoded to temporary files as the body arrives (see
    /// <see cref="InlineVideoExtractor"/>); only the small rest of the answer is deserialized.
    /// </summary>
    private async Task<VeoOperationStatus> PollAsync(string operationName, Func<CancellationToken, Task<HttpResponseMessage>> call, Activity? activity, CancellationToken cancellationToken)
    {
        const VeoCallKind kind = VeoCallKind.Poll;
        var what = $"the poll of operation {operationName}";
        _metrics.RecordRequest(kind, _options.Backend);
        HttpResponseMessage response;
        try
        {
            response = await call(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (TransportFailure(ex, what) is { } failure)
        {
            throw Failed(kind, failure, activity);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var errorBody = await GoogleErrors.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
                throw Failed(kind, FromResponse((int)response.StatusCode, errorBody, response.Headers, what), activity);
            }

            var extractor = new InlineVideoExtractor();
            using var bodyTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bodyTimeout.CancelAfter(_options.DownloadTimeout);
            OperationResource? operation;
            try
            {
                var body = await response.Content.ReadAsStreamAsync(bodyTimeout.Token).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    await extractor.ReadAsync(body, bodyTimeout.Token).ConfigureAwait(false);
                }

                operation = System.Text.Json.JsonSerializer.Deserialize(extractor.Residual.Span, VeoJsonContext.Default.OperationResource);
            }
            catch (Exception ex)
            {
                extractor.DisposeSpools();
                if ((ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
                    || ex is not (FormatException or System.Text.Json.JsonException or OperationCanceledException or HttpRequestException or IOException))
                {
                    throw;
                }

                throw Failed(kind, ex switch
                {
                    FormatException => new VeoRequestFailedException(200, null, $"Veo's answer for operation {operationName} carries video bytes that are not valid base64.", null, ex),
                    System.Text.Json.JsonException => new VeoRequestFailedException((int)response.StatusCode, null, $"Veo answered {what} with a body that is not an operation ({ex.Message})."),
                    OperationCanceledException => new VeoRequestFailedException(0, null, $"Reading the answer to {what} did not finish within {_options.DownloadTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s.", null, ex),
                    _ => new VeoRequestFailedException(0, null, _redactor.Redact($"The answer to {what} broke off: {ex.Message}"), null, ex),
                }, activity);
            }

            if (operation is null)
            {
                extractor.DisposeSpools();
                throw Failed(kind, new VeoRequestFailedException((int)response.StatusCode, null, $"Veo answered {what} with a body that is not an operation (empty)."), activity);
            }

            var retryAfter = GoogleErrors.GetRetryAfter(response.Headers, _timeProvider.GetUtcNow());
            var status = ParseStatus(operation, operationName, retryAfter, kind, activity, extractor.Spools);
            if (!status.HasCompleted)
            {
                extractor.DisposeSpools();
            }

            return status;
        }
    }

    /// <summary>A fault of the HTTP pipeline (no answer, or the credentials failed) as the SDK's exception, for starts and polls alike; <see langword="null"/> for anything else.</summary>
    private VeoRequestFailedException? TransportFailure(Exception ex, string what) => ex switch
    {
        VeoAuthenticationException authentication => authentication,
        ApiRequestException { InnerException: VeoAuthenticationException authentication } => authentication,
        ApiRequestException request => GoogleErrors.NoResponse(what, request.InnerException ?? request, _redactor),
        HttpRequestException or TimeoutRejectedException or IOException => GoogleErrors.NoResponse(what, ex, _redactor),
        _ => null,
    };

    private VeoOperationStatus ParseStatus(OperationResource operation, string name, TimeSpan? suggestedDelay, VeoCallKind kind, Activity? activity, IReadOnlyList<SpooledVideo>? spools = null)
    {
        try
        {
            return OperationParser.ToStatus(operation, name, suggestedDelay, spools);
        }
        catch (FormatException ex)
        {
            throw Failed(kind, new VeoRequestFailedException(200, null, $"Veo's answer for operation {name} carries video bytes that are not valid base64.", null, ex), activity);
        }
    }

    /// <summary>An error answer as an exception; on Vertex AI a 401 that survived a token refresh names the credentials.</summary>
    private VeoRequestFailedException FromResponse(int status, string? body, System.Net.Http.Headers.HttpResponseHeaders? headers, string what, string? model = null)
    {
        var failure = GoogleErrors.FromResponse(status, body, headers, what, _redactor, _timeProvider.GetUtcNow(), model);
        return status == 401 && _options.Backend == VeoBackend.VertexAi && _apis.Credentials is { } credentials
            ? credentials.Rejected(failure.Status, failure.ErrorCode, failure.Message)
            : failure;
    }

    private VeoRequestFailedException Failed(VeoCallKind kind, VeoRequestFailedException exception, Activity? activity)
    {
        _metrics.RecordError(kind, exception.Status, exception.ErrorCode);
        Log.RequestFailed(_logger, kind, exception.Status, exception.ErrorCode, exception.Message);
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity?.SetTag("http.response.status_code", exception.Status);
        activity?.SetTag("error.type", exception.ErrorCode ?? exception.Status.ToString(CultureInfo.InvariantCulture));
        return exception;
    }

    private static PredictLongRunningRequest ToWire(GenerateVideoRequest request, VeoBackend backend) => new()
    {
        Instances =
        [
            new VideoInstance
            {
                Prompt = string.IsNullOrWhiteSpace(request.Prompt) ? null : request.Prompt,
                Image = ToWire(request.Image),
                LastFrame = ToWire(request.LastFrame),
                ReferenceImages = request.ReferenceImages is { Count: > 0 } references
                    ? references.Select(r => new WireReferenceImage { Image = ToWire(r.Image)!, ReferenceType = r.ReferenceType }).ToArray()
                    : null,
                Video = ToWire(request.Video, backend),
            },
        ],
        Parameters = new VideoParameters
        {
            AspectRatio = request.AspectRatio,
            NegativePrompt = request.NegativePrompt,
            PersonGeneration = request.PersonGeneration,
            DurationSeconds = request.DurationSeconds,
            Resolution = request.Resolution,
            SampleCount = request.SampleCount,
            EnhancePrompt = request.EnhancePrompt,
            GenerateAudio = request.GenerateAudio,
            Seed = request.Seed,
            CompressionQuality = request.CompressionQuality,
            ResizeMode = request.ResizeMode,
            StorageUri = request.StorageUri,
        },
        Labels = request.Labels is { Count: > 0 } labels ? labels : null,
    };

    private static WireImage? ToWire(VeoImage? image)
        => image is null ? null : new WireImage { BytesBase64Encoded = Convert.ToBase64String(image.Bytes.Span), MimeType = image.MimeType };

    // Vertex AI names a Cloud Storage object or takes the bytes; the Gemini API names a video it generated by its URI.
    private static WireVideo? ToWire(VeoVideo? video, VeoBackend backend) => video switch
    {
        null => null,
        { Bytes: { } bytes } => new WireVideo { BytesBase64Encoded = Convert.ToBase64String(bytes.Span), MimeType = video.MimeType },
        _ when backend == VeoBackend.VertexAi => new WireVideo { GcsUri = video.Uri!.OriginalString, MimeType = video.MimeType },
        _ => new WireVideo { Uri = video.Uri!.OriginalString },
    };

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover .part file is harmless and named as such.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static VeoClientOptions Validated(VeoClientOptions options, string? sectionPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        var snapshot = options.Clone();
        snapshot.ApplyDefaults();
        var failures = VeoClientOptionsValidator.GetFailures(snapshot, sectionPath, includeDataAnnotations: true);
        if (failures.Count > 0)
        {
            throw new ArgumentException($"The Veo client options are invalid: {string.Join(" ", failures)}", nameof(options));
        }

        return snapshot;
    }

    private static Composition Compose(VeoClientOptions options, HttpClient? httpClient, ILoggerFactory? loggerFactory)
    {
        var snapshot = Validated(options, VeoClientOptions.SectionName);
        loggerFactory ??= NullLoggerFactory.Instance;

        // The same registration as AddVeoClient, in a private container: one code path for the HTTP pipeline and its policy.
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddSingleton(VeoMetrics.Shared);   // no host, no meter factory: one meter for every such client
        VeoHttpRegistration.AddVeoHttpClients(
            services,
            _ => snapshot,
            httpClient is null ? null : () => new HttpClientForwardingHandler(httpClient));
        var provider = services.BuildServiceProvider();
        return new Composition(snapshot, provider.GetRequiredService<VeoHttpApis>(), loggerFactory, TimeProvider.System, VeoMetrics.Shared);
    }

    private sealed record Composition(VeoClientOptions Options, VeoHttpApis Apis, ILoggerFactory LoggerFactory, TimeProvider TimeProvider, VeoMetrics Metrics);
}
