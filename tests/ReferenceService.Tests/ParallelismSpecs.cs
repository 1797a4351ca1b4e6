using System.Diagnostics;

namespace ReferenceService.Tests;

/// <summary>Seven quick clicks on "Generate" run side by side, as the original's workers did, not one after the other.</summary>
public sealed class ParallelismSpecs(ParallelismSpecs.Fixture service) : IClassFixture<ParallelismSpecs.Fixture>
{
    public const double LatencySeconds = 2;

    public sealed class Fixture : ServiceFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Veo:Simulator:LatencySeconds"] = Seconds(LatencySeconds),
            ["Generation:MaxConcurrency"] = "8",
        };
    }

    [Fact]
    public async Task Should_run_seven_generations_side_by_side_when_they_are_submitted_quickly()
    {
        // arrange
        var client = service.Client;
        service.Simulator.ResetStats();
        var clock = Stopwatch.StartNew();

        // act
        var taskIds = await Task.WhenAll(Enumerable.Range(1, 7).Select(i => client.SubmitAsync(Api.SeedRequest(adId: 50 + i, prompt: $"click {i}"))));
        await Task.WhenAll(taskIds.Select(id => client.WaitForSuccessAsync(id)));
        clock.Stop();

        // assert: all seven were at Veo at once, so the whole run took about one generation, not seven
        var stats = service.Simulator.GetStats();
        Assert.Equal(7, stats.OperationsStarted);
        Assert.Equal(7, stats.MaxActive);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(LatencySeconds * 4), $"seven generations of {LatencySeconds} s took {clock.Elapsed.TotalSeconds:0.0} s; one after the other would take {LatencySeconds * 7} s");
    }
}

/// <summary>With a small Generation:MaxConcurrency the bound holds: never more generations at Veo than slots.</summary>
public sealed class BoundedParallelismSpecs(BoundedParallelismSpecs.Fixture service) : IClassFixture<BoundedParallelismSpecs.Fixture>
{
    public sealed class Fixture : ServiceFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Veo:Simulator:LatencySeconds"] = "0.5",
            ["Generation:MaxConcurrency"] = "2",
        };
    }

    [Fact]
    public async Task Should_never_run_more_generations_than_slots_when_more_tasks_wait()
    {
        // arrange
        var client = service.Client;
        service.Simulator.ResetStats();

        // act
        var taskIds = await Task.WhenAll(Enumerable.Range(1, 6).Select(i => client.SubmitAsync(Api.SeedRequest(adId: 60, prompt: $"queued click {i}"))));
        var finals = await Task.WhenAll(taskIds.Select(id => client.WaitForSuccessAsync(id)));

        // assert
        var stats = service.Simulator.GetStats();
        Assert.Equal(6, stats.OperationsStarted);
        Assert.Equal(2, stats.MaxActive);
        Assert.All(finals, status => Assert.Equal("SUCCESS", status.State()));
    }
}
