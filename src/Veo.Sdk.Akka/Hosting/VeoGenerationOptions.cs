using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Veo.Sdk.Akka.Hosting;

/// <summary>Settings of the generation engine; bound from the <c>Generation</c> configuration section.</summary>
/// <remarks>Seconds are <see cref="double"/> so that tests and demos can use fractions (0.5 s limits, 0.1 s polls).</remarks>
public sealed class VeoGenerationOptions
{
    /// <summary>The configuration section bound by <c>AddVeoGenerationEngine</c>.</summary>
    public const string SectionName = "Generation";

    /// <summary>The most generations running at Veo at once across the whole cluster, since Google's quota is per project and model (the original ran 7 clicks side by side).</summary>
    [Range(1, 10_000)]
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>The most tasks waiting in the cluster's queue; a submit beyond it fails with <see cref="GenerationQueueFullException"/> and stores nothing.</summary>
    [Range(0, 10_000_000)]
    public int MaxQueueLength { get; set; } = 10_000;

    /// <summary>
    /// How many waiting tasks at the front of the queue stay in memory. One further back, watched by nobody and with at
    /// least <see cref="DormantAfterIdleSeconds"/> to wait before it would reach this part of the queue, leaves memory (its
    /// queue entry, its journal and its open-task row stay) and is woken shortly before its slot comes; a status read wakes
    /// it too. 0 keeps every waiting task in memory.
    /// </summary>
    [Range(0, 10_000_000)]
    public int LiveQueueLength { get; set; } = 1_000;

    /// <summary>
    /// The least time a waiting task behind <see cref="LiveQueueLength"/> must expect to stay away for leaving memory to pay
    /// (coming back is a recovery from the journal): a new task leaves at once, one woken by a read after being asked nothing
    /// this long. The wait is estimated from its place, the budget and the model's recent generation time, and from the pace at which slots have been granted.
    /// </summary>
    [Range(0.01, 3600)]
    public double DormantAfterIdleSeconds { get; set; } = 5;

    /// <summary>Generation time after which a warning is recorded (the task goes on). Counted from leaving the queue.</summary>
    [Range(0.001, 604_800)]
    public double SoftTimeLimitSeconds { get; set; } = 840;

    /// <summary>Generation time after which the task fails with <c>TIME_LIMIT_EXCEEDED</c>. Counted from leaving the queue.</summary>
    [Range(0.001, 604_800)]
    public double HardTimeLimitSeconds { get; set; } = 900;

    /// <summary>The longest a task may wait for its first start before it fails with <c>QUEUE_TIME_LIMIT_EXCEEDED</c>; unlimited when <see langword="null"/>.</summary>
    [Range(0.001, 604_800)]
    public double? QueueTimeLimitSeconds { get; set; }

    /// <summary>
    /// The interval between polls of a model whose durations were not observed yet (at least 0.1 s), and the longest step
    /// near the expected end of one that was. For an observed model the first poll lands at 80% of the recent average
    /// duration (or 95% of the fastest), the next at the expected end, then every hundredth of the expected duration (at
    /// least 10 ms, at most this interval), slowing down gently while the generation overruns.
    /// </summary>
    [Range(0.1, 600)]
    public double PollIntervalSeconds { get; set; } = 1;

    /// <summary>The generation time expected for a model before any of its generations was observed on this node.</summary>
    [Range(0.1, 3600)]
    public double ExpectedGenerationSeconds { get; set; } = 60;

    /// <summary>
    /// What to do with a task found after a crash between storing its start intent and storing Veo's operation name (the
    /// start call was in flight, so Veo may or may not have started the generation): <see langword="false"/> (default) fails
    /// it with <c>INDETERMINATE_START</c>; <see langword="true"/> starts it again, accepting a possible duplicate (billed twice).
    /// </summary>
    public bool RestartIndeterminateStarts { get; set; }

    /// <summary>The default of <see cref="StartCallTimeoutSeconds"/>.</summary>
    public const double DefaultStartCallTimeoutSeconds = 120;

