// Runs the Veo simulator as its own process, e.g. for the reference service or a manual session:
//   dotnet run --project samples/VeoSimulator -- --urls http://127.0.0.1:5999
// Settings come from the "Simulator" section (appsettings.json, Simulator__LatencySeconds=5, --Simulator:ApiKey=…).
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Veo.Sdk.Testing;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddVeoSimulator(builder.Configuration.GetSection("Simulator"));

var app = builder.Build();
app.MapVeoSimulator();
app.MapGet("/", () => Results.Redirect("/_simulator/stats"));

await app.StartAsync();

var options = app.Services.GetRequiredService<VeoSimulatorState>().Options;
var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
foreach (var address in addresses)
{
    var baseUrl = address.TrimEnd('/') + "/";
    Console.WriteLine($"Veo simulator listening on {baseUrl}");
    Console.WriteLine($"  Gemini API: {baseUrl}v1beta/models/{{model}}:predictLongRunning  (x-goog-api-key: {options.ApiKey})");
    Console.WriteLine($"  Vertex AI:  {baseUrl}v1/projects/{{project}}/locations/{{location}}/publishers/google/models/{{model}}:predictLongRunning  (Authorization: Bearer {options.VertexAccessToken})");
    Console.WriteLine($"  Stats:      {baseUrl}_simulator/stats");
}

var latency = options.MaxLatency is { } maxLatency ? $"{options.Latency.TotalSeconds:0.###}-{maxLatency.TotalSeconds:0.###} s" : $"{options.Latency.TotalSeconds:0.###} s";
var limit = options.MaxConcurrentOperations is { } max ? $"at most {max} at once (429 beyond)" : "no limit on concurrent generations";
Console.WriteLine($"Generations take {latency}; {limit}. Press Ctrl+C to stop.");

await app.WaitForShutdownAsync();
