namespace Veo.Sdk.Akka.Storage;

/// <summary>Cloud Storage's naming rules, as far as the bucket store checks them before asking Google.</summary>
internal static class CloudStorageNames
{
    /// <summary>3 to 63 characters (222 with dots) of lowercase letters, digits, '-', '_' and '.', beginning and ending with a letter or digit.</summary>
    public static bool IsBucketName(string name)
        => name.Length is >= 3 and <= 222 && (name.Length <= 63 || name.Contains('.', StringComparison.Ordinal))
            && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.')
            && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);

    /// <summary>Splits a <c>gs://bucket/object</c> URI, as Vertex AI names the videos it wrote.</summary>
    public static bool TryParseUri(Uri? uri, out string bucket, out string objectName)
    {
        bucket = objectName = string.Empty;
        const string scheme = "gs://";
        var text = uri?.OriginalString;
        if (text is null || !text.StartsWith(scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var slash = text.IndexOf('/', scheme.Length);
        if (slash < 0 || slash == text.Length - 1 || !IsBucketName(text[scheme.Length..slash]))
        {
            return false;
        }

        bucket = text[scheme.Length..slash];
        objectName = text[(slash + 1)..];
        return true;
    }

    /// <summary>A location of the bucket store is an object name: not empty, at most 1024 bytes, no line breaks.</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public static void CheckLocation(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        if (System.Text.Encoding.UTF8.GetByteCount(location) > 1024 || location.AsSpan().ContainsAny('\r', '\n'))
        {
            throw new ArgumentException($"Video location '{location}' is not a Cloud Storage object name.", nameof(location));
        }
    }
}
