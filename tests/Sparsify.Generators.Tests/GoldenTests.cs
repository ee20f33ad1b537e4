using System.Reflection;
using System.Text;

namespace Sparsify.Generators.Tests;

/// <summary>
/// The generated source for a small residual model, compared with checked-in files under Golden/.
/// Set SPARSIFY_UPDATE_GOLDEN=1 to rewrite them after an intended change, then review the diff.
/// </summary>
[TestClass]
public sealed class GoldenTests
{
    private static string GoldenDirectory => typeof(GoldenTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "GoldenDirectory").Value!;

    [TestMethod]
    public void ResidualModelMatchesGoldenFiles()
    {
        var compiled = TestModels.CompileResidual(TestModels.Residual());
        var (result, _) = GeneratorHarness.Run(compiled.ManifestText);
        Assert.IsEmpty(result.Diagnostics, string.Join("\n", result.Diagnostics));
        var source = result.Results.Single().GeneratedSources.Single();
        Check("Residual.manifest", compiled.ManifestText);
        Check(source.HintName, source.SourceText.ToString());
    }

    [TestMethod]
    public void GenerationIsDeterministic()
    {
        var text = TestModels.CompileResidual(TestModels.Residual()).ManifestText;
        var first = GeneratorHarness.Run(text).Result.GeneratedTrees.Single().ToString();
        var second = GeneratorHarness.Run(text).Result.GeneratedTrees.Single().ToString();
        Assert.AreEqual(first, second);
    }

    private static void Check(string name, string actual)
    {
        var path = Path.Combine(GoldenDirectory, name);
        if (Environment.GetEnvironmentVariable("SPARSIFY_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual, new UTF8Encoding(false));
            return;
        }

        Assert.IsTrue(File.Exists(path), $"missing golden file {path}; run with SPARSIFY_UPDATE_GOLDEN=1 to create it");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected != actual)
        {
            var lines = (Expected: expected.Split('\n'), Actual: actual.Split('\n'));
            var at = Enumerable.Range(0, Math.Min(lines.Expected.Length, lines.Actual.Length)).FirstOrDefault(i => lines.Expected[i] != lines.Actual[i]);
            Assert.Fail($"{name} differs from its golden file at line {at + 1}:\nexpected: {lines.Expected.ElementAtOrDefault(at)}\nactual:   {lines.Actual.ElementAtOrDefault(at)}\n(set SPARSIFY_UPDATE_GOLDEN=1 to accept)");
        }
    }
}
