using Google.Apis.Auth.OAuth2;
using System.ComponentModel.DataAnnotations;

namespace Veo.Sdk;

/// <summary>Which Veo API surface the client speaks.</summary>
public enum VeoBackend
{
    /// <summary>The Gemini API (Google AI Studio): API key, GET polling, file downloads.</summary>
    GeminiApi = 0,

    /// <summary>Vertex AI: OAuth2 bearer token, <c>fetchPredictOperation</c> polling, inline or Cloud Storage results.</summary>
    VertexAi = 1,
}

/// <summary>Settings of <see cref="VeoClient"/>; bound from the <c>Veo</c> configuration section by <c>AddVeoClient</c>.</summary>
public sealed class VeoClientOptions
{
    /// <summary>The configuration section bound by default.</summary>
    public const string SectionName = "Veo";

    /// <summary>Which API surface to call.</summary>
    public VeoBackend Backend { get; set; } = VeoBackend.GeminiApi;

    /// <summary>The Gemini API key (required for <see cref="VeoBackend.GeminiApi"/>). Never logged or shown by <see cref="ToString"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Another server to call instead of Google's (a proxy, or the Veo simulator of <c>Veo.Sdk.Testing</c>).
    /// <see langword="null"/> means Google's endpoint for the chosen <see cref="Backend"/>.
    /// </summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>
    /// The Cloud Storage JSON API root that <c>gs://</c> results (Vertex AI with a storage URI) are downloaded from, with
    /// the client's credentials. <see langword="null"/> means <see cref="BaseUrl"/> when that is set (a simulator serves
    /// both), else Google's <c>https://storage.googleapis.com/</c>.
    /// </summary>
    public Uri? StorageBaseUrl { get; set; }

    /// <summary>The Google Cloud project (required for <see cref="VeoBackend.VertexAi"/>).</summary>
    public string? ProjectId { get; set; }

    /// <summary>The Vertex AI location, e.g. <c>us-central1</c> or <c>global</c>.</summary>
    public string Location { get; set; } = "us-central1";

    /// <summary>
    /// A service-account key file (or other Google credentials JSON file) for <see cref="VeoBackend.VertexAi"/>. Without
    /// it, and without <see cref="CredentialsJson"/>, <see cref="Credential"/>, <see cref="AccessTokenProvider"/> or
    /// <see cref="AccessToken"/>, the client uses Application Default Credentials: the file named by
    /// <c>GOOGLE_APPLICATION_CREDENTIALS</c>, then <c>gcloud auth application-default login</c>, then the metadata server.
    /// </summary>
    public string? CredentialsFile { get; set; }

    /// <summary>The same credentials JSON as <see cref="CredentialsFile"/>, given inline (from a secret store). Never logged or shown by <see cref="ToString"/>.</summary>
    public string? CredentialsJson { get; set; }

    /// <summary>A Google credential made in code; scoped to <c>cloud-platform</c> by the client when it needs a scope.</summary>
    public GoogleCredential? Credential { get; set; }

    /// <summary>
    /// A fixed bearer token, e.g. from <c>gcloud auth print-access-token</c>: for a quick try only, since it lives about an
    /// hour and is never refreshed. Never logged or shown by <see cref="ToString"/>.
    /// </summary>
    public string? AccessToken { get; set; }

    /// <summary>
    /// Supplies OAuth2 access tokens for <see cref="VeoBackend.VertexAi"/> by a scheme of your own; called for every
    /// request, so it should cache. When set it wins over every other credential setting.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? AccessTokenProvider { get; set; }

    /// <summary>How long <see cref="GenerateVideoOperation.WaitForCompletionAsync(CancellationToken)"/> waits between polls when Veo names no delay. Google's docs poll every 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The time allowed for one start or poll request attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The time allowed for one download attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a failed poll or download is retried (starts are retried only when Veo surely started nothing).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// Whether a start that Veo refuses for quota (429 <c>RESOURCE_EXHAUSTED</c>: nothing was started) is retried inside
    /// the call, after Google's retry delay (default <see langword="true"/>). A caller that queues its own work turns it
    /// off and gets the refusal at once as a <see cref="VeoRequestFailedException"/> with <c>RetryAfter</c>: the
    /// Veo.Sdk.Akka engine does, because it puts the task back in the queue and lowers how many it starts at once, where
    /// a retry inside the call would keep asking blindly while holding a slot.
    /// </summary>
    public bool RetryStartsRefusedForQuota { get; set; } = true;

    /// <summary>The first delay of the exponential back-off between retries, used when Veo names no delay of its own.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest delay waited before a retry inside one call. When Veo asks for more (<c>RetryInfo</c> or <c>Retry-After</c>),
    /// the call fails at once with <see cref="VeoRequestFailedException.RetryAfter"/> set, so the caller can schedule the retry.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A copy, so that a client is not affected by later changes to the instance it was given.</summary>
    internal VeoClientOptions Clone() => (VeoClientOptions)MemberwiseClone();

    /// <summary>Whether anything only Vertex AI uses is set: a project or a credential.</summary>
    internal bool HasVertexSettings
        => !string.IsNullOrWhiteSpace(ProjectId) || !string.IsNullOrWhiteSpace(CredentialsFile) || !string.IsNullOrWhiteSpace(CredentialsJson)
            || Credential is not null || !string.IsNullOrEmpty(AccessToken) || AccessTokenProvider is not null;

    /// <summary>Fills in what the configuration may leave out: the Vertex AI project from the credentials.</summary>
    internal void ApplyDefaults()
    {
        if (Backend == VeoBackend.VertexAi && string.IsNullOrWhiteSpace(ProjectId))
        {
            ProjectId = Internal.VertexCredentials.FindProjectId(this);
        }
    }

    /// <inheritdoc />
    public override string ToString()
        => $"VeoClientOptions {{ Backend = {Backend}, BaseUrl = {BaseUrl?.ToString() ?? "(Google)"}, ApiKey = {(string.IsNullOrEmpty(ApiKey) ? "(none)" : "***")}, Credentials = {(Backend == VeoBackend.VertexAi ? Internal.VertexCredentials.Describe(this) : "(none)")}, ProjectId = {ProjectId}, Location = {Location}, PollingInterval = {PollingInterval}, MaxRetries = {MaxRetries} }}";
}
