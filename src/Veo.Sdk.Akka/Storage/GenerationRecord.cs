namespace Veo.Sdk.Akka.Storage;

/// <summary>A saved generation: the original system's "save to database" row, written exactly once per successful task.</summary>
public sealed record GenerationRecord
{
    /// <summary>The generation's id, assigned by the database.</summary>
    public required long GenerationId { get; init; }

    /// <summary>The task that produced it.</summary>
    public required string TaskId { get; init; }

    /// <summary>The ad it belongs to, if any.</summary>
    public long? AdId { get; init; }

    /// <summary>The prompt.</summary>
    public required string Prompt { get; init; }

    /// <summary>The original model key (e.g. <c>veo_3_1_t2v_portrait</c>), if the task had one.</summary>
    public string? ModelKey { get; init; }

    /// <summary>The Veo model id used.</summary>
    public required string Model { get; init; }

    /// <summary>The seed, if one was given.</summary>
    public long? Seed { get; init; }

    /// <summary>The aspect ratio (<c>16:9</c> or <c>9:16</c>), if one was given.</summary>
    public string? AspectRatio { get; init; }

    /// <summary>Where the video store keeps the video.</summary>
    public required string VideoLocation { get; init; }

    /// <summary>The video's size in bytes.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>Seconds from leaving the queue to the video being saved.</summary>
    public required double GenerationTimeSeconds { get; init; }

    /// <summary>Veo's operation name.</summary>
    public string? OperationName { get; init; }

    /// <summary>When the task was submitted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the generation was saved.</summary>
    public required DateTimeOffset CompletedAt { get; init; }
}

/// <summary>Reads saved generations (the engine writes them).</summary>
public interface IGenerationStore
{
    /// <summary>Reads one generation.</summary>
    /// <param name="generationId">The generation's id.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The generation, or <see langword="null"/> when there is none with that id.</returns>
    Task<GenerationRecord?> GetAsync(long generationId, CancellationToken cancellationToken = default);

    /// <summary>Reads the generation saved for a task, if any.</summary>
    /// <param name="taskId">The task's id.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The generation, or <see langword="null"/>.</returns>
    Task<GenerationRecord?> GetByTaskIdAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Lists the generations of an ad, newest first.</summary>
    /// <param name="adId">The ad's id.</param>
    /// <param name="limit">At most this many.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The generations, newest first.</returns>
    Task<IReadOnlyList<GenerationRecord>> ListByAdAsync(long adId, int limit = 100, CancellationToken cancellationToken = default);
}
