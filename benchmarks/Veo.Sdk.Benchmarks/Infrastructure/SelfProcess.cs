using System.Diagnostics;

namespace Veo.Sdk.Benchmarks.Infrastructure;

/// <summary>Starts this benchmark program again as a child process (fresh memory for a fair peak RSS; a victim for kill -9).</summary>
public static class SelfProcess
{
    /// <summary>A start description for this program with <paramref name="arguments"/>, stdout redirected, stderr passed through.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };

        // Launched as "dotnet Veo.Sdk.Benchmarks.dll" the host is dotnet and needs the assembly; through the apphost it does not.
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(typeof(SelfProcess).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }

    /// <summary>
    /// Runs this program with <paramref name="arguments"/> to the end; lines it prints that start with <paramref name="resultPrefix"/>
    /// are returned (without the prefix), every other line is echoed.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RunAsync(IEnumerable<string> arguments, string resultPrefix, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = Process.Start(StartInfo(arguments)) ?? throw new InvalidOperationException("Could not start the child process.");
        var results = new List<string>();
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timer.Token) is { } line)
            {
                if (line.StartsWith(resultPrefix, StringComparison.Ordinal))
                {
                    results.Add(line[resultPrefix.Length..]);
                }
                else
                {
                    await Console.Error.WriteLineAsync(line);
                }
            }

            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The child run did not finish within {timeout.TotalSeconds:0} s and was killed.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The child run exited with code {process.ExitCode}.");
        }

        return results;
    }
}
