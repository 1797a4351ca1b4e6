using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Primitives;

namespace Veo.Sdk.Testing.Internal;

/// <summary>The request handlers: the Gemini API and Vertex AI surfaces, the media redirect target and the control endpoints.</summary>
internal sealed partial class SimulatorEndpoints(VeoSimulatorState state)
{
    public const string GeminiPredictResponseType = "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse";
    public const string VertexGenerateVideoResponseType = "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse";
    public const string MediaPathPrefix = "/_simulator/media/";

    private const string JsonContentType = "application/json; charset=UTF-8";

    // Google writes apostrophes and non-ASCII text as is; the bodies are JSON, never embedded in HTML
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private const string PredictLongRunning = "predictLongRunning";
    private const string FetchPredictOperation = "fetchPredictOperation";

    // POST /v1beta/models/{modelAndMethod}   (e.g. veo-3.1-generate-preview:predictLongRunning)
    public async Task GeminiModelMethodAsync(HttpContext context)
    {
        var (model, method) = SplitMethod(GetRouteValue(context, "modelAndMethod"));
        if (method == PredictLongRunning)
        {
            state.CountStartRequest();
        }

        if (CheckApiKey(context) is { } authError)
        {
            await RefuseAsync(context, authError, isStart: method == PredictLongRunning);
            return;
        }

        if (method == PredictLongRunning && state.RetiredModels.Contains(model))
        {
            await RefuseAsync(context, GoogleApiError.NotFound($"models/{model} is no longer available. Please migrate to a newer model."), isStart: true);
            return;
        }

        if (method != PredictLongRunning || !state.KnownModels.Contains(model))
        {
            await RefuseAsync(context, GoogleApiError.NotFound($"models/{model} is not found for API version v1beta, or is not supported for {(method.Length == 0 ? "this method" : method)}. Call ListModels to see the list of available models and their supported methods."), isStart: method == PredictLongRunning);
            return;
        }

        await StartAsync(context, ApiSurface.Gemini, model, $"models/{model}");
    }

    // GET /v1beta/models/{model}/operations/{operationId}
    public async Task GeminiGetOperationAsync(HttpContext context)
    {
        if (CheckApiKey(context) is { } authError)
        {
            await RefuseAsync(context, authError);
            return;
        }

        var name = $"models/{GetRouteValue(context, "model")}/operations/{GetRouteValue(context, "operationId")}";
        state.CountPoll();
        if (!state.TryGetOperation(name, out var operation) || operation.Surface != ApiSurface.Gemini)
        {
            await RefuseAsync(context, GoogleApiError.EntityNotFound());
            return;
        }

        await AnswerOperationAsync(context, operation);
    }

