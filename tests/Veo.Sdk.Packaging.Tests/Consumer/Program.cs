// A consumer app as a .NET team writes it: it references only the packed Veo.Sdk, Veo.Sdk.Akka and Veo.Sdk.Testing,
// pins Microsoft.Extensions.* at the lowest versions the packages claim to support, and runs one generation through the
// engine against the simulator on loopback.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Veo.Sdk;
using Veo.Sdk.Akka;
using Veo.Sdk.Akka.Hosting;
using Veo.Sdk.Testing;

var dataFolder = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "veo-consumer-" + Guid.NewGuid().ToString("N"));
await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions { Latency = TimeSpan.FromSeconds(0.5) });

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Veo:Backend"] = "GeminiApi",
    ["Veo:BaseUrl"] = simulator.BaseUrl.ToString(),
    ["Veo:ApiKey"] = simulator.Options.ApiKey,
    ["Persistence:Provider"] = "Sqlite",
    ["Persistence:ConnectionString"] = $"Data Source={Path.Combine(dataFolder, "veo.db")}",
    ["Storage:VideosPath"] = Path.Combine(dataFolder, "videos"),
    ["Akka:LogLevel"] = "Warning",
});
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddVeoClient();
builder.Services.AddVeoGenerationEngine(builder.Configuration);

using var host = builder.Build();
await host.StartAsync();
var engine = host.Services.GetRequiredService<IVideoGenerationService>();

var submitted = await engine.SubmitAsync(new VideoGenerationRequest
{
    Veo = new GenerateVideoRequest { Model = simulator.Options.KnownModels.First(), Prompt = "a paper boat on a rain puddle" },
});

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
VideoTaskStatus? last = null;
await foreach (var status in engine.WatchAsync(submitted.TaskId, timeout.Token))
{
    last = status;
}

await host.StopAsync();
var video = last?.Result is { } result ? new FileInfo(Path.Combine(dataFolder, "videos", result.VideoLocation)) : null;
Console.WriteLine($"consumer: {last?.State} {submitted.TaskId} {(video is { Exists: true } ? video.Length : 0)} bytes");
return last?.State == VideoTaskState.Success && video is { Exists: true } && video.Length == last.Result!.SizeBytes && video.Length > 0 ? 0 : 1;
