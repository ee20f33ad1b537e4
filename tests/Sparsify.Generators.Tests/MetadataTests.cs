extern alias Generator;

using Generator::Sparsify.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Sparsify.Generators.Tests;

/// <summary>Item metadata picks the namespace and resource name; two manifests cannot claim one class.</summary>
[TestClass]
public sealed class MetadataTests
{
    private static readonly string Manifest = TestModels.CompileResidual(TestModels.Residual()).ManifestText;

    [TestMethod]
    public void NamespaceDefaultsToRootNamespaceAndResourceNameFollowsIt()
    {
        var output = Generate(GeneratorHarness.Driver(Manifest, ns: null));
        var type = output.GetTypeByMetadataName("Consumer.ResidualNet");
        Assert.IsNotNull(type);
        Assert.AreEqual("Sparsify.Consumer.ResidualNet.weights.bin", Constant(type, "WeightsResourceName"));
    }

    [TestMethod]
    public void ExplicitNamespaceAndResourceNameWin()
    {
        var output = Generate(GeneratorHarness.Driver(Manifest, ns: "My.Models", resourceName: "custom.bin"));
        var type = output.GetTypeByMetadataName("My.Models.ResidualNet");
        Assert.IsNotNull(type);
        Assert.AreEqual("custom.bin", Constant(type, "WeightsResourceName"));
    }

    [TestMethod]
    public void TwoManifestsForOneClassAreReported()
    {
        var metadata = new Dictionary<string, string> { ["build_metadata.AdditionalFiles.SparsifyManifest"] = "true" };
        var options = new OptionsProvider(
            new Dictionary<string, string> { ["build_property.RootNamespace"] = "App" },
            new Dictionary<string, IReadOnlyDictionary<string, string>> { ["/a.manifest"] = metadata, ["/b.manifest"] = metadata });
        var driver = CSharpGeneratorDriver.Create(
            [new SparsifyGenerator().AsSourceGenerator()],
            [new MemoryAdditionalText("/a.manifest", Manifest), new MemoryAdditionalText("/b.manifest", Manifest)],
            GeneratorHarness.ParseOptions,
            options);
        var result = driver.RunGenerators(GeneratorHarness.Compilation()).GetRunResult();
        var diagnostic = result.Diagnostics.Single();
        Assert.AreEqual("SPRS2009", diagnostic.Id);
        Assert.AreEqual("/b.manifest", diagnostic.Location.GetLineSpan().Path);
        Assert.HasCount(1, result.GeneratedTrees);
    }

    private static Compilation Generate(GeneratorDriver driver)
    {
        driver.RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compilation(), out var output, out var diagnostics);
        Assert.IsEmpty(diagnostics);
        return output;
    }

    private static object? Constant(INamedTypeSymbol type, string name) =>
        type.GetMembers(name).OfType<IFieldSymbol>().Single().ConstantValue;
}
