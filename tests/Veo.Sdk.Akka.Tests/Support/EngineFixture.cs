using Veo.Sdk.Testing;

namespace Veo.Sdk.Akka.Tests.Support;

/// <summary>
/// One simulator and one engine shared by the tests of a class (xunit runs them one after another). Tests compare
/// simulator counters before and after, never absolute values, and use their own task ids.
/// </summary>
public abstract class EngineFixture : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();

    public VeoSimulator Simulator { get; private set; } = null!;

    public TestEngine Engine { get; private set; } = null!;

    public IVideoGenerationService Service => Engine.Service;

    protected virtual VeoSimulatorOptions SimulatorOptions => new() { Latency = TimeSpan.FromMilliseconds(300) };

    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    public async Task InitializeAsync()
    {
        Simulator = await VeoSimulator.StartAsync(SimulatorOptions);
        var settings = TestEngine.Settings(Simulator.BaseUrl, _folder.Path);
        Configure(settings);
        Engine = await TestEngine.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await Engine.DisposeAsync();
        await Simulator.DisposeAsync();
    }

    public void Dispose()
    {
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }
}
