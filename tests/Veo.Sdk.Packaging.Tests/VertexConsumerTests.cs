using System.Reflection;
using System.Security.Cryptography;
using Veo.Sdk.Testing;
using Xunit.Abstractions;

namespace Veo.Sdk.Packaging.Tests;

/// <summary>
/// The Vertex AI set-up of the Veo.Sdk README, run the way a user runs it: a console app that references only the packed
/// Veo.Sdk, sets Veo:ProjectId and finds a service-account key through GOOGLE_APPLICATION_CREDENTIALS, with no token, key
/// or credentials JSON anywhere in its configuration. The simulator, in this process, plays Vertex AI and Google's OAuth
/// 2.0 token endpoint, so the test sees what the app sent.
/// </summary>
public sealed class VertexConsumerTests(ITestOutputHelper output)
{
    private const string ProjectId = "console-project";
    private const string Location = "europe-west4";
    private const string ClientEmail = "video-console@key-project.iam.gserviceaccount.com";

    [Fact]
    public async Task A_console_app_with_a_project_id_and_a_service_account_key_file_generates_a_video_on_Vertex_AI()
    {
        using var workspace = ConsumerWorkspace.Create("vertex", output);
        await workspace.PackAsync(["Veo.Sdk"]);
        var hosting = typeof(VertexConsumerTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "HostingVersion").Value!;
        var consumer = workspace.AddConsumer("VertexConsumer", "VertexConsumer",
            ConsumerWorkspace.Project([("Veo.Sdk", workspace.Version), ("Microsoft.Extensions.Hosting", hosting)]));
        await workspace.RunAsync(consumer, TimeSpan.FromMinutes(4), "build", "-c", "Release", "-nologo", "--disable-build-servers");

        // The simulator's fixed Vertex token is a secret nobody is told, so only a token from its token endpoint opens
        // Vertex; and the endpoint grants tokens only to the one service account registered here, the key file's.
        await using var simulator = await VeoSimulator.StartAsync(new VeoSimulatorOptions
        {
            Latency = TimeSpan.FromSeconds(0.5),
            VertexAccessToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
        });
        var keyFile = Path.Combine(workspace.Folder, "service-account.json");
        await File.WriteAllTextAsync(keyFile, simulator.CreateServiceAccountKey(ClientEmail, projectId: "key-project"));
        var video = Path.Combine(workspace.Folder, "out", "boat.mp4");

        var run = await workspace.RunAsync(consumer, TimeSpan.FromMinutes(3), environment =>
        {
            // Nothing of the test run's own Veo settings reaches the app, not even through the host's DOTNET_ prefix.
            foreach (var name in environment.Keys.Where(IsVeoSetting).ToList())
            {
                environment.Remove(name);
            }

            environment["GOOGLE_APPLICATION_CREDENTIALS"] = keyFile;
            environment["Veo__ProjectId"] = ProjectId;
            environment["Veo__Location"] = Location;
            environment["Veo__BaseUrl"] = simulator.BaseUrl.ToString();
            // Google's 10 s between polls would only make the test slower; the simulator is done in half a second.
            environment["Veo__PollingInterval"] = "00:00:00.250";
        }, "run", "--no-build", "-c", "Release", "--", video);

        // The app chose Vertex AI from the project alone and took its credentials from the variable.
        var credentials = Assert.Single(Lines(run), l => l.StartsWith("vertex-consumer: VertexAi with ", StringComparison.Ordinal));
        Assert.Contains("Application Default Credentials", credentials, StringComparison.Ordinal);
        Assert.Contains(keyFile, credentials, StringComparison.Ordinal);

        // The generation ran in the configured project and location (not the key's project), with one token for the run.
        var operation = Assert.Single(simulator.GetOperationNames());
        Assert.StartsWith($"projects/{ProjectId}/locations/{Location}/publishers/google/models/{VeoModels.Veo31Vertex}/operations/", operation, StringComparison.Ordinal);
        Assert.Contains($"vertex-consumer: started {operation}", run, StringComparison.Ordinal);
        var stats = simulator.GetStats();
        Assert.Equal(1, stats.TokenRequests);
        Assert.Equal(1, stats.StartRequests);
        Assert.Equal(0, stats.RejectedStarts);
        Assert.True(stats.Polls >= 1, $"the app never polled: {stats}");

        // The file holds the simulator's video, byte for byte.
        var expected = await File.ReadAllBytesAsync(Path.Combine(workspace.Repository, "src", "Veo.Sdk.Testing", "Media", "landscape-16x9.mp4"));
        Assert.Contains($"vertex-consumer: Success {expected.Length} bytes", run, StringComparison.Ordinal);
        Assert.Equal(expected, await File.ReadAllBytesAsync(video));

        // Only Veo.Sdk came from the feed: the app did not lean on the simulator's or the engine's package.
        var assets = File.ReadAllText(Path.Combine(consumer, "obj", "project.assets.json"));
        Assert.Contains($"\"Veo.Sdk/{workspace.Version}\"", assets, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Veo.Sdk.Testing/", assets, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Veo.Sdk.Akka/", assets, StringComparison.Ordinal);
    }

    [Fact]
    public void The_README_shows_the_console_app_this_test_runs()
    {
        var program = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "VertexConsumer", "Program.cs"))
            .SkipWhile(l => l.StartsWith("//", StringComparison.Ordinal));
        var readme = File.ReadAllText(Path.Combine(ConsumerWorkspace.FindRepositoryRoot(), "src", "Veo.Sdk", "README.md")).ReplaceLineEndings("\n");

        Assert.Contains("```csharp\n" + string.Join('\n', program).Trim('\n') + "\n```", readme, StringComparison.Ordinal);
    }

    private static bool IsVeoSetting(string name)
    {
        var key = name.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) ? name["DOTNET_".Length..] : name;
        return key.StartsWith("Veo__", StringComparison.OrdinalIgnoreCase) || key.StartsWith("Veo:", StringComparison.OrdinalIgnoreCase);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
