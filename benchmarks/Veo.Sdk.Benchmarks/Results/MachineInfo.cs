using System.Globalization;
using System.Runtime.InteropServices;

namespace Veo.Sdk.Benchmarks.Results;

/// <summary>What the machine is: cores, memory, CPU model, OS and runtime.</summary>
public static class MachineInfo
{
    public static string Describe()
    {
        var memory = ReadMemTotalGiB();
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores ({CpuModel()}), {memory:0.0} GiB memory, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}");
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown CPU" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

    private static double ReadMemTotalGiB()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kib = long.Parse(line["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return kib / 1024.0 / 1024.0;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}
