using System.Security.Cryptography;
using System.Text;

namespace ReferenceService.Webhooks;

/// <summary>
/// The Standard Webhooks signature: <c>v1,</c> and base64 of HMAC-SHA256 over <c>id.timestamp.body</c>, keyed with the
/// bytes of a <c>whsec_</c> secret.
/// </summary>
public static class WebhookSigner
{
    public const string SecretPrefix = "whsec_";

    /// <summary>The key bytes of a <c>whsec_</c> secret, or <see langword="null"/> when it is not one.</summary>
    public static byte[]? ParseSecret(string? secret)
    {
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
            return key.Length is >= 24 and <= 64 ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The <c>webhook-signature</c> header value.</summary>
    public static string Sign(byte[] key, string webhookId, long timestamp, string body)
    {
        var signed = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
