using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace ReferenceService.Callers;

/// <summary>
/// Decides whether the caller may see a task or batch: with keys configured, only its creator and admins may; another
/// caller is told it does not exist (404), so ids do not leak. Without keys everything is open, as before.
/// </summary>
public sealed class CallerAccess(IOptions<CallerOptions> options, OwnershipStore owners)
{
    public const string TaskKind = "task";
    public const string BatchKind = "batch";

    public bool KeysRequired => options.Value.KeysRequired;

    /// <summary>Records that the caller created the task or batch (nothing when the service runs open).</summary>
    public Task ClaimAsync(HttpContext context, string kind, string id)
        => KeysRequired && CallerName(context.User) is { } name
            ? owners.ClaimAsync(kind, id, name, CancellationToken.None)
            : Task.CompletedTask;

    /// <summary>Whether the caller may see the task or batch.</summary>
    public async Task<bool> CanSeeAsync(HttpContext context, string kind, string id)
    {
        if (!KeysRequired || context.User.IsInRole(ApiKeyAuthenticationHandler.AdminRole))
        {
            return true;
        }

        return CallerName(context.User) is { } name
            && string.Equals(await owners.OwnerAsync(kind, id, context.RequestAborted), name, StringComparison.Ordinal);
    }

    /// <summary>The authenticated caller's key name, or <see langword="null"/> when the request carries no key.</summary>
    internal static string? CallerName(ClaimsPrincipal user)
        => user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;
}
