namespace Veo.Sdk.Akka;

/// <summary>The stable names in <see cref="VideoTaskError.Code"/>.</summary>
public static class VideoTaskErrorCodes
{
    /// <summary>Veo refused the start call or a poll for a reason other than quota (details: <c>http_status</c>, <c>error_code</c>).</summary>
    public const string VeoRequestFailed = "VEO_REQUEST_FAILED";

    /// <summary>Vertex AI refused the client's credentials, or no token could be obtained from them (details: <c>credential_source</c>, never the secret).</summary>
    public const string AuthenticationFailed = "AUTHENTICATION_FAILED";

    /// <summary>Veo does not serve the requested model: retired, not on this backend or region, or misspelt (details: <c>model</c>). Never retried.</summary>
    public const string ModelUnavailable = "MODEL_UNAVAILABLE";

    /// <summary>Veo's operation ended with an error (details: <c>operation_error_code</c>).</summary>
    public const string VeoOperationFailed = "VEO_OPERATION_FAILED";

    /// <summary>Veo withheld the video for safety reasons (details: <c>reasons</c>, <c>filtered_count</c>). Google does not bill these.</summary>
    public const string SafetyFiltered = "SAFETY_FILTERED";

    /// <summary>The generation ran past <c>Generation:HardTimeLimitSeconds</c>.</summary>
    public const string TimeLimitExceeded = "TIME_LIMIT_EXCEEDED";

    /// <summary>The task waited in the queue longer than <c>Generation:QueueTimeLimitSeconds</c>; it never reached Veo.</summary>
    public const string QueueTimeLimitExceeded = "QUEUE_TIME_LIMIT_EXCEEDED";

    /// <summary>The finished video could not be downloaded from Veo.</summary>
    public const string DownloadFailed = "DOWNLOAD_FAILED";

    /// <summary>The video or its generation row could not be stored.</summary>
    public const string StorageFailed = "STORAGE_FAILED";

    /// <summary>
    /// The process stopped inside the call that starts the generation at Veo, so nobody knows whether Veo started it
    /// (see <c>Generation:RestartIndeterminateStarts</c>).
    /// </summary>
    public const string IndeterminateStart = "INDETERMINATE_START";
}
