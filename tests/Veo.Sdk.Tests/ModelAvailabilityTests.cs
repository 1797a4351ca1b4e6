using Veo.Sdk.Testing;

namespace Veo.Sdk.Tests;

/// <summary>A model Google no longer serves is a named error, never retried, on both backends.</summary>
public sealed class ModelAvailabilityTests
{
    public static TheoryData<VeoBackend, string> RetiredModels => new()
    {
        { VeoBackend.VertexAi, VeoModels.Veo30 },
        { VeoBackend.GeminiApi, VeoModels.Veo31 },
    };

    [Theory]
    [MemberData(nameof(RetiredModels))]
    public async Task Should_throw_model_unavailable_without_retrying_when_the_model_is_retired(VeoBackend backend, string model)
    {
        // arrange
        var options = new VeoSimulatorOptions { Latency = TimeSpan.FromMilliseconds(200) };
        options.RetiredModels.Add(model);
        await using var simulator = await VeoSimulator.StartAsync(options);
        var client = new VeoClient(backend == VeoBackend.VertexAi ? TestClients.VertexOptions(simulator) : TestClients.GeminiOptions(simulator));

        // act
        var error = await Assert.ThrowsAsync<VeoModelUnavailableException>(() => client.StartGenerateVideoAsync(TestClients.Request(model: model)));

        // assert
        Assert.Equal(model, error.Model);
        Assert.Equal(404, error.Status);
        Assert.Equal("NOT_FOUND", error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Contains("is no longer available", error.Message, StringComparison.Ordinal);
        Assert.Contains(model, error.Message, StringComparison.Ordinal);
        var stats = simulator.GetStats();
        Assert.Equal(1, stats.StartRequests);
        Assert.Equal(0, stats.OperationsStarted);
    }

    [Fact]
    public async Task Should_name_the_model_when_vertex_does_not_know_it()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = new VeoClient(TestClients.VertexOptions(simulator));

        // act
        var error = await Assert.ThrowsAsync<VeoModelUnavailableException>(() => client.StartGenerateVideoAsync(TestClients.Request(model: "veo-9.9-generate-001")));

        // assert
        Assert.Equal("veo-9.9-generate-001", error.Model);
        Assert.Equal(1, simulator.GetStats().StartRequests);
    }

    [Fact]
    public async Task Should_serve_every_current_vertex_model_id()
    {
        // arrange
        await using var simulator = await TestClients.StartSimulatorAsync();
        var client = new VeoClient(TestClients.VertexOptions(simulator));

        // act
        var results = await Task.WhenAll(new[] { VeoModels.Veo31Vertex, VeoModels.Veo31FastVertex, VeoModels.Veo31LiteVertex }
            .Select(async model => await (await client.StartGenerateVideoAsync(TestClients.Request(model: model))).WaitForCompletionAsync().WaitAsync(TimeSpan.FromSeconds(30))));

        // assert
        Assert.All(results, r => Assert.IsType<GenerateVideoResult.Succeeded>(r));
    }
}
