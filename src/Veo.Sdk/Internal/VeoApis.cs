using Refit;

namespace Veo.Sdk.Internal;

// One Refit interface per resilience profile: starting a generation costs money and is retried only when Veo surely
// started nothing, while polls are retried freely. Each interface gets its own named HttpClient and pipeline.

/// <summary>Starts generations (not idempotent: a repeated start is a second bill).</summary>
internal interface IVeoStartApi
{
    [Post("/v1beta/models/{model}:predictLongRunning")]
    Task<IApiResponse<OperationResource>> StartGeminiAsync(string model, [Body] PredictLongRunningRequest body, CancellationToken cancellationToken);

    [Post("/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:predictLongRunning")]
    Task<IApiResponse<OperationResource>> StartVertexAsync(string project, string location, string model, [Body] PredictLongRunningRequest body, CancellationToken cancellationToken);
}

/// <summary>
/// Reads operations (safe to repeat). The answer comes back unread: a done operation can carry several videos inline,
/// and the client streams their base64 out of the body instead of deserializing it whole.
/// </summary>
internal interface IVeoPollApi
{
    // {**…} keeps the slashes of models/…/operations/… instead of escaping them.
    [Get("/v1beta/{**operationName}")]
    Task<HttpResponseMessage> GetGeminiOperationAsync(string operationName, CancellationToken cancellationToken);

    // Vertex AI answers a plain GET of a Veo operation with 400 "The Operation ID must be a Long".
    [Post("/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:fetchPredictOperation")]
    Task<HttpResponseMessage> FetchVertexOperationAsync(string project, string location, string model, [Body] FetchPredictOperationRequest body, CancellationToken cancellationToken);
}
