namespace Veo.Sdk;

/// <summary>The base of every exception Veo.Sdk throws for Veo's answers and transport faults (argument errors stay <see cref="ArgumentException"/>).</summary>
public abstract class VeoException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    protected VeoException(string message, Exception? innerException = null) : base(message, innerException) { }
}

/// <summary>A request to Veo failed: Veo answered with an error status, or no answer came (DNS, connection, timeout).</summary>
public class VeoRequestFailedException : VeoException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="status">The HTTP status code, or 0 when no response was received.</param>
    /// <param name="errorCode">Google's <c>error.status</c>, such as <c>RESOURCE_EXHAUSTED</c>, when Veo sent one.</param>
    /// <param name="message">What went wrong, including Google's <c>error.message</c> when there was one.</param>
    /// <param name="retryAfter">The delay Google asked for (<c>RetryInfo.retryDelay</c> or <c>Retry-After</c>), if any.</param>
    /// <param name="innerException">The cause, if any.</param>
    public VeoRequestFailedException(int status, string? errorCode, string message, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        ErrorCode = errorCode;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status code, or 0 when no response was received.</summary>
    public int Status { get; }

    /// <summary>Google's <c>error.status</c> (for example <c>RESOURCE_EXHAUSTED</c>, <c>INVALID_ARGUMENT</c>, <c>NOT_FOUND</c>), when Veo sent one.</summary>
    public string? ErrorCode { get; }

    /// <summary>The delay Google asked for before trying again, if it named one.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Whether Veo refused the call for quota or rate reasons (HTTP 429 / <c>RESOURCE_EXHAUSTED</c>); nothing was started.</summary>
    public bool IsQuotaExceeded => Status == 429 || string.Equals(ErrorCode, "RESOURCE_EXHAUSTED", StringComparison.Ordinal);

    /// <summary>Whether repeating the same request later may succeed (quota, 5xx, or no response at all).</summary>
    public bool IsTransient => Status is 0 or 408 or 429 or >= 500;
}

/// <summary>A finished generation was safety-filtered: Veo returned no video (see <see cref="GenerateVideoResult.Filtered"/>).</summary>
public class VeoGenerationFilteredException : VeoException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filteredCount">How many videos were filtered.</param>
    /// <param name="reasons">Google's reasons.</param>
    public VeoGenerationFilteredException(int filteredCount, IReadOnlyList<string> reasons)
        : base($"Veo filtered {filteredCount} video(s) for safety reasons: {string.Join(" | ", reasons ?? [])}")
    {
        FilteredCount = filteredCount;
        Reasons = reasons ?? [];
    }

    /// <summary>How many videos were filtered.</summary>
    public int FilteredCount { get; }

    /// <summary>Google's human-readable reasons or support codes.</summary>
    public IReadOnlyList<string> Reasons { get; }
}

/// <summary>A generation's operation ended with an error (see <see cref="GenerateVideoResult.Failed"/>).</summary>
public class VeoGenerationFailedException : VeoException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The operation's error.</param>
    public VeoGenerationFailedException(VeoOperationError error)
        : base($"The Veo operation failed with code {error?.Code}: {error?.Message}")
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>The operation's error.</summary>
    public VeoOperationError Error { get; }
}
