using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ReferenceService.Callers;

/// <summary>
/// Signs video links (HMAC-SHA256 over the path and the expiry) so that a plain <c>&lt;video&gt;</c> tag can play them
/// while API keys guard everything else: the link itself is the permission, for a bounded time.
/// </summary>
public sealed class VideoUrlSigner
{
    public const string ExpiresParameter = "expires";
    public const string SignatureParameter = "sig";

    private readonly byte[] _key;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    public VideoUrlSigner(IOptions<CallerOptions> options, TimeProvider time)
    {
        _key = options.Value.UrlSigningKey is { Length: > 0 } configured ? Convert.FromBase64String(configured) : RandomNumberGenerator.GetBytes(32);
        _lifetime = TimeSpan.FromSeconds(options.Value.VideoUrlLifetimeSeconds);
        _time = time;
    }

    /// <summary>The query string (with its '?') that makes <paramref name="path"/> playable until the lifetime passes.</summary>
    public string Sign(string path)
    {
        var expires = _time.GetUtcNow().Add(_lifetime).ToUnixTimeSeconds();
        return $"?{ExpiresParameter}={expires.ToString(CultureInfo.InvariantCulture)}&{SignatureParameter}={Signature(path, expires)}";
    }

    /// <summary>Whether the request carries a valid, unexpired signature for its path.</summary>
    public bool IsValid(HttpRequest request)
    {
        if (!long.TryParse(request.Query[ExpiresParameter], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || expires < _time.GetUtcNow().ToUnixTimeSeconds()
            || request.Query[SignatureParameter].ToString() is not { Length: > 0 } given)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Signature(request.Path.Value ?? "", expires));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(given));
    }

    private string Signature(string path, long expires)
        => WebEncoders.Base64UrlEncode(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{path}\n{expires.ToString(CultureInfo.InvariantCulture)}")));
}
