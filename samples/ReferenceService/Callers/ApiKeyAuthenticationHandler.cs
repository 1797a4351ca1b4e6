using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ReferenceService.Callers;

/// <summary>
/// Authenticates a caller by an API key sent as <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-API-Key: &lt;key&gt;</c>,
/// compared by SHA-256 hash against <see cref="CallerOptions.ApiKeys"/>. A refusal is an RFC 9457 problem.
/// </summary>
public sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<CallerOptions> callers,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-API-Key";
    public const string AdminRole = "admin";
    private const string FailureKey = "api-key-failure";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = ReadKey(Request);
        if (key is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        ApiKeyEntry? match = null;
        foreach (var entry in callers.Value.ApiKeys)
        {
            // Every entry is compared, in fixed time, so the answer's timing does not tell how close a guess was.
            if (TryParseHash(entry.Sha256, out var expected) && CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                match = entry;
            }
        }

        if (match is null)
        {
            return Fail("The API key is not known.");
        }

        if (match.Revoked)
        {
            LogRevokedKeyUsed(Logger, match.Name);
            return Fail("The API key has been revoked.");
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, match.Name) };
        if (match.Admin)
        {
            claims.Add(new Claim(ClaimTypes.Role, AdminRole));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var detail = Context.Items[FailureKey] as string
            ?? $"This endpoint needs an API key, sent as 'Authorization: Bearer <key>' or '{HeaderName}: <key>'.";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "API key required", Detail = detail + " Nothing was changed." },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = "Not allowed", Detail = "This API key may not do this." },
        });
    }

    private Task<AuthenticateResult> Fail(string reason)
    {
        Context.Items[FailureKey] = reason;
        return Task.FromResult(AuthenticateResult.Fail(reason));
    }

    private static string? ReadKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var apiKey) && apiKey.ToString() is { Length: > 0 } value)
        {
            return value.Trim();
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    private static bool TryParseHash(string hex, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromHexString(hex.Trim());
            return bytes.Length == SHA256.HashSizeInBytes;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a revoked API key of caller {Caller}")]
    private static partial void LogRevokedKeyUsed(ILogger logger, string caller);
}
