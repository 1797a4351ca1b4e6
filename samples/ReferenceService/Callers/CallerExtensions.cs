using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace ReferenceService.Callers;

public static partial class CallerExtensions
{
    /// <summary>API-key authentication; when keys are configured every endpoint needs one unless it allows anonymous callers.</summary>
    public static IServiceCollection AddCallers(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(CallerOptions.SectionName);
        services.AddOptions<CallerOptions>().Bind(section)
            .Validate(o => o.ApiKeys.All(k => k.Name.Length > 0 && k.Sha256.Trim().Length == 64), "Every Callers:ApiKeys entry needs a Name and a 64-digit hex Sha256.")
            .Validate(o => o.VideoUrlLifetimeSeconds > 0, "Callers:VideoUrlLifetimeSeconds must be positive.")
            .ValidateOnStart();
        var keysRequired = section.GetSection(nameof(CallerOptions.ApiKeys)).GetChildren().Any();

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().SetFallbackPolicy(keysRequired ? new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build() : null);

        services.AddSingleton<OwnershipStore>();
        services.AddSingleton<CallerAccess>();
        services.AddSingleton<VideoUrlSigner>();
        return services;
    }

    /// <summary>Authentication and authorization, and a line at start saying whether callers need keys.</summary>
    public static WebApplication UseCallers(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CallerOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ReferenceService.Callers");
        if (options.KeysRequired)
        {
            LogKeysRequired(logger, options.ApiKeys.Count(k => !k.Revoked));
        }
        else
        {
            LogOpen(logger);
        }

        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API keys are required ({KeyCount} active); tasks belong to the caller that created them")]
    private static partial void LogKeysRequired(ILogger logger, int keyCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API keys configured (Callers:ApiKeys): the service runs open, anyone who can reach it may submit, read and cancel any task")]
    private static partial void LogOpen(ILogger logger);
}
