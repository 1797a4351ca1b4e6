namespace Veo.Sdk.Akka.Generation;

/// <summary>A failed poll as the retry rules see it.</summary>
/// <param name="HttpStatus">Veo's HTTP status; 0 when no answer came (or the failure was not Veo's).</param>
/// <param name="ErrorCode">Google's <c>error.status</c>, if Veo named one.</param>
/// <param name="Message">What went wrong.</param>
/// <param name="IsTransient">Whether polling on may help.</param>
/// <param name="CredentialSource">Where the refused credentials came from, when Veo refused them.</param>
internal sealed record PollFailure(int HttpStatus, string? ErrorCode, string Message, bool IsTransient, string? CredentialSource);

/// <summary>Turns the exceptions of Veo calls into what the task's rules decide on. Pure: no I/O, no clock.</summary>
internal static class VeoFailures
{
    /// <summary>A failed start call as a refusal; quota refusals are the ones the task retries (later, from the queue).</summary>
    public static TaskFacts.StartRejected StartRejected(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error switch
        {
            VeoModelUnavailableException m => new TaskFacts.StartRejected(m.Status, m.ErrorCode, m.Message, null, false, UnavailableModel: m.Model),
            VeoAuthenticationException a => new TaskFacts.StartRejected(a.Status, a.ErrorCode, a.Message, null, false, CredentialSource: a.CredentialSource),
            VeoRequestFailedException v => new TaskFacts.StartRejected(v.Status, v.ErrorCode, v.Message, v.RetryAfter, v.IsQuotaExceeded),

            // The client checks the request before sending it: Veo started nothing.
            ArgumentException a => new TaskFacts.StartRejected(400, "INVALID_ARGUMENT", a.Message, null, false),
            _ => new TaskFacts.StartRejected(0, null, error.Message, null, false),
        };
    }

    /// <summary>
    /// A failed poll. A poll only reads, so anything that is not Veo's own verdict (a timeout, a broken connection, a bug
    /// in between) counts as transient; Veo's answers are transient as its status says (no answer, 408, 429, 5xx).
    /// </summary>
    public static PollFailure Poll(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error is VeoRequestFailedException v
            ? new PollFailure(v.Status, v.ErrorCode, error.Message, v.IsTransient, (v as VeoAuthenticationException)?.CredentialSource)
            : new PollFailure(0, null, error.Message, IsTransient: true, null);
    }
}
