using System.Security.Cryptography;
using System.Text;

namespace ReferenceService.Generation;

/// <summary>
/// Task and batch ids. An <c>Idempotency-Key</c> is turned into an id by hashing it with the caller's identity, so a retried
/// submit names the same task and the engine's idempotent submit (a repeated task id returns the existing task) makes the
/// retry harmless, across restarts, with no extra table.
/// </summary>
public static class TaskIds
{
    /// <summary>The header clients send to make a submit safe to retry.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The longest accepted <c>Idempotency-Key</c>.</summary>
    public const int MaxIdempotencyKeyLength = 255;

    /// <summary>A fresh random id (32 lowercase hex digits).</summary>
    public static string New() => Guid.NewGuid().ToString("N");

    /// <summary>The id a submit with this key and identity gets; the same inputs always give the same id.</summary>
    /// <param name="scope">What is being submitted (<c>task</c> or <c>batch</c>), so one key cannot name both.</param>
    /// <param name="clientIdentity">Who submits (see <see cref="ClientIdentity"/>).</param>
    /// <param name="idempotencyKey">The client's key.</param>
    public static string FromIdempotencyKey(string scope, string clientIdentity, string idempotencyKey)
        => Hash($"{scope}\n{clientIdentity}\n{idempotencyKey}");

    /// <summary>The id of the task at <paramref name="index"/> in a batch (stable, so a retried batch names the same tasks).</summary>
    public static string ForBatchItem(string batchId, int index) => Hash($"batch-item\n{batchId}\n{index}");

    /// <summary>Whether a string has the shape of an id this service hands out (or any id the engine accepts: letters, digits, '-' and '_').</summary>
    public static bool IsWellFormed(string? id)
        => !string.IsNullOrEmpty(id) && id.Length <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Checks an <c>Idempotency-Key</c> header value.</summary>
    /// <returns>An error message, or <see langword="null"/> when the key is acceptable.</returns>
    public static string? ValidateIdempotencyKey(string key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            return "The Idempotency-Key header must not be blank.";
        }

        if (key.Length > MaxIdempotencyKeyLength)
        {
            return $"The Idempotency-Key header is {key.Length} characters long; at most {MaxIdempotencyKeyLength} are accepted.";
        }

        return key.Any(c => c < 0x20 || c > 0x7E) ? "The Idempotency-Key header may contain printable ASCII characters only." : null;
    }

    private static string Hash(string value)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), digest);
        return Convert.ToHexStringLower(digest[..16]);
    }
}

/// <summary>Who is calling: the rate-limit partition and the scope of idempotency keys.</summary>
public static class ClientIdentity
{
    /// <summary>The authenticated user's name when there is one, otherwise the remote address.</summary>
    /// <remarks>
    /// This sample has no authentication, so clients are told apart by address. Behind a reverse proxy, enable forwarded
    /// headers (ASPNETCORE_FORWARDEDHEADERS_ENABLED=true) so the address is the client's, not the proxy's.
    /// </remarks>
    public static string Of(HttpContext context)
    {
        if (context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name })
        {
            return "user:" + name;
        }

        return context.Connection.RemoteIpAddress is { } address ? "ip:" + address : "ip:unknown";
    }
}
