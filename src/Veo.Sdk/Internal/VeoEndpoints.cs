namespace Veo.Sdk.Internal;

/// <summary>Where each backend lives, and which origin may receive the credentials.</summary>
internal static class VeoEndpoints
{
    public static readonly Uri GeminiDefault = new("https://generativelanguage.googleapis.com/");

    /// <summary>The root every relative API path is appended to: <see cref="VeoClientOptions.BaseUrl"/> or Google's host.</summary>
    public static Uri GetBaseUrl(VeoClientOptions options)
    {
        if (options.BaseUrl is { } custom)
        {
            // Refit appends "/v1beta/..." to the base path; a trailing slash would double it.
            return custom;
        }

        return options.Backend switch
        {
            VeoBackend.VertexAi when string.Equals(options.Location, "global", StringComparison.OrdinalIgnoreCase)
                => new Uri("https://aiplatform.googleapis.com/"),
            VeoBackend.VertexAi => new Uri($"https://{options.Location}-aiplatform.googleapis.com/"),
            _ => GeminiDefault,
        };
    }

    /// <summary>The Cloud Storage JSON API root that <c>gs://</c> videos are read from: <see cref="VeoClientOptions.StorageBaseUrl"/>, else <see cref="VeoClientOptions.BaseUrl"/>, else Google's.</summary>
    public static Uri GetStorageUrl(VeoClientOptions options) => options.StorageBaseUrl ?? options.BaseUrl ?? VeoStorageUri.DefaultApiRoot;

    /// <summary>Whether <paramref name="uri"/> is on the same origin (scheme, host, port) as <paramref name="baseUrl"/>.</summary>
    public static bool IsSameOrigin(Uri? uri, Uri baseUrl)
        => uri is { IsAbsoluteUri: true }
           && string.Equals(uri.Scheme, baseUrl.Scheme, StringComparison.OrdinalIgnoreCase)
           && string.Equals(uri.IdnHost, baseUrl.IdnHost, StringComparison.OrdinalIgnoreCase)
           && uri.Port == baseUrl.Port;

    /// <summary>A URI fit for logs and messages: no query string (signed URLs and <c>key=</c> live there).</summary>
    public static string ForDisplay(Uri uri) => uri.IsAbsoluteUri ? uri.GetLeftPart(UriPartial.Path) : uri.OriginalString.Split('?')[0];
}
