using System.Diagnostics;
using System.Globalization;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>
/// Reads what a process costs from Linux's /proc: peak and current resident set size (VmHWM, VmRSS) and CPU time.
/// Works for this process and for another one (the reference service runs as its own process in service mode).
/// </summary>
public sealed class ProcessProbe
{
    private const double ClockTicksPerSecond = 100.0; // USER_HZ; 100 on every Linux the runtime supports.
    private readonly int? _pid;

    private ProcessProbe(int? pid) => _pid = pid;

    public static ProcessProbe Self { get; } = new(null);

    public static ProcessProbe ForProcess(int pid) => new(pid);

    private string Dir => _pid is { } pid ? $"/proc/{pid}" : "/proc/self";

    /// <summary>The peak resident set size since the process started or since <see cref="TryResetPeak"/>, in MiB.</summary>
    public double PeakRssMiB => ReadStatusKiB("VmHWM") / 1024.0;

    /// <summary>The current resident set size, in MiB.</summary>
    public double RssMiB => ReadStatusKiB("VmRSS") / 1024.0;

    /// <summary>User + system CPU time consumed so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            if (_pid is null)
            {
                return Process.GetCurrentProcess().TotalProcessorTime;
            }

            // /proc/pid/stat: the command may contain spaces, so fields are counted after the closing parenthesis.
            var stat = File.ReadAllText($"{Dir}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds((utime + stime) / ClockTicksPerSecond);
        }
    }

    /// <summary>
    /// Resets VmHWM to the current RSS (Linux ≥ 4.0: write 5 to clear_refs), so a peak measured afterwards belongs to what runs
    /// afterwards and not to start-up or warm-up. Returns false where the kernel refuses it; the peak then covers the whole process.
    /// </summary>
    public bool TryResetPeak()
    {
        try
        {
            File.WriteAllText($"{Dir}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private long ReadStatusKiB(string key)
    {
        foreach (var line in File.ReadLines($"{Dir}/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal) && line.Length > key.Length && line[key.Length] == ':')
            {
                var value = line[(key.Length + 1)..].Trim();
                var space = value.IndexOf(' ', StringComparison.Ordinal);
                return long.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{key} not found in {Dir}/status.");
    }

    /// <summary>The 1-minute load average of the machine (how busy the other helpers keep it).</summary>
    public static double LoadAverage1Min()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}
