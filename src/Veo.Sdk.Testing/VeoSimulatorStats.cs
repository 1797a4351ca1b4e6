using System.Text.Json.Serialization;

namespace Veo.Sdk.Testing;

/// <summary>
/// What the simulator has seen since it started (or since the last reset); the same numbers <c>GET /_simulator/stats</c> returns
/// as snake_case JSON. Every start request either starts an operation or is rejected, so
/// <see cref="StartRequests"/> = <see cref="OperationsStarted"/> + <see cref="RejectedStarts"/> once no start request is in flight.
/// </summary>
/// <param name="OperationsStarted">Operations started (each one a generation Google would bill).</param>
/// <param name="Polls">Authenticated operation polls (Gemini <c>GET</c>s of an operation, Vertex <c>fetchPredictOperation</c> calls), whatever they answered, 404 and 503 included.</param>
/// <param name="Downloads">Authorized Gemini file downloads (<c>files/{id}:download</c> requests answered with the redirect) and Cloud Storage media reads (<c>alt=media</c>), each ranged read once.</param>
/// <param name="Active">Operations started and not yet done, right now.</param>
/// <param name="MaxActive">The highest <see cref="Active"/> reached.</param>
/// <param name="StartRequests">Start (<c>predictLongRunning</c>) requests received, valid or not.</param>
/// <param name="RejectedStarts">Start requests answered with an error: authentication, validation, scripted errors and quota (429).</param>
/// <param name="TokenRequests">Requests to the OAuth 2.0 token endpoint (<c>POST /token</c>), granted or not.</param>
/// <param name="StorageUploads">Cloud Storage objects created by clients' uploads (resumable, multipart or media), each completed upload once.</param>
/// <param name="StorageCopies">Cloud Storage objects created by a server-side rewrite (<c>rewriteTo</c>), whose bytes never left the simulator.</param>
public sealed record VeoSimulatorStats(
    [property: JsonPropertyName("operations_started")] long OperationsStarted,
    [property: JsonPropertyName("polls")] long Polls,
    [property: JsonPropertyName("downloads")] long Downloads,
    [property: JsonPropertyName("active")] int Active,
    [property: JsonPropertyName("max_active")] int MaxActive,
    [property: JsonPropertyName("start_requests")] long StartRequests,
    [property: JsonPropertyName("rejected_starts")] long RejectedStarts,
    [property: JsonPropertyName("token_requests")] long TokenRequests = 0,
    [property: JsonPropertyName("storage_uploads")] long StorageUploads = 0,
    [property: JsonPropertyName("storage_copies")] long StorageCopies = 0);