    // GET /v1beta/files/{fileAndMethod}   (files/{id} metadata, or files/{id}:download?alt=media)
    public async Task GeminiFileAsync(HttpContext context)
    {
        if (CheckApiKey(context) is { } authError)
        {
            await RefuseAsync(context, authError);
            return;
        }

        var (fileId, method) = SplitMethod(GetRouteValue(context, "fileAndMethod"));
        if (method is not ("" or "download"))
        {
            await RefuseAsync(context, GoogleApiError.NotFound($"Method files/{fileId}:{method} is not found."));
            return;
        }

        if (!state.TryGetFile(fileId, out var file) || !state.IsAvailable(file))
        {
            await RefuseAsync(context, GoogleApiError.NotFound($"File files/{fileId} does not exist or has expired (generated videos are kept 2 days)."));
            return;
        }

        if (method.Length == 0)
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, writer => WriteFileMetadata(writer, context, file));
            return;
        }

        if (!string.Equals(context.Request.Query["alt"], "media", StringComparison.Ordinal))
        {
            await RefuseAsync(context, GoogleApiError.InvalidArgument("alt", "files.download needs alt=media: request files/{id}:download?alt=media."));
            return;
        }

        // as Google does, answer with a redirect to short-lived storage that needs no key
        state.CountDownload();
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = $"{BaseUrlOf(context)}{MediaPathPrefix[1..]}{fileId}?sig={state.SignMedia(fileId)}";
        context.Response.Headers.CacheControl = "private, max-age=0";
        context.Response.ContentLength = 0;
    }

    // GET /_simulator/media/{fileId}?sig=…   (the redirect target: the MP4 bytes, with range support)
    public async Task MediaAsync(HttpContext context)
    {
        var fileId = GetRouteValue(context, "fileId");
        if (!state.VerifyMediaSignature(fileId, context.Request.Query["sig"]) || !state.TryGetFile(fileId, out var file) || !state.IsAvailable(file))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("Access denied: the signed media URL is invalid or expired.", context.RequestAborted);
            return;
        }

        if (file.Operation.NextDownloadBreaks(file.Id))
        {
            // [sim:brokendownload]: promise the whole file, send half of it, then drop the connection.
            var bytes = file.Video.Bytes;
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "video/mp4";
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);

            // A reset that overtakes the bytes already sent would discard them at the client and turn a broken body into
            // a failed request; let the client read what came first.
            await Task.Delay(TimeSpan.FromMilliseconds(100), context.RequestAborted);
            context.Abort();
            return;
        }

        await Results.Bytes(file.Video.Bytes, "video/mp4", fileDownloadName: null, enableRangeProcessing: true, lastModified: file.Operation.CompletesAtUtc, entityTag: file.Video.ETag)
            .ExecuteAsync(context);
    }

    // POST /{v1|v1beta1}/projects/{project}/locations/{location}/publishers/google/models/{modelAndMethod}
    public async Task VertexModelMethodAsync(HttpContext context)
    {
        var (model, method) = SplitMethod(GetRouteValue(context, "modelAndMethod"));
        var project = GetRouteValue(context, "project");
        var location = GetRouteValue(context, "location");
        var resource = $"projects/{project}/locations/{location}/publishers/google/models/{model}";
        var isStart = method == PredictLongRunning;
        if (isStart)
        {
            state.CountStartRequest();
        }

        if (CheckAccessToken(context) is { } authError)
        {
            await RefuseAsync(context, authError, isStart);
            return;
        }

        if (isStart && state.RetiredModels.Contains(model))
        {
            await RefuseAsync(context, GoogleApiError.NotFound($"Publisher Model `{resource}` is no longer available. Please migrate to a newer model."), isStart);
            return;
        }

        if (method is not (PredictLongRunning or FetchPredictOperation) || !state.KnownModels.Contains(model))
        {
            await RefuseAsync(context, GoogleApiError.NotFound($"Publisher Model `{resource}` not found."), isStart);
            return;
        }

        if (isStart)
        {
            await StartAsync(context, ApiSurface.Vertex, model, resource);
            return;
        }

        state.CountPoll();
        using var body = await ReadJsonAsync(context);
        if (body.Error is { } jsonError)
        {
            await RefuseAsync(context, jsonError);
            return;
        }

        var root = body.Document!.RootElement;
        var operationName = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("operationName", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : null;
        if (operationName is null)
        {
            await RefuseAsync(context, GoogleApiError.InvalidArgument("operationName", "operationName is required: the name returned by predictLongRunning."));
            return;
        }

        if (!operationName.StartsWith(resource + "/operations/", StringComparison.Ordinal))
        {
            await RefuseAsync(context, GoogleApiError.InvalidArgument("operationName", $"operationName \"{operationName}\" does not belong to {resource}."));
            return;
        }

        if (!state.TryGetOperation(operationName, out var operation) || operation.Surface != ApiSurface.Vertex)
        {
            await RefuseAsync(context, GoogleApiError.EntityNotFound());
            return;
        }

        await AnswerOperationAsync(context, operation);
    }

    // GET /{v1|v1beta1}/projects/…/publishers/google/models/{model}/operations/{id}: not how Veo operations are read on Vertex
    public Task VertexGetOperationAsync(HttpContext context)
        => CheckAccessToken(context) is { } authError
            ? RefuseAsync(context, authError)
            : RefuseAsync(context, GoogleApiError.InvalidArgument("name", "The Operation ID must be a Long. Veo operations are read with POST …/models/{model}:fetchPredictOperation."));

    // GET /_simulator/stats
    public Task StatsAsync(HttpContext context)
    {
        var stats = state.GetStats();
        return WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("operations_started", stats.OperationsStarted);
            writer.WriteNumber("polls", stats.Polls);
            writer.WriteNumber("downloads", stats.Downloads);
            writer.WriteNumber("active", stats.Active);
            writer.WriteNumber("max_active", stats.MaxActive);
            writer.WriteNumber("start_requests", stats.StartRequests);
            writer.WriteNumber("rejected_starts", stats.RejectedStarts);
            writer.WriteNumber("token_requests", stats.TokenRequests);
            writer.WriteNumber("storage_uploads", stats.StorageUploads);
            writer.WriteNumber("storage_copies", stats.StorageCopies);
            writer.WriteEndObject();
        });
    }

    // POST /_simulator/reset
    // POST /token (oauth2.googleapis.com/token): the JWT bearer grant of a service-account key
    public async Task TokenAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await WriteTokenAnswerAsync(context, 400, new Dictionary<string, object> { ["error"] = "invalid_request", ["error_description"] = "Expected application/x-www-form-urlencoded." });
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var tokenUri = new Uri($"{context.Request.Scheme}://{context.Request.Host}/token");
        var (status, body) = state.Tokens.Exchange(form["grant_type"].ToString(), form["assertion"].ToString(), tokenUri, state.Options.AccessTokenLifetime);
        await WriteTokenAnswerAsync(context, status, body);
    }

    private static Task WriteTokenAnswerAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(body, context.RequestAborted);
    }

    public Task ResetAsync(HttpContext context)
    {
        state.Reset();
        return StatsAsync(context);
    }

    private async Task StartAsync(HttpContext context, ApiSurface surface, string model, string resource)
    {
        using var body = await ReadJsonAsync(context);
        if (body.Error is { } jsonError)
        {
            await RefuseAsync(context, jsonError, isStart: true);
            return;
        }

        if (StartRequestParser.TryParse(body.Document!.RootElement, surface, model, out var request) is { } invalid)
        {
            await RefuseAsync(context, invalid, isStart: true);
            return;
        }

        if (PromptMarkers.TryParse(request!.Prompt, out var markers) is { } badMarker)
        {
            await RefuseAsync(context, badMarker, isStart: true);
            return;
        }

        var decision = state.Start(surface, model, resource, request, markers);
        if (decision.ResponseDelay > TimeSpan.Zero)
        {
            // SlowStart: the operation (if any) is already running; only the answer is late
            var stopping = context.RequestServices.GetService(typeof(IHostApplicationLifetime)) is IHostApplicationLifetime lifetime ? lifetime.ApplicationStopping : CancellationToken.None;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            try
            {
                await Task.Delay(decision.ResponseDelay, state.TimeProvider, linked.Token);
            }
            catch (OperationCanceledException)
            {
                if (decision.Error is not null)
                {
                    state.CountRejectedStart();
                }

                return;
            }
        }

        if (decision.Error is { } error)
        {
            await RefuseAsync(context, error, isStart: true);
            return;
        }

        var operation = decision.Operation!;
        await WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("name", operation.Name);
            writer.WriteEndObject();
        });
    }

    private Task AnswerOperationAsync(HttpContext context, SimulatedOperation operation)
    {
        if (operation.TryConsumePollFailure())
        {
            return RefuseAsync(context, GoogleApiError.Unavailable());
        }

        var done = operation.IsDone(state.TimeProvider.GetTimestamp());
        var baseUrl = done && operation.Surface == ApiSurface.Gemini ? BaseUrlOf(context) : string.Empty;
        return WriteJsonAsync(context, StatusCodes.Status200OK, writer => WriteOperation(writer, operation, done, baseUrl));
    }

    /// <summary>
    /// An <c>Operation</c> in proto3 JSON: <c>done</c> is left out while false, as Google does; once done, either
    /// <c>error</c> or <c>response</c> (Gemini: <c>generateVideoResponse</c>; Vertex: <c>videos</c>).
    /// </summary>
    private static void WriteOperation(Utf8JsonWriter writer, SimulatedOperation operation, bool done, string baseUrl)
    {
        writer.WriteStartObject();
        writer.WriteString("name", operation.Name);
        if (!done)
        {
            writer.WriteEndObject();
            return;
        }

        writer.WriteBoolean("done", true);
        if (operation.Result == OperationResultKind.Failed)
        {
            writer.WriteStartObject("error");
            writer.WriteNumber("code", operation.ErrorCode);
            writer.WriteString("message", operation.ErrorMessage);
            writer.WriteEndObject();
            writer.WriteEndObject();
            return;
        }

        writer.WriteStartObject("response");
        if (operation.Surface == ApiSurface.Gemini)
        {
            writer.WriteString("@type", GeminiPredictResponseType);
            writer.WriteStartObject("generateVideoResponse");
            if (operation.Result == OperationResultKind.Filtered)
            {
                WriteFiltered(writer, operation);
            }
            else
            {
                writer.WriteStartArray("generatedSamples");
                foreach (var fileId in operation.FileIds)
                {
                    writer.WriteStartObject();
                    writer.WriteStartObject("video");
                    writer.WriteString("uri", $"{baseUrl}v1beta/files/{fileId}:download?alt=media");
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                if (operation.FilteredSamples > 0)
                {
                    WriteFiltered(writer, operation);
                }
            }

            writer.WriteEndObject();
        }
        else
        {
            writer.WriteString("@type", VertexGenerateVideoResponseType);
            if (operation.Result == OperationResultKind.Filtered)
            {
                WriteFiltered(writer, operation);
            }
            else
            {
                var video = SampleVideos.For(operation.Request.AspectRatio);
                writer.WriteStartArray("videos");
                for (var i = 0; i < operation.DeliveredSamples; i++)
                {
                    writer.WriteStartObject();
                    if (operation.StorageObjects.Count > 0)
                    {
                        writer.WriteString("gcsUri", $"gs://{operation.StorageBucket}/{operation.StorageObjects[i]}");
                    }
                    else
                    {
                        writer.WritePropertyName("bytesBase64Encoded");
                        writer.WriteRawValue(video.Base64JsonString, skipInputValidation: true);
                    }

                    writer.WriteString("mimeType", "video/mp4");
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                if (operation.FilteredSamples > 0)
                {
                    WriteFiltered(writer, operation);
                }
            }
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteFiltered(Utf8JsonWriter writer, SimulatedOperation operation)
    {
        writer.WriteNumber("raiMediaFilteredCount", operation.FilteredSamples);
        writer.WriteStartArray("raiMediaFilteredReasons");
        writer.WriteStringValue(operation.FilterReason);
        writer.WriteEndArray();
    }

    private static void WriteFileMetadata(Utf8JsonWriter writer, HttpContext context, SimulatedFile file)
    {
        var baseUrl = BaseUrlOf(context);
        writer.WriteStartObject();
        writer.WriteString("name", $"files/{file.Id}");
        writer.WriteString("mimeType", "video/mp4");
        writer.WriteString("sizeBytes", file.Video.Bytes.Length.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("createTime", file.Operation.CompletesAtUtc.UtcDateTime);
        writer.WriteString("updateTime", file.Operation.CompletesAtUtc.UtcDateTime);
        writer.WriteString("expirationTime", (file.Operation.CompletesAtUtc + VeoSimulatorState.FileRetention).UtcDateTime);
        writer.WriteString("sha256Hash", file.Video.Sha256Base64);
        writer.WriteString("uri", $"{baseUrl}v1beta/files/{file.Id}");
        writer.WriteString("downloadUri", $"{baseUrl}v1beta/files/{file.Id}:download?alt=media");
        writer.WriteString("state", "ACTIVE");
        writer.WriteString("source", "GENERATED");
        writer.WriteEndObject();
    }

    private GoogleApiError? CheckApiKey(HttpContext context)
    {
        var headers = context.Request.Headers;
        StringValues key = headers["x-goog-api-key"];
        if (StringValues.IsNullOrEmpty(key))
        {
            key = context.Request.Query["key"];
        }

        if (StringValues.IsNullOrEmpty(key))
        {
            return GoogleApiError.MissingApiKey();
        }

        return key.Count == 1 && string.Equals(key[0], state.Options.ApiKey, StringComparison.Ordinal) ? null : GoogleApiError.InvalidApiKey();
    }

    private GoogleApiError? CheckAccessToken(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization;
        if (StringValues.IsNullOrEmpty(authorization))
        {
            return GoogleApiError.MissingAccessToken();
        }

        const string bearer = "Bearer ";
        var value = authorization.Count == 1 ? authorization[0]! : string.Empty;
        if (!value.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
        {
            return GoogleApiError.InvalidAccessToken();
        }

        var token = value[bearer.Length..].Trim();
        return string.Equals(token, state.Options.VertexAccessToken, StringComparison.Ordinal) || state.Tokens.IsValid(token)
            ? null
            : GoogleApiError.InvalidAccessToken();
    }

    private Task RefuseAsync(HttpContext context, GoogleApiError error, bool isStart = false)
    {
        if (isStart)
        {
            state.CountRejectedStart();
        }

        // the path only: the query may hold the API key
        Log.RequestRefused(state.Logger, context.Request.Method, context.Request.Path.Value ?? string.Empty, error.HttpStatus, error.Status, error.Message);
        if (error.RetryDelay is { } delay)
        {
            context.Response.Headers.RetryAfter = Math.Ceiling(delay.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return WriteJsonAsync(context, error.HttpStatus, error.WriteTo);
    }

    private static async Task<JsonBody> ReadJsonAsync(HttpContext context)
    {
        try
        {
            return new JsonBody(await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted), null);
        }
        catch (JsonException ex)
        {
            return new JsonBody(null, GoogleApiError.InvalidJson(ex.Message));
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, int statusCode, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        await using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        context.Response.StatusCode = statusCode;
        context.Response.ContentType = JsonContentType;
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    /// <summary>The base URL the client used (scheme, host and path base), so links work behind any host name or port.</summary>
    private static string BaseUrlOf(HttpContext context)
    {
        var request = context.Request;
        return $"{request.Scheme}://{request.Host.Value}{request.PathBase.Value}/";
    }

    private static string GetRouteValue(HttpContext context, string name) => context.Request.RouteValues[name] as string ?? string.Empty;

    private static (string Name, string Method) SplitMethod(string segment)
    {
        var colon = segment.LastIndexOf(':');
        return colon < 0 ? (segment, string.Empty) : (segment[..colon], segment[(colon + 1)..]);
    }

    private readonly record struct JsonBody(JsonDocument? Document, GoogleApiError? Error) : IDisposable
    {
        public void Dispose() => Document?.Dispose();
    }
}
