namespace ReferenceService.Callers;

/// <summary>Who may call the service, bound from the <c>Callers</c> section. No keys configured: the service runs open.</summary>
public sealed class CallerOptions
{
    public const string SectionName = "Callers";

    /// <summary>The API keys, stored as SHA-256 hashes so the configuration never holds a usable key.</summary>
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];

    /// <summary>
    /// The secret that signs <c>video_url</c>s (base64, at least 32 bytes). When unset a random one is made at start, so
    /// handed-out video links stop working after a restart (they expire anyway).
    /// </summary>
    public string? UrlSigningKey { get; set; }

    /// <summary>How long a signed <c>video_url</c> plays.</summary>
    public double VideoUrlLifetimeSeconds { get; set; } = 24 * 3600;

    /// <summary>Whether callers must present a key.</summary>
    public bool KeysRequired => ApiKeys.Count > 0;

    /// <summary>The entry of the caller with this name, if one is configured.</summary>
    public ApiKeyEntry? Find(string name) => ApiKeys.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.Ordinal));
}

/// <summary>One caller's key.</summary>
public sealed class ApiKeyEntry
{
    /// <summary>The caller's name: owner of what it creates, its rate-limit partition and its Idempotency-Key scope.</summary>
    public string Name { get; set; } = "";

    /// <summary>Lowercase hex SHA-256 of the key (<c>printf %s "$KEY" | sha256sum</c>).</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>Where this caller's tasks are called back when a submit names no <c>webhook_url</c>.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>This caller's own <c>whsec_</c> signing secret, so one caller's receiver cannot be sent another's callbacks; else <c>Webhooks:SigningSecret</c>.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>An admin sees and cancels every caller's tasks.</summary>
    public bool Admin { get; set; }

    /// <summary>A revoked key is refused like an unknown one; keep the entry so the log can name whose key it was.</summary>
    public bool Revoked { get; set; }
}
