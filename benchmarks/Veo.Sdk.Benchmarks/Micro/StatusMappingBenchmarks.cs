using BenchmarkDotNet.Attributes;
using Veo.Sdk.Akka;
using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Benchmarks.Micro;

/// <summary>
/// Status mapping: a task's state projected onto the original's vocabulary (state, text, progress, queue position, ETA),
/// paid on every status read and every change a watcher sees.
/// </summary>
[MemoryDiagnoser]
public class StatusMappingBenchmarks
{
    private readonly VideoTask _waiting = EngineSamples.StateAfter(1);
    private readonly VideoTask _running = EngineSamples.StateAfter(3);
    private readonly VideoTask _succeeded = EngineSamples.StateAfter(4);
    private readonly LiveView _queued = new(EngineSamples.T0.AddSeconds(5), null, new ExpectedDuration(TimeSpan.FromSeconds(45), true), 37, 900, 100, 3);
    private readonly LiveView _generating = new(EngineSamples.T0.AddSeconds(20), VideoTaskStage.Generating, new ExpectedDuration(TimeSpan.FromSeconds(45), true), null, 900, 100, 5);
    private readonly LiveView _done = new(EngineSamples.T0.AddSeconds(50), null, new ExpectedDuration(TimeSpan.FromSeconds(45), true), null, 0, 100, 9);

    [Benchmark(Baseline = true)]
    public VideoTaskStatus Waiting_in_queue() => _waiting.ToStatus(_queued);

    [Benchmark]
    public VideoTaskStatus Generating() => _running.ToStatus(_generating);

    [Benchmark]
    public VideoTaskStatus Succeeded() => _succeeded.ToStatus(_done);
}
