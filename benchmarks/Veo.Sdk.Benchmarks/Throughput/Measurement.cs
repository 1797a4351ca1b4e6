using System.Diagnostics;

namespace Veo.Sdk.Benchmarks.Throughput;

/// <summary>Snapshots the process's CPU time, allocations and collections at the start of a measured window.</summary>
public sealed class Measurement
{
    private readonly ProcessProbe _probe;
    private readonly TimeSpan _cpu;
    private readonly long _allocated;
    private readonly int _gen0;
    private readonly int _gen2;
    private readonly long _startTimestamp;

    private Measurement(ProcessProbe probe)
    {
        _probe = probe;
        _cpu = probe.CpuTime;
        _allocated = GC.GetTotalAllocatedBytes(precise: false);
        _gen0 = GC.CollectionCount(0);
        _gen2 = GC.CollectionCount(2);
        _startTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>Starts measuring <paramref name="probe"/>'s process (CPU and peak RSS; allocations and collections are this process's).</summary>
    public static Measurement Start(ProcessProbe? probe = null) => new(probe ?? ProcessProbe.Self);

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startTimestamp);

    public TimeSpan CpuTime => _probe.CpuTime - _cpu;

    public long AllocatedBytes => GC.GetTotalAllocatedBytes(precise: false) - _allocated;

    public int Gen0Collections => GC.CollectionCount(0) - _gen0;

    public int Gen2Collections => GC.CollectionCount(2) - _gen2;

    public double PeakRssMiB => _probe.PeakRssMiB;

    /// <summary>Collects everything collectable and gives the memory back, so a following idle reading is the process's floor.</summary>
    public static void SettleMemory()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
