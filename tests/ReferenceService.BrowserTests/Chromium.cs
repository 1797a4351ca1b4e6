namespace ReferenceService.BrowserTests;

/// <summary>
/// Finds the system Chromium (Debian's <c>chromium</c> package). Playwright drives it through
/// <c>ExecutablePath</c>; no browser is ever downloaded.
/// </summary>
public static class Chromium
{
    /// <summary>Set by <c>.ci/run</c>; wins over the search below.</summary>
    public const string PathVariable = "VEO_CHROMIUM_PATH";

    private static readonly Lazy<string?> Executable = new(Locate);

    /// <summary>The executable to launch, or null when none is installed.</summary>
    public static string? ExecutablePath => Executable.Value;

    /// <summary>True under CI, where a missing browser is a failure rather than a reason to skip.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string MissingMessage =>
        (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } configured
            ? $"{PathVariable} is '{configured}', which does not exist. "
            : "No Chromium found. ") +
        $"Install Debian's package (apt-get install -y chromium) or set {PathVariable} to the executable. " +
        "Never run 'playwright install': these tests use the system browser.";

    /// <summary>Arguments for a headless browser in a container: no sandbox (root), no GPU, no calls home.</summary>
    public static readonly IReadOnlyList<string> LaunchArguments =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"];

    private static string? Locate()
    {
        var configured = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured) ? configured : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in new[] { "chromium", "chromium-browser" })
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : null;
    }
}

/// <summary>
/// A fact that needs the system Chromium: skipped with the reason when it is missing on a developer machine,
/// run (and failing with the same reason) under CI, where <c>.ci/run</c> installs it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Chromium.ExecutablePath is null && !Chromium.IsCi)
        {
            Skip = Chromium.MissingMessage;
        }
    }
}