    /// <summary>
    /// The longest a start call to Veo may take, all of the client's attempts included; it is cancelled after that. A task
    /// recovered with its start intent stored but no answer of Veo waits until this long after the intent before it is
    /// treated as indeterminate (see <see cref="RestartIndeterminateStarts"/>): until then another incarnation of it — on a
    /// node that is stopping, or before a rebalance — may still store Veo's answer.
    /// </summary>
    [Range(1, 3600)]
    public double StartCallTimeoutSeconds { get; set; } = DefaultStartCallTimeoutSeconds;

    /// <summary>The wait after a quota refusal (HTTP 429) when Google names no retry delay.</summary>
    [Range(0.01, 3600)]
    public double QuotaRetryDelaySeconds { get; set; } = 5;

    /// <summary>After a quota refusal halves the number of generations started at once, it grows back by one every this many seconds.</summary>
    [Range(0.01, 3600)]
    public double QuotaRecoveryIntervalSeconds { get; set; } = 10;

    /// <summary>Failed polls in a row (after the client's own retries) before the task fails with <c>VEO_REQUEST_FAILED</c>.</summary>
    [Range(1, 1000)]
    public int MaxConsecutivePollFailures { get; set; } = 20;

    /// <summary>How long the facade waits for a task's actor to accept a submit.</summary>
    [Range(0.1, 600)]
    public double AskTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// How long the facade waits for a task's actor to answer a status read or a cancel before it gives up with
    /// <see cref="GenerationUnavailableException"/> (503 with <c>Retry-After</c> in the reference service): while a shard
    /// moves to another node its tasks cannot answer, and a reader is better told so at once than kept waiting. A task
    /// that is there answers in milliseconds (a waiting one within half a second even when the dispatcher is away), so
    /// one second is ample.
    /// </summary>
    [Range(0.001, 600)]
    public double ReadAskTimeoutSeconds { get; set; } = 1;

    /// <summary>How long an ended task stays in memory for status reads before it passivates (later reads recover it from the journal).</summary>
    [Range(0.1, 3600)]
    public double EndedTaskIdleSeconds { get; set; } = 15;

    /// <summary>
    /// When the dispatcher starts (the cluster starts, or it takes over from a node that left or was lost) it wakes every
    /// unfinished task and grants no slot until each has reported what it holds, so that tasks still generating at Veo are
    /// counted before waiting ones start. This is the longest it waits for them (normally they have all reported within a
    /// second or two); 0 turns the wait off.
    /// </summary>
    [Range(0, 600)]
    public double RecoveryHoldSeconds { get; set; } = 30;

    /// <summary>The cluster role that hosts the generation shards; every node when <see langword="null"/>.</summary>
    public string? Role { get; set; }

    /// <summary>Checks the values together (ranges are also checked by data annotations when bound through options validation).</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the configuration key.</exception>
    public void Validate()
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
        {
            var first = results[0];
            throw new ArgumentException($"{SectionName}:{first.MemberNames.FirstOrDefault()}: {first.ErrorMessage}");
        }

        if (SoftTimeLimitSeconds > HardTimeLimitSeconds)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{SectionName}:SoftTimeLimitSeconds ({SoftTimeLimitSeconds}) must not exceed {SectionName}:HardTimeLimitSeconds ({HardTimeLimitSeconds})."));
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"VeoGenerationOptions {{ MaxConcurrency = {MaxConcurrency}, MaxQueueLength = {MaxQueueLength}, Soft/Hard = {SoftTimeLimitSeconds}/{HardTimeLimitSeconds} s, QueueTimeLimit = {QueueTimeLimitSeconds?.ToString(CultureInfo.InvariantCulture) ?? "none"}, PollInterval = {PollIntervalSeconds} s }}");
}

/// <summary>Where the journal and the generation table live.</summary>
public enum VeoPersistenceProvider
{
    /// <summary>A SQLite file (single node, the default).</summary>
    Sqlite = 0,

