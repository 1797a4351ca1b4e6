namespace Veo.Sdk;

/// <summary>The base of every exception Veo.Sdk throws for Veo's answers and transport faults (a request refused before any call is a <see cref="VeoValidationException"/>, an <see cref="ArgumentException"/>).</summary>
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

/// <summary>
/// Veo does not serve the requested model (404 <c>NOT_FOUND</c> on the start call): it was retired, is not offered on
/// this backend or in this region, or the id is misspelt. Repeating the call never helps, so it is never retried; pick
/// another id from <see cref="VeoModels"/>.
/// </summary>
public class VeoModelUnavailableException : VeoRequestFailedException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="model">The model id that Veo does not serve.</param>
    /// <param name="status">The HTTP status code (404).</param>
    /// <param name="errorCode">Google's <c>error.status</c> (<c>NOT_FOUND</c>), when Veo sent one.</param>
    /// <param name="message">What went wrong, including Google's <c>error.message</c>.</param>
    public VeoModelUnavailableException(string model, int status, string? errorCode, string message)
        : base(status, errorCode, message)
    {
        Model = model;
    }

    /// <summary>The model id that Veo does not serve.</summary>
    public string Model { get; }
}

/// <summary>
/// Vertex AI refused the client's credentials (401 after a token refresh), or no access token could be obtained from
/// them. <see cref="CredentialSource"/> says where the client looked; the message never holds a key or a token.
/// </summary>
public class VeoAuthenticationException : VeoRequestFailedException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="credentialSource">Where the credentials came from, e.g. "the credentials file /etc/veo/key.json".</param>
    /// <param name="status">The HTTP status code (401, or 0 when the token endpoint itself refused).</param>
    /// <param name="errorCode">Google's <c>error.status</c>, such as <c>UNAUTHENTICATED</c>.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public VeoAuthenticationException(string credentialSource, int status, string? errorCode, string message, Exception? innerException = null)
        : base(status, errorCode, message, null, innerException)
    {
        CredentialSource = credentialSource;
    }

    /// <summary>Where the credentials came from (a description, never the secret).</summary>
    public string CredentialSource { get; }
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

/// <summary>
/// A request breaks one of Veo's rules and was refused before any call: nothing was sent or billed.
/// <see cref="ArgumentException.ParamName"/> names the <see cref="GenerateVideoRequest"/> property, the message the rule.
/// </summary>
public class VeoValidationException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="parameterName">The property that breaks the rule, e.g. <c>DurationSeconds</c>.</param>
    /// <param name="message">The rule, in words, with the value that broke it.</param>
    public VeoValidationException(string parameterName, string message)
        : base(message, parameterName)
    {
        Rule = message;
    }

    internal static VeoValidationException For(string parameterName, string message) => new(parameterName, message);

    /// <summary>The rule that was broken, in words (the message without the parameter suffix <see cref="ArgumentException"/> adds).</summary>
    public string Rule { get; }
}
