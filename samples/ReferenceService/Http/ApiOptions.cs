using System.ComponentModel.DataAnnotations;

namespace ReferenceService.Http;

/// <summary>Settings of the HTTP surface, bound from the <c>Api</c> section.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>
    /// The public address of this service, used to build absolute <c>video_url</c>s (e.g. behind a reverse proxy).
    /// When unset, the address of the incoming request is used.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>The largest accepted body of a single submit, in bytes; larger bodies get 413. A batch may be this times its size.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The most requests accepted in one batch submit.</summary>
    [Range(1, 1000)]
    public int MaxBatchSize { get; set; } = 20;

    /// <summary>How long the deprecated synchronous endpoint waits for a task before answering 504 (the task goes on).</summary>
    [Range(1, 86_400)]
    public int SyncTimeoutSeconds { get; set; } = 960;

    /// <summary>When the synchronous endpoint was deprecated (RFC 9745 <c>Deprecation</c> header).</summary>
    public DateTimeOffset DeprecatedSince { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>When the synchronous endpoint goes away (RFC 8594 <c>Sunset</c> header); no header when unset.</summary>
    public DateTimeOffset? SunsetAt { get; set; }

    /// <summary>The most task ids one WebSocket connection may watch at once.</summary>
    [Range(1, 10_000)]
    public int MaxWebSocketSubscriptions { get; set; } = 100;
}
