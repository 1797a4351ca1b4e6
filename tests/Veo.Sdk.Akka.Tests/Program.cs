using Veo.Sdk.Akka.Tests.Support;

namespace Veo.Sdk.Akka.Tests;

/// <summary>
/// The test assembly's entry point. Under the test runner it is never called; the crash-recovery tests start this
/// assembly as a child process (<c>dotnet exec Veo.Sdk.Akka.Tests.dll crash-host …</c>) running a real engine, and kill it.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == CrashHost.Command)
        {
            return await CrashHost.RunAsync(args[1..]);
        }

        await Console.Error.WriteLineAsync($"This is a test assembly; run it with 'dotnet test'. ('{CrashHost.Command}' is for the crash-recovery tests.)");
        return 2;
    }
}
