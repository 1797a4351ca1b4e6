using System.Diagnostics;
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
        var repo = FindRepositoryRoot();
        var work = Directory.CreateTempSubdirectory("veo-consumer-");
        try
        {
            // A version of its own, so the machine's package cache never serves a stale copy of an earlier pack.
            var version = $"0.0.0-consumer.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
            var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed")).FullName;
            foreach (var package in Packages)
            {
                await RunAsync(repo, TimeSpan.FromMinutes(4), "pack", Path.Combine("src", package, package + ".csproj"),
                    "-c", "Release", "-o", feed, $"-p:Version={version}", "-p:IncludeSymbols=false", "-nologo", "--disable-build-servers");
            }

            foreach (var package in Packages)
            {
                var floors = ExtensionsDependencies(Path.Combine(feed, $"{package}.{version}.nupkg"));
                Assert.All(floors, d => Assert.True(d.Version == LowestExtensionsVersion,
                    $"{package} asks for {d.Id} >= {d.Version}; shipping packages ask for {LowestExtensionsVersion}"));
            }

            var consumer = Directory.CreateDirectory(Path.Combine(work.FullName, "consumer")).FullName;
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumer", "Program.cs"), Path.Combine(consumer, "Program.cs"));
            File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), ConsumerProject(version));
            File.WriteAllText(Path.Combine(consumer, "nuget.config"), NuGetConfig(feed, Path.Combine(work.FullName, "packages")));

            await RunAsync(consumer, TimeSpan.FromMinutes(4), "build", "-c", "Release", "-nologo", "--disable-build-servers");
            var run = await RunAsync(consumer, TimeSpan.FromMinutes(3), "run", "--no-build", "-c", "Release", "--", Path.Combine(work.FullName, "data"));
            Assert.Contains("consumer: Success", run, StringComparison.Ordinal);

            // The pins held: the consumer really ran on the lowest versions, not on something restore lifted.
            var assets = File.ReadAllText(Path.Combine(consumer, "obj", "project.assets.json"));
            foreach (var pin in ConsumerPins)
            {
                Assert.Contains($"\"{pin}/{LowestExtensionsVersion}\"", assets, StringComparison.Ordinal);
            }
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A build server may still hold a file for a moment; the temp folder is cleaned by the OS.
            }
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

    private static string ConsumerProject(string version) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
          </PropertyGroup>
          <ItemGroup>
        {string.Join(Environment.NewLine, Packages.Select(p => $"    <PackageReference Include=\"{p}\" Version=\"{version}\" />"))}
        {string.Join(Environment.NewLine, ConsumerPins.Select(p => $"    <PackageReference Include=\"{p}\" Version=\"{LowestExtensionsVersion}\" />"))}
          </ItemGroup>
        </Project>
        """;

    private static string NuGetConfig(string feed, string packages)
    {
        var machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

        // The machine's own nuget.org source stays (no <clear/>); the packed packages come from the local feed only, and
        // land in a private folder while everything else is read from the machine's cache.
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="veo-local" value="{feed}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="veo-local"><package pattern="Veo.Sdk*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
              <config>
                <add key="globalPackagesFolder" value="{packages}" />
              </config>
              <fallbackPackageFolders>
                <add key="machine" value="{machineCache}" />
              </fallbackPackageFolders>
            </configuration>
            """;
    }

    private async Task<string> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The consumer is a stranger to this repository's build: no inherited MSBuild state from the test run.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {timeout}");
        }

        var text = await stdout + await stderr;
        output.WriteLine($"$ dotnet {string.Join(' ', arguments)}  (exit {process.ExitCode})");
        output.WriteLine(text);
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited {process.ExitCode}:\n{text}");
        return text;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Veo.Sdk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Veo.Sdk.sln not found above " + AppContext.BaseDirectory);
    }
}
