using System.Text.Json;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;
using Google.Cloud.Storage.V1;
using Veo.Sdk.Akka.Hosting;

namespace Veo.Sdk.Akka.Storage;

/// <summary>Makes the video store <c>Storage:Provider</c> names.</summary>
internal static class VideoStores
{
    /// <param name="storage">The <c>Storage</c> settings.</param>
    /// <param name="veo">The Veo client's settings, whose credential and storage root the bucket store shares on Vertex AI.</param>
    public static IVideoStore Create(VeoStorageOptions storage, VeoClientOptions? veo) => storage.Provider switch
    {
        VideoStoreProvider.GoogleCloudStorage => new GoogleCloudStorageVideoStore(storage.Bucket!, storage.ObjectPrefix, () => CreateClientAsync(storage, veo)),
        _ => new FolderVideoStore(storage.VideosPath),
    };

    /// <summary>
    /// A Cloud Storage client on the Veo client's credential when that one is on Vertex AI (one identity for both, and the
    /// same token endpoint), else <c>Storage:CredentialsFile</c> or Application Default Credentials.
    /// </summary>
    internal static async Task<StorageClient> CreateClientAsync(VeoStorageOptions storage, VeoClientOptions? veo)
    {
        var onVertex = veo is { Backend: VeoBackend.VertexAi };
        var root = storage.BaseUrl ?? (onVertex ? veo!.StorageBaseUrl ?? veo.BaseUrl : null);
        var builder = new StorageClientBuilder
        {
            BaseUri = root is null ? null : new Uri(root, "storage/v1/").ToString(),

            // The library would sign its own tokens for a service-account key; asking the key's token endpoint instead is
            // what the Veo client does, and what lets a key's token_uri (a simulator, an identity proxy) take effect.
            UseJwtAccessWithScopes = false,
        };

        if (storage.CredentialsFile is { Length: > 0 } file)
        {
            builder.GoogleCredential = FromJson(await File.ReadAllTextAsync(file).ConfigureAwait(false), $"{VeoStorageOptions.SectionName}:CredentialsFile");
        }
        else if (onVertex)
        {
            var options = veo!;
            if (options.AccessTokenProvider is { } provider)
            {
                builder.Credential = new TokenProviderCredential(provider);
            }
            else if (options.Credential is { } credential)
            {
                builder.GoogleCredential = credential;
            }
            else if (options.CredentialsJson is { Length: > 0 } json)
            {
                builder.GoogleCredential = FromJson(json, "Veo:CredentialsJson");
            }
            else if (options.CredentialsFile is { Length: > 0 } keyFile)
            {
                builder.GoogleCredential = FromJson(await File.ReadAllTextAsync(keyFile).ConfigureAwait(false), "Veo:CredentialsFile");
            }
            else if (options.AccessToken is { Length: > 0 } token)
            {
                builder.GoogleCredential = GoogleCredential.FromAccessToken(token);
            }
        }

        return await builder.BuildAsync().ConfigureAwait(false);
    }

    /// <summary>Credentials JSON of the type it declares, as Google asks: never a type the caller did not expect.</summary>
    private static GoogleCredential FromJson(string json, string source)
    {
        string? type;
        try
        {
            using var document = JsonDocument.Parse(json);
            type = document.RootElement.TryGetProperty("type", out var value) ? value.GetString() : null;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"The credentials of {source} are not JSON.", e);
        }

        if (type is not (JsonCredentialParameters.ServiceAccountCredentialType or JsonCredentialParameters.AuthorizedUserCredentialType
            or JsonCredentialParameters.ExternalAccountCredentialType or JsonCredentialParameters.ImpersonatedServiceAccountCredentialType))
        {
            throw new InvalidOperationException($"The credentials of {source} have type '{type}'; expected a service-account key, user, external-account or impersonated credential.");
        }

        return CredentialFactory.FromJson(json, type);
    }

    /// <summary>The Veo client's own token source (<see cref="VeoClientOptions.AccessTokenProvider"/>) as a Google credential.</summary>
    private sealed class TokenProviderCredential(Func<CancellationToken, ValueTask<string>> provider) : ICredential, IHttpExecuteInterceptor
    {
        public void Initialize(ConfigurableHttpClient httpClient) => httpClient.MessageHandler.Credential = this;

        public async Task<string> GetAccessTokenForRequestAsync(string? authUri = null, CancellationToken cancellationToken = default)
            => await provider(cancellationToken).ConfigureAwait(false);

        public async Task InterceptAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await provider(cancellationToken).ConfigureAwait(false));
    }
}
