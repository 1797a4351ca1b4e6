using System.Net;

namespace ReferenceService.Webhooks;

/// <summary>Signed callbacks on a task's final state, bound from the <c>Webhooks</c> section.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// The Standard Webhooks signing secret, <c>whsec_</c> followed by base64 of 24 to 64 random bytes. Without it (and
    /// without a caller's own <see cref="ReferenceService.Callers.ApiKeyEntry.WebhookSecret"/>) a <c>webhook_url</c> is refused.
    /// </summary>
    public string? SigningSecret { get; set; }

    /// <summary>
    /// Waits between delivery attempts; after the last one the delivery is given up and logged. The default follows the
    /// schedule the Standard Webhooks spec suggests, bounded to about a day.
    /// </summary>
    /// <remarks>Empty means the default; the list starts empty because configuration binding appends to a list's items.</remarks>
    public List<double> RetryDelaysSeconds { get; set; } = [];

    /// <summary>The default schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.</summary>
    public static IReadOnlyList<double> DefaultRetryDelaysSeconds { get; } = [5, 300, 1800, 7200, 18000, 36000, 36000];

    internal IReadOnlyList<double> EffectiveRetryDelays => RetryDelaysSeconds.Count > 0 ? RetryDelaysSeconds : DefaultRetryDelaysSeconds;

    /// <summary>How long one delivery attempt may take before it counts as failed.</summary>
    public double TimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// Allow receivers on loopback (plain HTTP is allowed there). Off by default: a caller must not make the service call
    /// itself or its neighbours. Turn on for local development and tests.
    /// </summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Allow receivers in private (RFC 1918, unique-local) and link-local ranges, for receivers inside your network.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How many deliveries are attempted at once.</summary>
    public int MaxParallelDeliveries { get; set; } = 8;

    internal bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return AllowLoopback;
        }

        return AllowPrivateNetworks || !IsPrivateOrLinkLocal(address);
    }

    private static bool IsPrivateOrLinkLocal(IPAddress address)
    {
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var bytes6 = address.GetAddressBytes();
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || (bytes6[0] & 0xfe) == 0xfc;
        }

        var b = address.GetAddressBytes();
        return b[0] == 10
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)   // carrier-grade NAT, where cloud metadata proxies also live
            || b[0] == 0;
    }
}
