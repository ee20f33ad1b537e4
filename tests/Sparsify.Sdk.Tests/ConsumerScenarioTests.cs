using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Sparsify.Core.Models;
using Sparsify.Core.Onnx;

namespace Sparsify.Sdk.Tests;

/// <summary>
/// Packs Sparsify.Sdk from this checkout into a temporary feed (once for the class) and builds a fresh
/// console project that takes it by PackageReference, with its own packages folder so no stale copy
/// from the global packages folder is used and none of this repository's Directory.*.props leak in.
/// </summary>
[TestClass]
public sealed class ConsumerScenarioTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static string root = string.Empty;
    private static string feed = string.Empty;
    private static string packTime = string.Empty;

    public TestContext TestContext { get; set; } = null!;

    private static string RepoRoot =>
        typeof(ConsumerScenarioTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SparsifyRepoRoot").Value!;

    [ClassInitialize]
    public static void PackIntoTemporaryFeed(TestContext context)
    {
        root = Path.Combine(Path.GetTempPath(), "sparsify-sdk-tests-" + Guid.NewGuid().ToString("N")[..12]);
        feed = Path.Combine(root, "feed");
        Directory.CreateDirectory(feed);
        var pack = DotnetCli.Run(RepoRoot, Timeout, "pack", Path.Combine(RepoRoot, "Sparsify.Sdk", "Sparsify.Sdk.csproj"), "-c", "Release", "-o", feed);
        Assert.AreEqual(0, pack.ExitCode, $"dotnet pack Sparsify.Sdk failed: {pack}");
        Assert.AreEqual(1, Directory.GetFiles(feed, "Sparsify.Sdk.*.nupkg").Length, $"expected one Sparsify.Sdk package in {feed}: {pack}");
        packTime = $"pack {pack.Elapsed.TotalSeconds:0.0} s";
    }

    [ClassCleanup]
    public static void DeleteTemporaryFolder()
    {
        if (root.Length > 0 && Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ConsumerBuildCompilesEmbedsSkipsRerunsAndReportsBadMetadata()
    {
        var app = CreateConsumer("LeNetApp", "Sparsity=\"0.9\"");
        var outputDir = Path.Combine(app, "obj", "Debug", "net10.0", "sparsify");
        var manifest = Path.Combine(outputDir, "LeNetApp.Lenet.manifest");
        var blob = Path.Combine(outputDir, "LeNetApp.Lenet.weights.bin");
        var report = Path.Combine(outputDir, "LeNetApp.Lenet.report.txt");
        var times = new List<string> { packTime };

        // 1. Happy path: the outputs appear, the manifest goes to the compiler, the blob is embedded.
        var first = Build(app, times, "first");
        Assert.AreEqual(0, first.ExitCode, $"first build failed: {first}");
        StringAssert.Contains(first.Output, "Sparsify: LeNet5", first.ToString());
        Assert.IsTrue(File.Exists(manifest) && File.Exists(blob) && File.Exists(report), $"outputs missing in {outputDir}: {first}");
        StringAssert.Contains(first.Output, "/additionalfile:" + manifest, "the manifest is not an AdditionalFiles item of the compilation");
        CollectionAssert.Contains(ResourceNames(Path.Combine(app, "bin", "Debug", "net10.0", "LeNetApp.dll")), "Sparsify.LeNetApp.Lenet.weights.bin");
        var firstWrite = File.GetLastWriteTimeUtc(manifest);

        // 2. No-op rebuild: the compile target is skipped, the outputs are untouched and still embedded.
        var second = Build(app, times, "no-op");
        Assert.AreEqual(0, second.ExitCode, $"no-op build failed: {second}");
        StringAssert.Contains(second.Output, "Skipping target \"SparsifyCompileModels\"", second.ToString());
        Assert.IsFalse(second.Output.Contains("Sparsify: LeNet5", StringComparison.Ordinal), $"the task ran on a no-op build: {second}");
        Assert.AreEqual(firstWrite, File.GetLastWriteTimeUtc(manifest), "the no-op build rewrote the manifest");
        CollectionAssert.Contains(ResourceNames(Path.Combine(app, "bin", "Debug", "net10.0", "LeNetApp.dll")), "Sparsify.LeNetApp.Lenet.weights.bin");

        // 3. A metadata change re-runs it.
        WriteProject(app, "LeNetApp", "Sparsity=\"0.5\"");
        var third = Build(app, times, "metadata change");
        Assert.AreEqual(0, third.ExitCode, $"build after the metadata change failed: {third}");
        Assert.IsFalse(third.Output.Contains("Skipping target \"SparsifyCompileModels\"", StringComparison.Ordinal), $"the metadata change did not re-run the compile: {third}");
        StringAssert.Contains(third.Output, " 0.5000 ", $"the per-layer table does not show the new sparsity: {third}");
        Assert.AreNotEqual(firstWrite, File.GetLastWriteTimeUtc(manifest), "the manifest was not rewritten");

        // 4. dotnet clean removes the outputs (they are FileWrites).
        var clean = DotnetCli.Run(app, Timeout, "clean");
        times.Add($"clean {clean.Elapsed.TotalSeconds:0.0} s");
        Assert.AreEqual(0, clean.ExitCode, $"dotnet clean failed: {clean}");
        Assert.IsFalse(File.Exists(manifest) || File.Exists(blob) || File.Exists(report), $"dotnet clean left outputs in {outputDir}");

        // 5. A bad value fails the build with SPRS1003 against the model file, and leaves no output list
        //    that a later build could take for an up-to-date run.
        WriteProject(app, "LeNetApp", "Sparsity=\"1.5\"");
        var fourth = Build(app, times, "bad metadata");
        Assert.AreNotEqual(0, fourth.ExitCode, $"a Sparsity of 1.5 did not fail the build: {fourth}");
        var error = fourth.Output.Split('\n').FirstOrDefault(l => l.Contains("error SPRS1003", StringComparison.Ordinal));
        Assert.IsNotNull(error, $"no SPRS1003 error: {fourth}");
        StringAssert.Contains(error, "lenet.onnx");
        StringAssert.Contains(error, "Sparsity");
        Assert.IsFalse(File.Exists(manifest), "a failed compile left a manifest");
        Assert.IsFalse(File.Exists(Path.Combine(app, "obj", "Debug", "net10.0", "LeNetApp.sparsify.outputs")), "a failed compile left the output list");

        TestContext.WriteLine(string.Join("; ", times));
    }

    private static CliResult Build(string app, List<string> times, string what)
    {
        var result = DotnetCli.Run(app, Timeout, "build", "-v:n");
        times.Add($"{what} {result.Elapsed.TotalSeconds:0.0} s");
        return result;
    }

    private static string CreateConsumer(string name, string modelMetadata)
    {
        var folder = Path.Combine(root, name);
        Directory.CreateDirectory(folder);

        // Stop MSBuild's upward search at the temporary root: nothing from this repository applies.
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(root, "Directory.Packages.props"), "<Project>\n  <PropertyGroup>\n    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>\n  </PropertyGroup>\n</Project>\n");
        File.WriteAllText(Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="sparsify-local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>

            """);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), "System.Console.WriteLine(typeof(Program).Assembly.GetManifestResourceNames().Length);\n");
        OnnxModel.Save(ModelBuilders.LeNet5(), Path.Combine(folder, "lenet.onnx"));
        WriteProject(folder, name, modelMetadata);
        return folder;
    }

    private static void WriteProject(string folder, string name, string modelMetadata)
    {
        var packages = Path.Combine(root, "packages");
        File.WriteAllText(Path.Combine(folder, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <RestorePackagesPath>{packages}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Sparsify.Sdk" Version="*-*" />
                <SparsifyModel Include="lenet.onnx" {modelMetadata} />
              </ItemGroup>
            </Project>

            """);
    }

    private static List<string> ResourceNames(string assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly));
        var reader = pe.GetMetadataReader();
        return reader.ManifestResources.Select(h => reader.GetString(reader.GetManifestResource(h).Name)).ToList();
    }
}
