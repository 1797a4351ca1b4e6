using BenchmarkDotNet.Attributes;
using Veo.Sdk.Akka.Generation;

namespace Veo.Sdk.Benchmarks.Micro;

/// <summary>
/// The engine's pure decide/apply functions: what a task's actor computes for every command and fact (a happy-path task
/// makes four decisions and applies four events), and the replay that rebuilds a task from its journal on recovery.
/// </summary>
[MemoryDiagnoser]
public class TaskDecisionBenchmarks
{
    private readonly VideoTask _new = VideoTask.Empty(EngineSamples.Id);
    private readonly VideoTask _waiting = EngineSamples.StateAfter(1);
    private readonly VideoTask _starting = EngineSamples.StateAfter(2);
    private readonly VideoTask _running = EngineSamples.StateAfter(3);
    private readonly TaskFacts.Admitted _admitted = new(EngineSamples.Request);
    private readonly TaskFacts.SlotGranted _granted = new();
    private readonly TaskFacts.StartAccepted _accepted = new("models/veo-3.1-fast-generate-preview/operations/8d1e6c2b4f0a");
    private readonly TaskFacts.GenerationSaved _saved = new(4711, "2026/11/26/x.mp4", 97119, 43.2);

    [Benchmark(Baseline = true, Description = "happy path: 4 decisions + 4 applies")]
    public object Lifecycle()
    {
        var now = EngineSamples.T0;
        var state = _new;
        state = state.Apply(state.Decide(_admitted, now, EngineSamples.Rules).Events[0]);
        state = state.Apply(state.Decide(_granted, now, EngineSamples.Rules).Events[0]);
        state = state.Apply(state.Decide(_accepted, now, EngineSamples.Rules).Events[0]);
        return state.Apply(state.Decide(_saved, now, EngineSamples.Rules).Events[0]);
    }

    [Benchmark(Description = "replay 4 events (recovery)")]
    public object Replay()
    {
        var state = _new;
        foreach (var e in EngineSamples.History)
        {
            state = state.Apply(e);
        }

        return state;
    }

    [Benchmark(Description = "decide: slot granted")]
    public object Decide_slot_granted() => _waiting.Decide(_granted, EngineSamples.T0, EngineSamples.Rules);

    [Benchmark(Description = "decide: start accepted")]
    public object Decide_start_accepted() => _starting.Decide(_accepted, EngineSamples.T0, EngineSamples.Rules);

    [Benchmark(Description = "decide: generation saved")]
    public object Decide_generation_saved() => _running.Decide(_saved, EngineSamples.T0, EngineSamples.Rules);
}
