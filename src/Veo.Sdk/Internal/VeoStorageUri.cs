namespace Veo.Sdk.Internal;

/// <summary>Cloud Storage URIs (<c>gs://bucket/object</c>): parsing, and the JSON API address of an object.</summary>
internal static class VeoStorageUri
{
    /// <summary>Google's public Cloud Storage JSON API root.</summary>
    public static readonly Uri DefaultApiRoot = new("https://storage.googleapis.com/");

    /// <summary>Splits <c>gs://bucket/object</c>; the object part may be empty (a bucket or a prefix ending in '/').</summary>
    public static bool TryParse(string? text, out string bucket, out string objectName)
    {
        bucket = objectName = string.Empty;
        const string scheme = "gs://";
        if (text is null || !text.StartsWith(scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = text.AsSpan(scheme.Length);
        var slash = rest.IndexOf('/');
        var bucketSpan = slash < 0 ? rest : rest[..slash];
        if (!IsBucketName(bucketSpan))
        {
            return false;
        }

        var objectSpan = slash < 0 ? ReadOnlySpan<char>.Empty : rest[(slash + 1)..];
        if (objectSpan.ContainsAny('\r', '\n', '#') || objectSpan.Contains('?'))
        {
            return false;
        }

        bucket = bucketSpan.ToString();
        objectName = objectSpan.ToString();
        return true;
    }

    /// <summary>The JSON API media download of an object: <c>storage/v1/b/{bucket}/o/{object}?alt=media</c>, the object name escaped whole.</summary>
    public static Uri MediaUri(Uri apiRoot, string bucket, string objectName)
        => new(apiRoot, $"storage/v1/b/{Uri.EscapeDataString(bucket)}/o/{Uri.EscapeDataString(objectName)}?alt=media");

    // Google's bucket naming rules: 3 to 63 characters (222 with dots) of lowercase letters, digits, '-', '_' and '.',
    // starting and ending with a letter or digit.
    private static bool IsBucketName(ReadOnlySpan<char> name)
    {
        if (name.Length is < 3 or > 222 || (name.Length > 63 && !name.Contains('.')))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);
    }
}
