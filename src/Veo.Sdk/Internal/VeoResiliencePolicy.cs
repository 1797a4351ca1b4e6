using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Veo.Sdk.Internal;

/// <summary>The three kinds of calls, each with its own HttpClient and resilience pipeline.</summary>
internal enum VeoCallKind
{
    Start,
    Poll,
    Download,
}

/// <summary>
/// The one place the retry and timeout policy is written. Both the DI registration and the constructors without DI
/// build their pipelines through <see cref="Configure"/>.
/// </summary>
internal static class VeoResiliencePolicy
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, VeoCallKind kind, VeoClientOptions options, ILogger logger, TimeProvider timeProvider, VeoMetrics metrics)
    {
        var attemptTimeout = kind == VeoCallKind.Download ? options.DownloadTimeout : options.RequestTimeout;

        if (options.MaxRetries > 0)
        {
            var retry = new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,

                // The delay generator below reads Retry-After together with RetryInfo, and caps both.
                ShouldRetryAfterHeader = false,
                Name = $"Veo.{kind}.Retry",
            };

            // Wrap the stock predicate (408, 429, 5xx, HttpRequestException, attempt timeouts) instead of restating it.
            var isTransient = retry.ShouldHandle;
            retry.ShouldHandle = async args =>
            {
                if (!await isTransient(args).ConfigureAwait(false))
                {
                    return false;
                }

                if (kind == VeoCallKind.Start
                    && (!IsSafeToRepeatStart(args.Outcome) || (!options.RetryStartsRefusedForQuota && args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests)))
                {
                    return false;
                }

                // A delay longer than we are willing to wait inside one call is the caller's to schedule:
                // the exception carries it as RetryAfter.
                var requested = await GetRequestedDelayAsync(args.Outcome.Result, timeProvider, args.Context.CancellationToken).ConfigureAwait(false);
                return requested is null || requested <= options.MaxRetryDelay;
            };

            retry.DelayGenerator = async args =>
                await GetRequestedDelayAsync(args.Outcome.Result, timeProvider, args.Context.CancellationToken).ConfigureAwait(false);

            retry.OnRetry = args =>
            {
                var reason = args.Outcome.Result is { } response
                    ? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : args.Outcome.Exception?.GetType().Name ?? "unknown";
                Log.RetryingRequest(logger, kind, args.AttemptNumber + 1, args.RetryDelay, reason);
                metrics.RecordRetry(kind, reason);
                return default;
            };

            builder.AddRetry(retry);
        }

        builder.AddTimeout(new Polly.Timeout.TimeoutStrategyOptions { Timeout = attemptTimeout, Name = $"Veo.{kind}.AttemptTimeout" });
    }

    /// <summary>
    /// Whether a failed start can be repeated without risking a second generation (and a second bill): only when Veo
    /// refused it (429: nothing was started) or the connection never opened (nothing was sent).
    /// </summary>
    public static bool IsSafeToRepeatStart(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Result is { } response)
        {
            return response.StatusCode == HttpStatusCode.TooManyRequests;
        }

        for (var ex = outcome.Exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError })
            {
                return true;
            }

            if (ex is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable })
            {
                // A socket error while connecting; HttpRequestError.ConnectionError alone could also mean a reset
                // after the request went out, so the socket's own reason decides.
                return outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
            }
        }

        return false;
    }

    private static async ValueTask<TimeSpan?> GetRequestedDelayAsync(HttpResponseMessage? response, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (response is null)
        {
            return null;
        }

        // The body is buffered, so it can still be read for the exception if this was the last attempt.
        var body = await GoogleErrors.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        return GoogleErrors.GetRequestedDelay(GoogleErrors.TryParseError(body), response.Headers, timeProvider.GetUtcNow());
    }
}
