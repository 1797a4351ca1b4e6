using Veo.Sdk.Benchmarks.Throughput;

namespace Veo.Sdk.Benchmarks.Tests;

public class FloorRunSpecs
{
    [Fact]
    public async Task Should_take_about_the_physical_limit_when_running_the_floor()
    {
        // arrange: 3 waves of 150 ms
        var workload = Workload.Custom(n: 12, c: 4, TimeSpan.FromMilliseconds(150));
        var veo = new InProcessVeoClient(workload.Latency);
        var floor = new FloorRun(veo, (name, _) => veo.FinishedAt(name)!.Value);

        // act
        var result = await floor.RunAsync(workload, "floor-test", CancellationToken.None);

        // assert
        Assert.Equal(0, result.Lost);
        Assert.Equal(12, veo.Starts);
        Assert.Equal(12, veo.Downloads);
        Assert.InRange(veo.MaxActive(), 1, 4);
        Assert.True(result.Makespan >= workload.Limit, $"makespan {result.Makespan} is below the limit {workload.Limit}");
        Assert.True(result.Makespan < workload.Limit + TimeSpan.FromSeconds(5), $"makespan {result.Makespan} is far above the limit");
        Assert.All(result.SuccessDelaysMs, d => Assert.InRange(d, 0, 5000));
        Assert.Equal(12, result.SubmitLatenciesMs.Count);
    }
}
