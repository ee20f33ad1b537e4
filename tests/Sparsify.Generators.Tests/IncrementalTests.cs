extern alias Generator;

using Generator::Sparsify.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Sparsify.Generators.Tests;

/// <summary>The pipeline's named steps are cached across unrelated edits and re-run on a manifest edit.</summary>
[TestClass]
public sealed class IncrementalTests
{
    private static readonly string Manifest = TestModels.CompileResidual(TestModels.Residual()).ManifestText;

    [TestMethod]
    public void UnrelatedSourceEditLeavesEveryStepCached()
    {
        var compilation = GeneratorHarness.Compilation();
        var driver = GeneratorHarness.Driver(Manifest).RunGenerators(compilation);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App { internal static class Other { } }", GeneratorHarness.ParseOptions));
        var run = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var step in new[] { SparsifyGenerator.ManifestFilesStep, SparsifyGenerator.ModelSpecsStep })
        {
            var outputs = run.TrackedSteps[step].SelectMany(s => s.Outputs).ToArray();
            Assert.IsNotEmpty(outputs, step);
            Assert.IsTrue(outputs.All(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged), $"{step}: {string.Join(", ", outputs.Select(o => o.Reason))}");
        }

        var unsafeStep = run.TrackedSteps[SparsifyGenerator.AllowUnsafeStep].SelectMany(s => s.Outputs).Single();
        Assert.AreEqual(IncrementalStepRunReason.Unchanged, unsafeStep.Reason);
        Assert.IsTrue(run.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).All(o => o.Reason == IncrementalStepRunReason.Cached));
    }

    [TestMethod]
    public void ManifestEditRunsTheParserAgain()
    {
        var compilation = GeneratorHarness.Compilation();
        var manifest = new MemoryAdditionalText(GeneratorHarness.ManifestPath, Manifest);
        var driver = GeneratorHarness.Driver(manifest).RunGenerators(compilation);
        var original = driver.GetRunResult().GeneratedTrees.Single().ToString();

        var edited = TestModels.Resign(Manifest.Replace("class ResidualNet", "class ResidualNetTwo", StringComparison.Ordinal));
        driver = driver.ReplaceAdditionalText(manifest, new MemoryAdditionalText(GeneratorHarness.ManifestPath, edited));
        var run = driver.RunGenerators(compilation).GetRunResult();
        var spec = run.Results.Single().TrackedSteps[SparsifyGenerator.ModelSpecsStep].SelectMany(s => s.Outputs).Single();
        Assert.AreEqual(IncrementalStepRunReason.Modified, spec.Reason);
        var regenerated = run.GeneratedTrees.Single().ToString();
        Assert.AreNotEqual(original, regenerated);
        Assert.Contains("public sealed partial class ResidualNetTwo", regenerated);
    }

    [TestMethod]
    public void EditingOneOfTwoManifestsReEmitsThatModelAlone()
    {
        var metadata = new Dictionary<string, string> { ["build_metadata.AdditionalFiles.SparsifyManifest"] = "true" };
        var options = new OptionsProvider(
            new Dictionary<string, string> { ["build_property.RootNamespace"] = "App" },
            new Dictionary<string, IReadOnlyDictionary<string, string>> { ["/a.manifest"] = metadata, ["/b.manifest"] = metadata });
        string Named(string className) => TestModels.Resign(Manifest.Replace("class ResidualNet", "class " + className, StringComparison.Ordinal));
        var b = new MemoryAdditionalText("/b.manifest", Named("Second"));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new SparsifyGenerator().AsSourceGenerator()],
            [new MemoryAdditionalText("/a.manifest", Named("First")), b],
            GeneratorHarness.ParseOptions,
            options,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        var compilation = GeneratorHarness.Compilation();
        driver = driver.RunGenerators(compilation);
        Assert.HasCount(2, driver.GetRunResult().GeneratedTrees);

        // The second model changes (a layer's reason, which its code prints), its class name does not.
        var before = driver.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("App.Second.g.cs", StringComparison.Ordinal)).ToString();
        var changed = TestModels.Resign(Named("Second").Replace("  reason override: SparseTable requested", "  reason edited: SparseTable requested", StringComparison.Ordinal));
        driver = driver.ReplaceAdditionalText(b, new MemoryAdditionalText("/b.manifest", changed)).RunGenerators(compilation);
        var run = driver.GetRunResult();
        var after = run.GeneratedTrees.Single(t => t.FilePath.EndsWith("App.Second.g.cs", StringComparison.Ordinal)).ToString();
        Assert.AreNotEqual(before, after);
        Assert.Contains("edited: SparseTable requested", after);
        var reasons = run.Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
        Assert.HasCount(2, reasons);
        Assert.AreEqual(1, reasons.Count(r => r == IncrementalStepRunReason.Cached), string.Join(", ", reasons));
    }
}
