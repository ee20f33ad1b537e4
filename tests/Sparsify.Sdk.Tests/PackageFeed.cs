using System.Reflection;

namespace Sparsify.Sdk.Tests;

/// <summary>
/// Packs Sparsify.Runtime and Sparsify.Sdk from this checkout into a temporary feed, once for the test
/// run, and creates consumer projects beside it. Consumers restore into their own packages folder, so
/// no stale copy from the global packages folder is ever used, and a Directory.Build.props/.targets
/// pair at the temporary root keeps this repository's build files out of them.
/// </summary>
[TestClass]
public static class PackageFeed
{
    /// <summary>Longest a single <c>dotnet</c> command may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    /// <summary>The temporary root holding the feed, the packages folder and the consumers.</summary>
    public static string Root { get; private set; } = string.Empty;

    /// <summary>The local feed.</summary>
    public static string Feed { get; private set; } = string.Empty;

    /// <summary>How long packing took.</summary>
    public static TimeSpan PackTime { get; private set; }

    /// <summary>The repository this test assembly was built from.</summary>
    public static string RepoRoot =>
        typeof(PackageFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SparsifyRepoRoot").Value!;

    [AssemblyInitialize]
    public static void Pack(TestContext context)
    {
        Root = Path.Combine(Path.GetTempPath(), "sparsify-sdk-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);
        foreach (var project in new[] { "Sparsify.Runtime", "Sparsify.Sdk" })
        {
            var pack = DotnetCli.Run(RepoRoot, Timeout, "pack", Path.Combine(RepoRoot, project, project + ".csproj"), "-c", "Release", "-o", Feed);
            Assert.AreEqual(0, pack.ExitCode, $"dotnet pack {project} failed: {pack}");
            Assert.AreEqual(1, Directory.GetFiles(Feed, project + ".*.nupkg").Length, $"expected one {project} package in {Feed}: {pack}");
            PackTime += pack.Elapsed;
        }

        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Packages.props"), "<Project>\n  <PropertyGroup>\n    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>\n  </PropertyGroup>\n</Project>\n");
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="sparsify-local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="sparsify-local">
                  <package pattern="Sparsify.*" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>

            """);
    }

    [AssemblyCleanup]
    public static void DeleteTemporaryFolder()
    {
        if (Root.Length > 0 && Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>
    /// A console project <paramref name="name"/> under the temporary root with <paramref name="items"/>
    /// (MSBuild item XML: SparsifyModel items and the like) and <paramref name="program"/> as Program.cs.
    /// </summary>
    internal static ConsumerProject CreateConsumer(string name, string items, string program, string packageReferenceAttributes = "")
    {
        var project = new ConsumerProject(Path.Combine(Root, name), name);
        Directory.CreateDirectory(project.Folder);
        File.WriteAllText(Path.Combine(project.Folder, "Program.cs"), program);
        project.WriteProject(items, packageReferenceAttributes);
        return project;
    }
}

/// <summary>A consumer project on disk.</summary>
internal sealed record ConsumerProject(string Folder, string Name)
{
    /// <summary>obj/Debug/net10.0/sparsify, where the task writes.</summary>
    public string OutputDirectory => Path.Combine(Folder, "obj", "Debug", "net10.0", "sparsify");

    /// <summary>The built assembly.</summary>
    public string Assembly => Path.Combine(Folder, "bin", "Debug", "net10.0", Name + ".dll");

    /// <summary>The list of outputs the last successful compile wrote.</summary>
    public string OutputList => Path.Combine(Folder, "obj", "Debug", "net10.0", Name + ".sparsify.outputs");

    /// <summary>(Re)writes the project file.</summary>
    public void WriteProject(string items, string packageReferenceAttributes = "")
    {
        var packages = Path.Combine(PackageFeed.Root, "packages");
        File.WriteAllText(Path.Combine(Folder, Name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <RestorePackagesPath>{packages}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Sparsify.Sdk" Version="*-*" {packageReferenceAttributes} />
                {items}
              </ItemGroup>
            </Project>

            """);
    }

    /// <summary>Runs <c>dotnet build -v:n</c> in the project's folder.</summary>
    public CliResult Build(params string[] extra) => DotnetCli.Run(Folder, PackageFeed.Timeout, ["build", "-v:n", .. extra]);

    /// <summary>Runs the built assembly with <paramref name="arguments"/>.</summary>
    public CliResult Run(params string[] arguments) => DotnetCli.Run(Folder, PackageFeed.Timeout, ["exec", Assembly, .. arguments]);

    /// <summary>Files the task left in <see cref="OutputDirectory"/>, by name.</summary>
    public string[] OutputFiles() => Directory.Exists(OutputDirectory)
        ? Directory.GetFiles(OutputDirectory).Select(f => Path.GetFileName(f)!).OrderBy(n => n, StringComparer.Ordinal).ToArray()
        : [];
}
