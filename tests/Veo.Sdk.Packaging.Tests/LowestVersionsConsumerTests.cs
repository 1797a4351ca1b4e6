using System.IO.Compression;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Veo.Sdk.Packaging.Tests;

/// <summary>
/// Packs the three shipping packages and builds a consumer app from them, the way an app that references the packages
/// from a feed would: outside this repository's props, with Microsoft.Extensions.* pinned at the lowest versions the
/// packages ask for. A package that raises one of those floors fails restore here (NU1605), not in a user's build.
/// </summary>
public sealed class LowestVersionsConsumerTests(ITestOutputHelper output)
{
    /// <summary>The lowest Microsoft.Extensions.* the packages claim to work with; the consumer pins exactly these.</summary>
    private const string LowestExtensionsVersion = "10.0.0";

    private static readonly string[] ConsumerPins =
    [
        "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Hosting",
        "Microsoft.Extensions.Http",
        "Microsoft.Extensions.Http.Resilience",
        "Microsoft.Extensions.Logging",
        "Microsoft.Extensions.Options",
        "Microsoft.Extensions.Configuration.Binder",
    ];

    private static readonly string[] Packages = ["Veo.Sdk", "Veo.Sdk.Akka", "Veo.Sdk.Testing"];

    [Fact]
    public async Task A_consumer_pinned_to_the_lowest_versions_restores_builds_and_generates_a_video()
    {
        using var workspace = ConsumerWorkspace.Create("consumer", output);
        await workspace.PackAsync(Packages);

        foreach (var package in Packages)
        {
            var floors = ExtensionsDependencies(workspace.PackagePath(package));
            Assert.All(floors, d => Assert.True(d.Version == LowestExtensionsVersion,
                $"{package} asks for {d.Id} >= {d.Version}; shipping packages ask for {LowestExtensionsVersion}"));
        }

        var consumer = workspace.AddConsumer("Consumer", "Consumer", ConsumerProject(workspace.Version));
        await workspace.RunAsync(consumer, TimeSpan.FromMinutes(4), "build", "-c", "Release", "-nologo", "--disable-build-servers");
        var run = await workspace.RunAsync(consumer, TimeSpan.FromMinutes(3), "run", "--no-build", "-c", "Release", "--", Path.Combine(workspace.Folder, "data"));
        Assert.Contains("consumer: Success", run, StringComparison.Ordinal);

        // The pins held: the consumer really ran on the lowest versions, not on something restore lifted.
        var assets = File.ReadAllText(Path.Combine(consumer, "obj", "project.assets.json"));
        foreach (var pin in ConsumerPins)
        {
            Assert.Contains($"\"{pin}/{LowestExtensionsVersion}\"", assets, StringComparison.Ordinal);
        }
    }

    private static List<(string Id, string Version)> ExtensionsDependencies(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        var doc = XDocument.Load(stream);
        return doc.Descendants()
            .Where(e => e.Name.LocalName == "dependency")
            .Select(e => (Id: (string)e.Attribute("id")!, Version: (string)e.Attribute("version")!))
            .Where(d => d.Id.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal))
            .Distinct()
            .ToList();
    }

    private static string ConsumerProject(string version) => ConsumerWorkspace.Project(
        [.. Packages.Select(p => (p, version)), .. ConsumerPins.Select(p => (p, LowestExtensionsVersion))]);
}
