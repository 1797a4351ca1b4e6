// A console app as a team on Google Cloud writes it: it references only the packed Veo.Sdk (and the generic host), its
// configuration names the project and nothing secret, and the service account is found by Application Default
// Credentials through GOOGLE_APPLICATION_CREDENTIALS. Veo:ProjectId alone chooses Vertex AI.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Veo.Sdk;

var path = args.Length > 0 ? args[0] : "video.mp4";

var builder = Host.CreateApplicationBuilder();   // appsettings.json, then environment variables such as Veo__ProjectId
builder.Services.AddVeoClient();                  // binds the "Veo" section
using var host = builder.Build();
await host.StartAsync();                          // checks the Veo options, naming any key that is missing

var veo = host.Services.GetRequiredService<VeoClient>();
Console.WriteLine($"vertex-consumer: {veo.Backend} with {veo.CredentialSource}");

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));   // Veo takes a minute or more per video
var operation = await veo.StartGenerateVideoAsync(new GenerateVideoRequest
{
    Model = VeoModels.Veo31Vertex, Prompt = "A paper boat drifting down a rain gutter", AspectRatio = VeoAspectRatios.Landscape,
}, timeout.Token);
Console.WriteLine($"vertex-consumer: started {operation.Name}");

var result = await operation.WaitForCompletionAsync(timeout.Token);
var bytes = await veo.DownloadVideoToFileAsync(result.GetVideosOrThrow()[0], path, timeout.Token);
await host.StopAsync();
Console.WriteLine($"vertex-consumer: Success {bytes} bytes");
