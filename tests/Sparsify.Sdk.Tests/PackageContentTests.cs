using System.IO.Compression;

namespace Sparsify.Sdk.Tests;

/// <summary>What the packages carry: the build loads the compiler and its dependencies only.</summary>
[TestClass]
[TestCategory("Scenario")]
public sealed class PackageContentTests
{
    [TestMethod]
    public void TheTaskFolderHoldsTheCompilerAndItsDependenciesOnly()
    {
        var package = Directory.GetFiles(PackageFeed.Feed, "Sparsify.Sdk.*.nupkg").Single();
        using var zip = ZipFile.OpenRead(package);
        var tasks = zip.Entries.Where(e => e.FullName.StartsWith("tasks/net10.0/", StringComparison.Ordinal)).Select(e => Path.GetFileName(e.FullName)).Order(StringComparer.Ordinal).ToArray();

        // Training, experiments, datasets and the reference networks' builders live in Sparsify.Training, which the build never loads.
        CollectionAssert.AreEqual(
            new[] { "Google.Protobuf.dll", "Sparsify.Core.dll", "Sparsify.Runtime.dll", "Sparsify.Tasks.deps.json", "Sparsify.Tasks.dll", "StbImageSharp.dll", "System.Numerics.Tensors.dll" },
            tasks,
            string.Join(", ", tasks));
        // The out-of-process form: a netstandard2.0 task any MSBuild loads, and the compiler process it starts.
        Assert.IsTrue(zip.Entries.Any(e => e.FullName == "tasks/netstandard2.0/Sparsify.Tasks.Tool.dll"), "no out-of-process task");
        Assert.IsTrue(zip.Entries.Any(e => e.FullName == "tools/net10.0/compiler/Sparsify.Compiler.runtimeconfig.json"), "no compiler process");
        Assert.IsTrue(zip.Entries.Any(e => e.FullName == "README.md") && zip.Entries.Any(e => e.FullName == "icon.png"), "the package carries its readme and icon");
    }
}
