using System.Text.Json;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;

namespace Veo.Sdk.Internal;

/// <summary>
/// Where a Vertex AI client gets its bearer tokens, one per client (not per HTTP handler, which the handler factory
/// rotates): a custom provider, a static token, or a Google credential (an explicit one, a key file or JSON, else
/// Application Default Credentials) through Google.Apis.Auth, which caches each token and refreshes it before it
/// expires, one refresh at a time.
/// </summary>
internal sealed class VertexCredentials : IDisposable
{
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
    public const string ApplicationCredentialsVariable = "GOOGLE_APPLICATION_CREDENTIALS";

    private readonly VeoClientOptions _options;
    private readonly Lazy<Task<GoogleCredential>> _google;
    private readonly SemaphoreSlim _refresh = new(1, 1);

    public VertexCredentials(VeoClientOptions options)
    {
        _options = options;
        Source = Describe(options);
        _google = new Lazy<Task<GoogleCredential>>(LoadAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Where the tokens come from, in words fit for a log or an error: never the secret itself.</summary>
    public string Source { get; }

    public static string Describe(VeoClientOptions options) => options switch
    {
        { AccessTokenProvider: not null } => "VeoClientOptions.AccessTokenProvider",
        { Credential: not null } => "the Google credential in VeoClientOptions.Credential",
        { CredentialsJson.Length: > 0 } => "the credentials JSON of Veo:CredentialsJson",
        { CredentialsFile.Length: > 0 } => $"the credentials file {options.CredentialsFile} (Veo:CredentialsFile)",
        { AccessToken.Length: > 0 } => "the static access token of Veo:AccessToken",
        _ => Environment.GetEnvironmentVariable(ApplicationCredentialsVariable) is { Length: > 0 } file
            ? $"Application Default Credentials (the credentials file {file} named by {ApplicationCredentialsVariable})"
            : "Application Default Credentials (gcloud application-default login, or the metadata server on Google Cloud)",
    };

    /// <summary>
    /// The project of the credential when it names one: a service-account key's <c>project_id</c> (or a user
    /// credential's <c>quota_project_id</c>), else <c>GOOGLE_CLOUD_PROJECT</c>. Read without any network call.
    /// </summary>
    public static string? FindProjectId(VeoClientOptions options)
    {
        if (options.Credential?.UnderlyingCredential is ServiceAccountCredential { ProjectId: { Length: > 0 } fromCredential })
        {
            return fromCredential;
        }

        var usesApplicationDefault = options is { Credential: null, AccessTokenProvider: null, AccessToken: null or "" };
        var file = options.CredentialsFile is { Length: > 0 } explicitFile ? explicitFile
            : usesApplicationDefault ? Environment.GetEnvironmentVariable(ApplicationCredentialsVariable) : null;
        var json = options.CredentialsJson is { Length: > 0 } explicitJson ? explicitJson
            : file is { Length: > 0 } && File.Exists(file) ? TryRead(file) : null;
        return ProjectFromJson(json)
            ?? (Environment.GetEnvironmentVariable("GOOGLE_CLOUD_PROJECT") is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
    }

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_options.AccessTokenProvider is { } provider)
            {
                return await provider(cancellationToken).ConfigureAwait(false);
            }

            if (_options.AccessToken is { Length: > 0 } token)
            {
                return token;
            }

            var credential = await _google.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            return await ((ITokenAccess)credential).GetAccessTokenForRequestAsync(authUri: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsCredentialFailure(e))
        {
            throw Failure(e);
        }
    }

    /// <summary>
    /// A token to replace <paramref name="rejected"/>, which Vertex answered 401: the one another request fetched meanwhile,
    /// else a fresh one from the token endpoint (one refresh at a time).
    /// </summary>
    public async ValueTask<string> RefreshAsync(string rejected, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
            if (!string.Equals(current, rejected, StringComparison.Ordinal) || !_google.IsValueCreated)
            {
                return current;
            }

            var credential = await _google.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var refreshed = credential.UnderlyingCredential switch
                {
                    ServiceCredential service => await service.RequestAccessTokenAsync(cancellationToken).ConfigureAwait(false),
                    UserCredential user => await user.RefreshTokenAsync(cancellationToken).ConfigureAwait(false),
                    _ => false,
                };
                return refreshed ? await GetTokenAsync(cancellationToken).ConfigureAwait(false) : current;
            }
            catch (Exception e) when (IsCredentialFailure(e))
            {
                throw Failure(e);
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Dispose() => _refresh.Dispose();

    public VeoAuthenticationException Rejected(int status, string? errorCode, string message)
        => new(Source, status, errorCode, $"{message} (credentials: {Source})");

    private async Task<GoogleCredential> LoadAsync()
    {
        var credential = _options.Credential
            ?? (_options.CredentialsJson is { Length: > 0 } json ? FromJson(json)
                : _options.CredentialsFile is { Length: > 0 } file ? FromJson(await File.ReadAllTextAsync(file).ConfigureAwait(false))
                : await GoogleCredential.GetApplicationDefaultAsync().ConfigureAwait(false));
        return credential.IsCreateScopedRequired ? credential.CreateScoped(CloudPlatformScope) : credential;
    }

    /// <summary>Loads credentials JSON of the type it declares (as Google's guidance asks: never a type it did not expect to be).</summary>
    private static GoogleCredential FromJson(string json)
    {
        string? type;
        try
        {
            using var document = JsonDocument.Parse(json);
            type = document.RootElement.TryGetProperty("type", out var value) ? value.GetString() : null;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException("The credentials are not JSON.", e);
        }

        if (type is not (JsonCredentialParameters.ServiceAccountCredentialType or JsonCredentialParameters.AuthorizedUserCredentialType
            or JsonCredentialParameters.ExternalAccountCredentialType or JsonCredentialParameters.ImpersonatedServiceAccountCredentialType))
        {
            throw new InvalidOperationException($"The credentials JSON has type '{type}'; expected a service-account key, user, external-account or impersonated credential.");
        }

        return CredentialFactory.FromJson(json, type);
    }

    private static string? ProjectFromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            foreach (var name in (ReadOnlySpan<string>)["project_id", "quota_project_id"])
            {
                if (document.RootElement.TryGetProperty(name, out var value) && value.GetString() is { Length: > 0 } project)
                {
                    return project;
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private static string? TryRead(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsCredentialFailure(Exception e)
        => e is TokenResponseException or InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException or FormatException;

    private VeoAuthenticationException Failure(Exception e)
    {
        // Google.Apis.Auth's messages name the error and the file, never the key or a token.
        var reason = e is TokenResponseException token
            ? $"the token endpoint answered {token.Error?.Error}{(token.Error?.ErrorDescription is { Length: > 0 } d ? ": " + d : string.Empty)}"
            : e.Message;
        return new VeoAuthenticationException(Source, 401, "UNAUTHENTICATED", $"No Vertex AI access token could be obtained from {Source}: {reason}", e is TokenResponseException ? null : e);
    }
}
