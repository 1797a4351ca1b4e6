using Veo.Sdk.Akka;
using Veo.Sdk.Akka.Generation;
using static Veo.Sdk.Akka.Generation.VideoTaskEvents;

namespace Veo.Sdk.Benchmarks.Micro;

/// <summary>One task's happy path as the engine records it, shared by the engine suites.</summary>
internal static class EngineSamples
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public static readonly VideoTaskId Id = VideoTaskId.Parse("w2-133015abc-00042");

    public static readonly VideoGenerationRequest Request = new()
    {
        TaskId = Id.Value,
        Veo = Throughput.BenchmarkRequests.Veo("micro", 42),
        ModelKey = "veo_3_1_t2v_fast_portrait",
        AdId = 123,
    };

    public static readonly DecisionRules Rules = new(TimeSpan.FromSeconds(840), TimeSpan.FromSeconds(900), null, TimeSpan.FromSeconds(5), false);

    public static readonly IVideoTaskEvent[] History =
    [
        new Submitted(Id, Request, T0),
        new StartRequested(Id, 1, false, T0.AddSeconds(1)),
        new Started(Id, "models/veo-3.1-fast-generate-preview/operations/8d1e6c2b4f0a", T0.AddSeconds(1.05)),
        new Succeeded(Id, 4711, "2026/11/26/w2-133015abc-00042.mp4", 97119, 43.2, T0.AddSeconds(44)),
    ];

    public static VideoTask StateAfter(int events)
    {
        var state = VideoTask.Empty(Id);
        for (var i = 0; i < events; i++)
        {
            state = state.Apply(History[i]);
        }

        return state;
    }
}
