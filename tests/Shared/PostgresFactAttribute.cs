namespace Veo.Sdk.TestSupport;

/// <summary>
/// A test that needs PostgreSQL: it runs when <c>VEO_TEST_POSTGRES</c> holds an Npgsql connection string. Without it the
/// test is reported as skipped, except under CI (<c>CI=true</c>), where it runs and fails with a message saying so.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "VEO_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)) && !IsCi)
        {
            Skip = $"PostgreSQL test skipped: set {Variable} to an Npgsql connection string (e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres) to run it. Under CI=true it fails instead.";
        }
    }

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The configured connection string; fails the test with a clear message when missing (only reachable under CI).</summary>
    public static string RequireConnectionString()
        => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException($"CI=true but {Variable} is not set: the PostgreSQL persistence tests must run in CI. Start a PostgreSQL server and export {Variable}.");
}
