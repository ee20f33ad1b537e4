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
        var tasks = zip.Entries.Where(e => e.FullName.StartsWith("tasks/", StringComparison.Ordinal)).Select(e => Path.GetFileName(e.FullName)).Order(StringComparer.Ordinal).ToArray();

        // Training, experiments, datasets and the reference networks' builders live in Sparsify.Training, which the build never loads.
        CollectionAssert.AreEqual(
            new[] { "Google.Protobuf.dll", "Sparsify.Core.dll", "Sparsify.Runtime.dll", "Sparsify.Tasks.deps.json", "Sparsify.Tasks.dll", "System.Numerics.Tensors.dll" },
            tasks,
            string.Join(", ", tasks));
        Assert.IsTrue(zip.Entries.Any(e => e.FullName == "README.md") && zip.Entries.Any(e => e.FullName == "icon.png"), "the package carries its readme and icon");
    }
}
