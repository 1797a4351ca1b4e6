namespace Veo.Sdk.Benchmarks.Crash;

/// <summary><c>crash</c>: W2 with the process killed (SIGKILL) in the middle and restarted on the same database.</summary>
public static class CrashCommand
{
    public const string ChildCommand = "__crash-child";

    public const string Usage = """
        crash [--json] [--kill-after S] [--no-record]
          W2 (N=1000, C=100, L=1 s) on the engine with the real VeoClient and the simulator (in this process);
          the engine process is killed with SIGKILL after S seconds (default 5) and started again on the same database
        """;

    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The crash benchmark needs the engine and the simulator, which are not merged yet.");

    public static Task<int> RunChildAsync(string[] args, CancellationToken cancellationToken) => RunAsync(args, cancellationToken);
}
