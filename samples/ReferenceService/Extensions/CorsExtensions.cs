namespace ReferenceService.Extensions;

public static class CorsExtensions
{
    /// <summary>The frontends allowed to call this service from a browser (<c>Cors:AllowedOrigins</c>; the original frontend ran on http://localhost:3000).</summary>
    public static IServiceCollection AddFrontendCors(this IServiceCollection services, IConfiguration configuration)
    {
        var origins = FrontendOrigins(configuration);
        services.AddCors(options => options.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .AllowAnyHeader()
            .WithMethods("GET", "POST")
            .WithExposedHeaders("Location", "Retry-After", "Deprecation", "Sunset", "Link")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return services;
    }

    /// <summary>The configured origins (also the origins a WebSocket may come from, besides this service's own).</summary>
    public static string[] FrontendOrigins(IConfiguration configuration)
        => configuration.GetSection("Cors:AllowedOrigins").Get<string[]>() is { Length: > 0 } configured
            ? configured.Select(origin => origin.TrimEnd('/')).ToArray()
            : ["http://localhost:3000"];
}
