using System.Net;
using System.Net.Http.Headers;

namespace Veo.Sdk.Internal;

/// <summary>
/// Signs every attempt (it sits inside the retry loop) with the Gemini API key or the Vertex AI bearer token — but
/// only for requests to the API's own origin (and, on Vertex AI, to the Cloud Storage JSON API that <c>gs://</c>
/// results are read from), so a redirect to any other host never receives the credentials.
/// </summary>
internal sealed class VeoAuthenticationHandler(VeoClientOptions options, VertexCredentials credentials) : DelegatingHandler
{
    public const string ApiKeyHeader = "x-goog-api-key";

    private readonly Uri _apiOrigin = VeoEndpoints.GetBaseUrl(options);
    private readonly Uri _storageOrigin = VeoEndpoints.GetStorageUrl(options);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (VeoEndpoints.IsSameOrigin(request.RequestUri, _apiOrigin)
            || (options.Backend == VeoBackend.VertexAi && VeoEndpoints.IsSameOrigin(request.RequestUri, _storageOrigin)))
        {
            if (options.Backend == VeoBackend.VertexAi)
            {
                var token = await credentials.GetTokenAsync(cancellationToken).ConfigureAwait(false);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != System.Net.HttpStatusCode.Unauthorized)
                {
                    return response;
                }

                // A token can die before its expiry (revoked, rotated, a clock ahead of Google's): refresh once and send
                // again. A 401 means Google refused the call, so a start repeated here cannot start a second generation.
                var refreshed = await credentials.RefreshAsync(token, cancellationToken).ConfigureAwait(false);
                if (string.Equals(refreshed, token, StringComparison.Ordinal))
                {
                    return response;
                }

                response.Dispose();
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", refreshed);
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            else if (!string.IsNullOrEmpty(options.ApiKey))
            {
                request.Headers.Remove(ApiKeyHeader);
                request.Headers.TryAddWithoutValidation(ApiKeyHeader, options.ApiKey);
            }
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// Follows the redirect of a file download (Google answers a file URI with a redirect to storage). Each hop is a fresh
/// request through the authentication handler, which decides per origin whether it gets the key.
/// </summary>
internal sealed class FollowRedirectsHandler : DelegatingHandler
{
    private const int MaxRedirects = 5;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var current = request;
        for (var hop = 0; hop < MaxRedirects && IsRedirect(response.StatusCode) && response.Headers.Location is { } location; hop++)
        {
            var target = location.IsAbsoluteUri ? location : new Uri(current.RequestUri!, location);
            if (target.Scheme != Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttp)
            {
                break;
            }

            response.Dispose();
            var next = new HttpRequestMessage(HttpMethod.Get, target) { Version = current.Version, VersionPolicy = current.VersionPolicy };
            foreach (var accept in request.Headers.Accept)
            {
                next.Headers.Accept.Add(accept);
            }

            if (current != request)
            {
                current.Dispose();
            }

            current = next;
            response = await base.SendAsync(current, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    private static bool IsRedirect(HttpStatusCode status)
        => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
}

/// <summary>Sends through a caller-supplied <see cref="HttpClient"/>, which stays the caller's to configure and dispose.</summary>
internal sealed class HttpClientForwardingHandler(HttpClient client) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // HttpClient refuses a message that another HttpClient (ours, in front of the pipeline) already sent, and the
        // retry loop sends the same message again: each attempt goes out as a copy. Bodies are buffered, so sharable.
        var copy = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
            Content = request.Content,
        };
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var option in request.Options)
        {
            copy.Options.Set(new HttpRequestOptionsKey<object?>(option.Key), option.Value);
        }

        try
        {
            var response = await client.SendAsync(copy, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            response.RequestMessage = request;
            return response;
        }
        finally
        {
            // The content belongs to the original message (and to the next attempt); the copy must not dispose it.
            copy.Content = null;
            copy.Dispose();
        }
    }

    // The client belongs to the caller: disposing this handler (the factory rotates handlers) must not dispose it,
    // and the base class has nothing of the client's to release.
    protected override void Dispose(bool disposing) => base.Dispose(disposing);
}
