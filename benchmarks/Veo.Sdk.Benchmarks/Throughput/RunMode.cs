namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>What a throughput run measures.</summary>
public enum RunMode
{
    /// <summary>N tasks gated by SemaphoreSlim(C) awaiting the Veo stand-in; nothing persisted. The physical limit in practice.</summary>
    Floor,

    /// <summary>The Akka engine with its SQLite journal and generation table; Veo answered in-process (no HTTP).</summary>
    Engine,

    /// <summary>The engine with the real VeoClient over HTTP to the Veo simulator on loopback.</summary>
    Full,

    /// <summary>Through the reference service's HTTP endpoints (the service runs as its own process).</summary>
    Service,
}

public static class RunModes
{
    public static RunMode Parse(string text) => text.ToLowerInvariant() switch
    {
        "floor" => RunMode.Floor,
        "engine" => RunMode.Engine,
        "full" => RunMode.Full,
        "service" => RunMode.Service,
        _ => throw new ArgumentException($"Unknown mode '{text}'; use floor, engine, full or service."),
    };

    public static string Name(this RunMode mode) => mode.ToString().ToLowerInvariant();
}
