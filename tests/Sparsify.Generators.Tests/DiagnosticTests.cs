extern alias Generator;

using Generator::Sparsify.Generators;
using Microsoft.CodeAnalysis;

namespace Sparsify.Generators.Tests;

/// <summary>Unreadable manifests give SPRS2xxx errors at the file and line, and no source.</summary>
[TestClass]
public sealed class DiagnosticTests
{
    private static readonly string Manifest = TestModels.CompileResidual(TestModels.Residual()).ManifestText;

    [TestMethod]
    public void ValidManifestHasNoDiagnostics()
    {
        var (result, output) = GeneratorHarness.Run(Manifest);
        Assert.IsEmpty(result.Diagnostics);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.IsEmpty(errors, string.Join("\n", errors.Take(10)));
    }

    [TestMethod]
    public void OtherVersionIsRefused()
    {
        // Version 2 held free-form 'attr' lines and version 3 no tap offsets: a rebuild writes version 4.
        StringAssert.Contains(ExpectAt("SPRS2002", ReplaceLine(Manifest, 0, "sparsify-manifest 2"), 0).GetMessage(), "rebuild the model");
        StringAssert.Contains(ExpectAt("SPRS2002", ReplaceLine(Manifest, 0, "sparsify-manifest 3"), 0).GetMessage(), "rebuild the model");
        ExpectAt("SPRS2002", ReplaceLine(Manifest, 0, "sparsify-manifest 5"), 0);
    }

    [TestMethod]
    public void TextWithoutSignatureIsRefused() =>
        ExpectAt("SPRS2001", "hello world\n", 0);

    [TestMethod]
    public void CorruptLineIsReported()
    {
        var line = LineOf(Manifest, "  nonzeros ");
        ExpectAt("SPRS2003", ReplaceLine(Manifest, line, "  nonzeros many"), line);
    }

    [TestMethod]
    public void UnknownKeyIsReported()
    {
        var line = LineOf(Manifest, "  output-shape ");
        ExpectAt("SPRS2003", ReplaceLine(Manifest, line, "  colour blue"), line);
    }

    [TestMethod]
    public void UnknownOpIsReported()
    {
        var line = LineOf(Manifest, "  op Relu");
        var diagnostic = ExpectAt("SPRS2005", ReplaceLine(Manifest, line, "  op Frobnicate"), line);
        StringAssert.Contains(diagnostic.GetMessage(), "Frobnicate");
    }

    [TestMethod]
    public void NonIdentifierClassNameIsReported()
    {
        var line = LineOf(Manifest, "class ");
        ExpectAt("SPRS2004", TestModels.Resign(ReplaceLine(Manifest, line, "class 3-Net")), line);
    }

    [TestMethod]
    public void UnrolledLayerCountMismatchIsReported()
    {
        var layer = LayerLine(Manifest, "conv2");
        var line = LineOf(Manifest, "  unrolled ", after: layer);
        var text = ReplaceLine(Manifest, line, "  unrolled 1");

        // The second 'nz' line stands where 'plan' must.
        ExpectAt("SPRS2003", text, line + 2);
    }

    [TestMethod]
    public void UnrolledConvolutionWithoutUnsafeIsReported()
    {
        var (result, _) = GeneratorHarness.Run(Manifest, allowUnsafe: false);
        var diagnostic = result.Diagnostics.Single();
        Assert.AreEqual("SPRS2008", diagnostic.Id);
        Assert.AreEqual(GeneratorHarness.ManifestPath, diagnostic.Location.GetLineSpan().Path);
        Assert.AreEqual(LineOf(Manifest, "class "), diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.IsEmpty(result.GeneratedTrees);
    }

    [TestMethod]
    public void TheClassNameRuleRefusesExactlyTheKeywordsRoslynKnows()
    {
        var keywords = Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKinds()
            .Concat(Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetContextualKeywordKinds())
            .Select(Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetText)
            .Where(text => text.All(char.IsLetter))
            .ToHashSet();
        var refusedByRoslyn = keywords.Where(IsTypeName).ToArray();
        Assert.IsEmpty(refusedByRoslyn, "keywords the rule lets through: " + string.Join(", ", refusedByRoslyn));

        // And the rule's list holds nothing else but identifiers C# gives a meaning in some places (a class
        // named var or dynamic would change what those words mean in the user's code).
        var list = (string[])typeof(SparsifyGenerator).Assembly.GetType("Sparsify.Runtime.Manifests.ManifestFormat", throwOnError: true)!
            .GetField("CSharpKeywords", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        var extra = list.Except(keywords).Except(["args", "dynamic", "nint", "notnull", "nuint", "value", "var"]).ToArray();
        Assert.IsEmpty(extra, "listed but not keywords: " + string.Join(", ", extra));
        Assert.HasCount(list.Length, list.Distinct());
        Assert.IsTrue(IsTypeName("Class"));
        Assert.IsTrue(IsTypeName("_résumé2"));
        Assert.IsFalse(IsTypeName("@class"));
    }

    [TestMethod]
    public void FilesNotMarkedAsManifestsAreIgnored()
    {
        var driver = Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(
            [new SparsifyGenerator().AsSourceGenerator()], [new MemoryAdditionalText("/project/readme.txt", "hello")]);
        var result = driver.RunGenerators(GeneratorHarness.Compilation()).GetRunResult();
        Assert.IsEmpty(result.Diagnostics);
        Assert.IsEmpty(result.GeneratedTrees);
    }

    // The generator's copy of the rule (linked source), the one that refuses class names.
    private static bool IsTypeName(string name) => Generator::Sparsify.Runtime.Manifests.ManifestFormat.IsTypeName(name);

    private static Diagnostic ExpectAt(string id, string text, int line)
    {
        var (result, _) = GeneratorHarness.Run(text);
        var diagnostic = result.Diagnostics.Single();
        Assert.AreEqual(id, diagnostic.Id, diagnostic.ToString());
        Assert.AreEqual(DiagnosticSeverity.Error, diagnostic.Severity);
        var span = diagnostic.Location.GetLineSpan();
        Assert.AreEqual(GeneratorHarness.ManifestPath, span.Path);
        Assert.AreEqual(line, span.StartLinePosition.Line, diagnostic.ToString());
        Assert.IsEmpty(result.GeneratedTrees);
        return diagnostic;
    }

    /// <summary>The line of layer <paramref name="name"/> itself (not of a layer whose name it begins).</summary>
    private static int LayerLine(string text, string name) => Array.FindIndex(text.Split('\n'), l => l.TrimEnd('\r') == "layer " + name);

    private static int LineOf(string text, string prefix, int after = 0)
    {
        var lines = text.Split('\n');
        for (var i = after; i < lines.Length; i++)
        {
            if (lines[i].StartsWith(prefix, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"no line starts with '{prefix}'");
    }

    private static string ReplaceLine(string text, int line, string replacement)
    {
        var lines = text.Split('\n');
        lines[line] = replacement;
        return string.Join('\n', lines);
    }
}
