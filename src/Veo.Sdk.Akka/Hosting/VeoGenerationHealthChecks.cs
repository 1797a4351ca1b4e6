namespace Veo.Sdk.Akka.Hosting;

/// <summary>
/// The health checks the engine registers (Akka.Hosting's and Akka.Persistence's own probes), by tag and name, so an app
/// maps them without reaching into the actor system or the database:
/// <c>app.MapHealthChecks("/health/ready", new() { Predicate = c =&gt; c.Tags.Contains(VeoGenerationHealthChecks.ReadyTag) })</c>.
/// They run once the app has called <c>services.AddHealthChecks()</c>.
/// </summary>
public static class VeoGenerationHealthChecks
{
    /// <summary>Tag of the liveness probe: the actor system runs and answers.</summary>
    public const string LiveTag = "live";

    /// <summary>Tag of the readiness probes: the node has joined its cluster, the journal plugin and its database answer.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Name of the journal plugin probe.</summary>
    public const string JournalCheckName = "journal";

    /// <summary>Name of the readiness probe that waits for the node to have walked its submit path once after start-up.</summary>
    public const string WarmupCheckName = "engine-warm-up";

    /// <summary>Name of the journal database connectivity probe.</summary>
    public const string DatabaseCheckName = "journal-database";
}
