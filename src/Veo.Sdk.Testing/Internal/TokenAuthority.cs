using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Veo.Sdk.Testing.Internal;

/// <summary>
/// Google's OAuth 2.0 token endpoint for service accounts (RFC 7523 JWT bearer grant), as strict as Google about the
/// assertion: RS256, signed by a registered key, issued by its service account, addressed to this endpoint, asking for a
/// scope, and at most an hour long. It issues opaque access tokens that the Vertex endpoints then accept.
/// </summary>
internal sealed class TokenAuthority(TimeProvider clock)
{
    public const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    private static readonly HashSet<string> GoogleTokenAudiences = new(StringComparer.Ordinal)
    {
        "https://oauth2.googleapis.com/token",
        "https://www.googleapis.com/oauth2/v4/token",
        "https://accounts.google.com/o/oauth2/token",
    };

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, ServiceAccount> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private long _tokenRequests;

    public long TokenRequests => Interlocked.Read(ref _tokenRequests);

    public void AddServiceAccount(string clientEmail, RSA publicKey)
        => _accounts[clientEmail] = new ServiceAccount(RSA.Create(publicKey.ExportParameters(includePrivateParameters: false)), Revoked: false);

    public void Revoke(string clientEmail)
    {
        if (_accounts.TryGetValue(clientEmail, out var account))
        {
            _accounts[clientEmail] = account with { Revoked = true };
        }

        foreach (var (token, issued) in _tokens)
        {
            if (issued.ClientEmail == clientEmail)
            {
                _tokens.TryRemove(token, out _);
            }
        }
    }

    public void ExpireAll() => _tokens.Clear();

    public void ResetStats() => Interlocked.Exchange(ref _tokenRequests, 0);

    /// <summary>Whether <paramref name="token"/> was issued here, is unexpired and its account is not revoked.</summary>
    public bool IsValid(string token)
        => _tokens.TryGetValue(token, out var issued)
            && issued.ExpiresAt > clock.GetUtcNow()
            && _accounts.TryGetValue(issued.ClientEmail, out var account) && !account.Revoked;

    /// <summary>Answers one token request: the JSON body and its status.</summary>
    public (int Status, object Body) Exchange(string? grantType, string? assertion, Uri tokenUri, TimeSpan lifetime)
    {
        Interlocked.Increment(ref _tokenRequests);
        if (grantType != JwtBearerGrant)
        {
            return Error(400, "unsupported_grant_type", "Invalid grant_type: " + grantType);
        }

        if (string.IsNullOrEmpty(assertion) || assertion.Split('.') is not { Length: 3 } parts)
        {
            return Error(400, "invalid_request", "Invalid JWT: the assertion is not a JWS compact serialization.");
        }

        JsonElement header, claims;
        byte[] signature;
        try
        {
            header = JsonSerializer.Deserialize<JsonElement>(Base64Url.DecodeFromChars(parts[0]));
            claims = JsonSerializer.Deserialize<JsonElement>(Base64Url.DecodeFromChars(parts[1]));
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return Error(400, "invalid_request", "Invalid JWT: a part is not base64url-encoded JSON.");
        }

        if (String(header, "alg") != "RS256")
        {
            return Error(400, "invalid_grant", "Invalid JWT: the signing algorithm must be RS256.");
        }

        var issuer = String(claims, "iss");
        if (issuer is null || !_accounts.TryGetValue(issuer, out var account))
        {
            return Error(400, "invalid_grant", "Invalid JWT Signature.");
        }

        if (account.Revoked)
        {
            return Error(400, "invalid_grant", "Invalid JWT Signature.");
        }

        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!account.PublicKey.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return Error(400, "invalid_grant", "Invalid JWT Signature.");
        }

        // Google accepts its token endpoint's public names as the audience; a key pointed here may also name this endpoint.
        var audience = String(claims, "aud");
        if (audience is null
            || !(GoogleTokenAudiences.Contains(audience) || string.Equals(audience.TrimEnd('/'), tokenUri.ToString().TrimEnd('/'), StringComparison.Ordinal)))
        {
            return Error(400, "invalid_grant", $"Invalid JWT: the aud claim '{audience}' is not a token endpoint of Google's.");
        }

        if (String(claims, "scope") is not { Length: > 0 } scope)
        {
            return Error(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
        }

        var now = clock.GetUtcNow();
        if (!claims.TryGetProperty("iat", out var iatValue) || !iatValue.TryGetInt64(out var iat)
            || !claims.TryGetProperty("exp", out var expValue) || !expValue.TryGetInt64(out var exp))
        {
            return Error(400, "invalid_grant", "Invalid JWT: the iat and exp claims are required.");
        }

        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(iat);
        var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (issuedAt > now + ClockSkew || expires < now - ClockSkew || expires - issuedAt > MaxAssertionLifetime)
        {
            return Error(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
        }

        var token = "ya29.sim-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _tokens[token] = new IssuedToken(issuer, now + lifetime);
        return (200, new Dictionary<string, object>
        {
            ["access_token"] = token,
            ["expires_in"] = (long)lifetime.TotalSeconds,
            ["token_type"] = "Bearer",
            ["scope"] = scope,
        });
    }

    private static string? String(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static (int, object) Error(int status, string error, string description)
        => (status, new Dictionary<string, object> { ["error"] = error, ["error_description"] = description });

    private sealed record ServiceAccount(RSA PublicKey, bool Revoked);

    private sealed record IssuedToken(string ClientEmail, DateTimeOffset ExpiresAt);
}
