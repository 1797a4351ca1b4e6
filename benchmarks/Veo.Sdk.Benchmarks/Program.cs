using Veo.Sdk.Benchmarks.Micro;
using Veo.Sdk.Benchmarks.Throughput;

namespace Veo.Sdk.Benchmarks;

/// <summary>
/// The benchmark program. Commands:
/// <c>throughput</c> (workloads W0..W3 per mode, beside the floor), <c>crash</c> (kill -9 in the middle of W2, restart),
/// <c>micro</c> (BenchmarkDotNet suites of the hot paths).
/// </summary>
public static class Program
{
    private const string Usage = """
        usage: dotnet run -c Release --project benchmarks/Veo.Sdk.Benchmarks -- <command> [options]

        commands:
        """;

    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        var command = args.Length > 0 ? args[0] : "";
        var rest = args.Length > 0 ? args[1..] : [];
        try
        {
            return command switch
            {
                "throughput" => await ThroughputCommand.RunAsync(rest, cancel.Token),
                ChildRun.Command => await ChildRun.RunAsync(rest, cancel.Token),
                "crash" => await Crash.CrashCommand.RunAsync(rest, cancel.Token),
                Crash.CrashCommand.ChildCommand => await Crash.CrashCommand.RunChildAsync(rest, cancel.Token),
                "micro" => MicroCommand.Run(rest),
                _ => PrintUsage(command),
            };
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
    }

    private static int PrintUsage(string command)
    {
        if (command is not ("" or "help" or "--help" or "-h"))
        {
            Console.Error.WriteLine($"Unknown command '{command}'.");
        }

        Console.Error.WriteLine(Usage);
        Console.Error.WriteLine("  " + ThroughputCommand.Usage.Replace("\n", "\n  ", StringComparison.Ordinal));
        Console.Error.WriteLine("  " + Crash.CrashCommand.Usage.Replace("\n", "\n  ", StringComparison.Ordinal));
        Console.Error.WriteLine("  " + MicroCommand.Usage.Replace("\n", "\n  ", StringComparison.Ordinal));
        return command is "" or "help" or "--help" or "-h" ? 0 : 2;
    }
}
