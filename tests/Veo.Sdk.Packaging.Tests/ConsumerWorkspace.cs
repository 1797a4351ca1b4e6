using System.Diagnostics;
using Xunit.Abstractions;

// Every test here packs the same projects into the same obj/ and bin/ folders of the repository; two packs at once would
// overwrite each other's files, and the machine has too few cores to gain from it anyway.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Veo.Sdk.Packaging.Tests;

/// <summary>
/// A temporary folder with a feed of freshly packed packages and consumer apps restored from it, the way an app that
/// references the packages from a feed would: outside this repository's props, with nothing inherited from the test's build.
/// </summary>
internal sealed class ConsumerWorkspace : IDisposable
{
    private readonly DirectoryInfo _folder;
    private readonly ITestOutputHelper _output;

    private ConsumerWorkspace(DirectoryInfo folder, string version, ITestOutputHelper output)
    {
        _folder = folder;
        _output = output;
        Version = version;
        Repository = FindRepositoryRoot();
        Feed = Directory.CreateDirectory(Path.Combine(folder.FullName, "feed")).FullName;
    }

    /// <summary>The repository the packages are packed from.</summary>
    public string Repository { get; }

    /// <summary>The temporary folder; deleted by <see cref="Dispose"/>.</summary>
    public string Folder => _folder.FullName;

    /// <summary>The local feed the packed packages are written to.</summary>
    public string Feed { get; }

    /// <summary>The version every package is packed with.</summary>
    public string Version { get; }

    /// <param name="name">Part of the folder name and of the version, to tell the workspaces of different tests apart.</param>
    /// <param name="output">Where the commands and their output are written.</param>
    public static ConsumerWorkspace Create(string name, ITestOutputHelper output)
    {
        // A version of its own, so the machine's package cache never serves a stale copy of an earlier pack.
        var version = $"0.0.0-{name}.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        return new ConsumerWorkspace(Directory.CreateTempSubdirectory($"veo-{name}-"), version, output);
    }

    /// <summary>The path of a package packed by <see cref="PackAsync"/>.</summary>
    public string PackagePath(string package) => Path.Combine(Feed, $"{package}.{Version}.nupkg");

    public async Task PackAsync(IEnumerable<string> packages)
    {
        foreach (var package in packages)
        {
            await RunAsync(Repository, TimeSpan.FromMinutes(4), "pack", Path.Combine("src", package, package + ".csproj"),
                "-c", "Release", "-o", Feed, $"-p:Version={Version}", "-p:IncludeSymbols=false", "-nologo", "--disable-build-servers");
        }
    }

    /// <summary>
    /// Writes a consumer app into the workspace: the <c>Program.cs</c> copied to the test's output from
    /// <paramref name="programFolder"/>, <paramref name="project"/> as its project file, and a nuget.config that restores
    /// the packed packages from <see cref="Feed"/>.
    /// </summary>
    /// <returns>The consumer's folder.</returns>
    public string AddConsumer(string name, string programFolder, string project)
    {
        var consumer = Directory.CreateDirectory(Path.Combine(Folder, name)).FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, programFolder, "Program.cs"), Path.Combine(consumer, "Program.cs"));
        File.WriteAllText(Path.Combine(consumer, name + ".csproj"), project);
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), NuGetConfig(Feed, Path.Combine(Folder, "packages")));
        return consumer;
    }

    /// <summary>
    /// The project file of a console app as a .NET team writes it: strict like this repository's, but with versions written
    /// on its references rather than taken from central package management.
    /// </summary>
    public static string Project(IEnumerable<(string Id, string Version)> references) => $"""
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
        {string.Join(Environment.NewLine, references.Select(r => $"    <PackageReference Include=\"{r.Id}\" Version=\"{r.Version}\" />"))}
          </ItemGroup>
        </Project>
        """;

    public Task<string> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
        => RunAsync(workingDirectory, timeout, environment: null, arguments);

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> and fails the test unless it exits 0.</summary>
    /// <param name="environment">Adjusts the child's environment after the MSBuild variables of the test run are removed.</param>
    /// <returns>Its standard output followed by its standard error.</returns>
    public async Task<string> RunAsync(string workingDirectory, TimeSpan timeout, Action<IDictionary<string, string?>>? environment, params string[] arguments)
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
        environment?.Invoke(start.Environment);

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
        _output.WriteLine($"$ dotnet {string.Join(' ', arguments)}  (exit {process.ExitCode})");
        _output.WriteLine(text);
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited {process.ExitCode}:\n{text}");
        return text;
    }

    public void Dispose()
    {
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A build server may still hold a file for a moment; the temp folder is cleaned by the OS.
        }
    }

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

    public static string FindRepositoryRoot()
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