    /// <summary>PostgreSQL (clusters; linq2db provider PostgreSQL.15).</summary>
    PostgreSql = 1,
}

/// <summary>Persistence settings; bound from the <c>Persistence</c> configuration section.</summary>
public sealed class VeoPersistenceOptions
{
    /// <summary>The configuration section bound by <c>AddVeoGenerationEngine</c>.</summary>
    public const string SectionName = "Persistence";

    /// <summary>The default SQLite connection string: a file under <c>data/</c> (the folder is created).</summary>
    public const string DefaultSqliteConnectionString = "Data Source=data/veo.db";

    /// <summary>The database kind.</summary>
    public VeoPersistenceProvider Provider { get; set; } = VeoPersistenceProvider.Sqlite;

    /// <summary>The connection string (Microsoft.Data.Sqlite or Npgsql format); the journal, the sharding state and the generation table share it.</summary>
    public string ConnectionString { get; set; } = DefaultSqliteConnectionString;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">The connection string is missing or does not fit the provider; the message names the key.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException($"{SectionName}:ConnectionString is required (environment variable {SectionName}__ConnectionString).");
        }

        if (Provider == VeoPersistenceProvider.PostgreSql && ConnectionString.Contains("Data Source=", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"{SectionName}:Provider is PostgreSql but {SectionName}:ConnectionString looks like a SQLite one; set an Npgsql connection string " +
                $"such as 'Host=db;Database=veo;Username=veo;Password=…' (environment variable {SectionName}__ConnectionString).");
        }

        if (!Enum.IsDefined(Provider))
        {
            throw new ArgumentException($"{SectionName}:Provider must be Sqlite or PostgreSql, not '{Provider}'.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"VeoPersistenceOptions {{ Provider = {Provider} }}";
}

/// <summary>Which store keeps finished videos (<c>Storage:Provider</c>).</summary>
public enum VideoStoreProvider
{
    /// <summary>Files in a folder of this node (<c>Storage:VideosPath</c>), the default: one node serves its own videos.</summary>
    Folder = 0,

    /// <summary>Objects in a Google Cloud Storage bucket (<c>Storage:Bucket</c>, <c>Storage:ObjectPrefix</c>): every node serves every video.</summary>
    GoogleCloudStorage = 1,
}

/// <summary>Where finished videos are kept; bound from the <c>Storage</c> configuration section.</summary>
public sealed class VeoStorageOptions
{
    /// <summary>The configuration section bound by <c>AddVeoGenerationEngine</c>.</summary>
    public const string SectionName = "Storage";

    /// <summary>The default of <see cref="ObjectPrefix"/>.</summary>
    public const string DefaultObjectPrefix = "videos/";

    /// <summary>Which store keeps the videos: a folder (the default) or a Cloud Storage bucket.</summary>
    public VideoStoreProvider Provider { get; set; } = VideoStoreProvider.Folder;

    /// <summary>The folder of the video files (created when missing); relative paths resolve against the working directory. Used by <see cref="VideoStoreProvider.Folder"/>.</summary>
    public string VideosPath { get; set; } = "data/videos";

    /// <summary>The Cloud Storage bucket of <see cref="VideoStoreProvider.GoogleCloudStorage"/> (required there), e.g. <c>my-app-videos</c>.</summary>
    public string? Bucket { get; set; }

    /// <summary>The start of every object name the bucket store writes: a task's video is <c>{prefix}{task id}.mp4</c>. Empty puts them at the bucket's root.</summary>
    public string ObjectPrefix { get; set; } = DefaultObjectPrefix;

    /// <summary>
    /// The Cloud Storage JSON API root the bucket store calls (e.g. a Veo simulator's base URL). <see langword="null"/>:
    /// on Vertex AI, the Veo client's <c>Veo:StorageBaseUrl</c>, else its <c>Veo:BaseUrl</c> (as the client reads <c>gs://</c>
    /// results), else Google's <c>https://storage.googleapis.com/</c>.
    /// </summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>
    /// A Google credentials file (a service-account key) for the bucket store. <see langword="null"/>: the Veo client's own
    /// credential when it is on Vertex AI (<c>Veo:CredentialsFile</c>, <c>Veo:CredentialsJson</c>, …), else Application
    /// Default Credentials.
    /// </summary>
    public string? CredentialsFile { get; set; }

    /// <summary>
    /// A Cloud Storage prefix (<c>gs://bucket/folder/</c>) for Vertex AI to write each generation's videos to, under
    /// <c>{prefix}{task id}/</c>, instead of returning them inline in the poll answer; the video store then takes the video
    /// from there: the bucket store keeps Google's object as it is when it is in <see cref="Bucket"/> and copies it inside
    /// Cloud Storage otherwise (no bytes pass through the node either way), the folder store downloads it with the client's
    /// own credentials. Ignored on the Gemini API. <see langword="null"/> (the default): inline results.
    /// </summary>
    public string? VertexOutputUri { get; set; }

    /// <summary>The storage URI of one task: <see cref="VertexOutputUri"/> with a folder of its own.</summary>
    internal string? StorageUriFor(string taskId)
        => string.IsNullOrWhiteSpace(VertexOutputUri) ? null : $"{VertexOutputUri.TrimEnd('/')}/{taskId}/";

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Provider))
        {
            throw new ArgumentException($"{SectionName}:Provider must be Folder or GoogleCloudStorage, not '{Provider}'.");
        }

        if (Provider == VideoStoreProvider.Folder && string.IsNullOrWhiteSpace(VideosPath))
        {
            throw new ArgumentException($"{SectionName}:VideosPath must name a folder (environment variable Storage__VideosPath).");
        }

        if (Provider == VideoStoreProvider.GoogleCloudStorage)
        {
            if (string.IsNullOrWhiteSpace(Bucket) || !Storage.CloudStorageNames.IsBucketName(Bucket))
            {
                throw new ArgumentException(
                    $"{SectionName}:Bucket must name a Cloud Storage bucket (3 to 63 lowercase letters, digits, '-', '_' or '.') when {SectionName}:Provider is GoogleCloudStorage, not '{Bucket}' (environment variable Storage__Bucket).");
            }

            if (ObjectPrefix is null || ObjectPrefix.StartsWith('/') || ObjectPrefix.AsSpan().ContainsAny('\r', '\n') || ObjectPrefix.Length > 512)
            {
                throw new ArgumentException($"{SectionName}:ObjectPrefix must be empty or a path inside the bucket such as 'videos/' (no leading '/'), not '{ObjectPrefix}'.");
            }

            if (BaseUrl is { } baseUrl && (!baseUrl.IsAbsoluteUri || baseUrl.Scheme is not ("http" or "https")))
            {
                throw new ArgumentException($"{SectionName}:BaseUrl must be an absolute http(s) URL, not '{baseUrl}'.");
            }
        }

        if (VertexOutputUri is not null)
        {
            // The SDK's own rule for a storage URI, so the engine refuses at start what every submit would be refused for.
            try
            {
                new GenerateVideoRequest { Model = VeoModels.Veo31Vertex, Prompt = "-", StorageUri = StorageUriFor("t") }.Validate();
            }
            catch (VeoValidationException ex)
            {
                throw new ArgumentException($"{SectionName}:VertexOutputUri is invalid: {ex.Rule}", ex);
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => Provider == VideoStoreProvider.GoogleCloudStorage
        ? $"VeoStorageOptions {{ Provider = {Provider}, Bucket = {Bucket}, ObjectPrefix = {ObjectPrefix}, BaseUrl = {BaseUrl?.ToString() ?? "(default)"}, VertexOutputUri = {VertexOutputUri} }}"
        : $"VeoStorageOptions {{ Provider = {Provider}, VideosPath = {VideosPath}, VertexOutputUri = {VertexOutputUri} }}";
}
