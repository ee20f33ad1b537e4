using Microsoft.CodeAnalysis;

namespace Sparsify.Generators.Tests;

/// <summary>
/// A manifest edited after the compiler wrote it is an error, never a different model: a plain edit breaks
/// the digest (SPRS2010), and a crafted one that recomputes the digest still has to be internally
/// consistent (SPRS2003 / SPRS2006 at the line), so the generator never crashes or emits code that fails
/// to compile in the user's project.
/// </summary>
[TestClass]
public sealed class TamperedManifestTests
{
    private static readonly string Manifest = TestModels.CompileResidual(TestModels.Residual()).ManifestText;

    [TestMethod]
    [DataRow("conv2", "  stride ", "  stride 2x2")]
    [DataRow("conv2", "  pads ", "  pads 0,0,0,0")]
    [DataRow("conv2", "  output-shape ", "  output-shape 1x4x2x2")]
    [DataRow("fc", "  output-shape ", "  output-shape 1x11")]
    public void WellFormedEditsAreReportedAsEdits(string layer, string key, string replacement)
    {
        var edited = Edit(Manifest, layer, key, replacement);
        var diagnostic = Single(edited, "SPRS2010");
        Assert.AreEqual(LastLine(edited), diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        StringAssert.Contains(diagnostic.GetMessage(), "rebuild the model");
    }

    [TestMethod]
    public void AManifestWithoutItsDigestIsReportedAsAnEdit()
    {
        var lines = Manifest.TrimEnd('\n').Split('\n');
        StringAssert.StartsWith(lines[^1], "manifest-sha256 ");
        Single(string.Join('\n', lines[..^1]) + "\n", "SPRS2010");
        Single(Manifest + "colour blue\n", "SPRS2003");
        Single(Manifest + "output fc 1x10\n", "SPRS2010");
        Valid(Manifest + "\n");
    }

    [TestMethod]
    [DataRow("conv2", "  stride ", "  stride 2x2", "does not follow from its inputs and parameters, which give 1x4x2x2")]
    [DataRow("conv2", "  pads ", "  pads 0,0,0,0", "which give 1x4x2x2")]
    [DataRow("conv2", "  output-shape ", "  output-shape 1x4x4x5", "does not follow")]
    [DataRow("conv2", "  inputs ", "  inputs nowhere", "input 'nowhere' is neither a model input nor the output of an earlier layer")]
    [DataRow("conv2", "  input-shapes ", "  input-shapes 1x4x4x5", "has shape 1x4x4x5 here but 1x4x4x4 where it is produced")]
    [DataRow("conv2", "  output-shape ", "  output-shape 1x4x99999x99999", "more than 536870911 elements")]
    [DataRow("conv2", "  output-shape ", "  output-shape 1x0x4x4", "at least 1")]
    [DataRow("conv2a", "  matrix ", "  matrix 4x35", "does not fit 4 input channels")]
    [DataRow("conv1", "  weights-blob ", "  weights-blob 0 99999999 fp32", "outside the")]
    [DataRow("conv2", "  output ", "  output pool1", "already produced")]
    [DataRow("fc", "  matrix ", "  matrix 10x31", "cannot read 32 features")]
    [DataRow("pool1", "  kernel ", "  kernel 9x9", "window does not fit")]
    [DataRow("conv2", "  group ", "  group 0", "positive kernel, stride, dilation and group")]
    public void CraftedInconsistentLayersAreReportedAtTheLayer(string layer, string key, string replacement, string message)
    {
        var diagnostic = Single(TestModels.Resign(Edit(Manifest, layer, key, replacement)), "SPRS2006");
        Assert.AreEqual(LayerLine(Manifest, layer), diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        StringAssert.Contains(diagnostic.GetMessage(), message);
    }

    [TestMethod]
    [DataRow("input input ", "input input 1x1x99999x99999", "more than")]
    [DataRow("output fc ", "output fc 1x11", "declared 1x11 but produced as 1x10")]
    [DataRow("output fc ", "output nothing 1x10", "neither a model input nor any layer's output")]
    public void CraftedInconsistentInputsAndOutputsAreReported(string prefix, string replacement, string message)
    {
        var lines = Manifest.Split('\n');
        var at = Array.FindIndex(lines, l => l.StartsWith(prefix, StringComparison.Ordinal));
        lines[at] = replacement;
        var diagnostic = Single(TestModels.Resign(string.Join('\n', lines)), "SPRS2003");
        StringAssert.Contains(diagnostic.GetMessage(), message);
    }

    /// <summary>
    /// A layer's keys come once each, in the order its op gives; the generator's copy of the one reader and
    /// the runtime's refuse alike, so the run times never disagree on a model.
    /// </summary>
    [TestMethod]
    [DataRow("conv2", "  scheme ", "  plan SparseTable", "expected 'scheme', found 'plan'")]
    [DataRow("conv2", "  op ", "  inputs relu2a", "expected 'op', found 'inputs'")]
    [DataRow("conv2", "  overridden ", "  frobnicate true", "expected 'overridden', found 'frobnicate'")]
    [DataRow("conv2", "  overridden ", "  overridden maybe", "true or false")]
    [DataRow("conv2", "  group-size ", "  group-size 2147483648", "32-bit integer")]
    [DataRow("pool1", "  plan ", "  format group\n  plan Dense", "expected 'plan'")]
    [DataRow("pool1", "  ceil-mode ", "", "expected 'ceil-mode', found 'count-include-pad'")]
    [DataRow("conv2", "  reason ", "", "expected 'reason', found 'end'")]
    [DataRow("conv2", "  format ", "", "expected 'format', found 'weights-blob'")]
    [DataRow("conv2", "  unrolled ", "  unrolled 99999999", "announces more 'nz' lines than the manifest has")]
    [DataRow("conv2a", "  unrolled ", "  unrolled 3", "expected 'nz', found 'plan'")]
    public void LayerKeysComeOnceEachInTheOrderOfTheirOp(string layer, string key, string replacement, string message)
    {
        var edited = TestModels.Resign(Edit(Manifest, layer, key, replacement));
        StringAssert.Contains(Single(edited, "SPRS2003").GetMessage(), message);
        var runtime = Assert.ThrowsExactly<Sparsify.Runtime.Manifests.ManifestException>(() => Sparsify.Runtime.Manifests.ManifestReader.Read(edited));
        StringAssert.Contains(runtime.Message, message);
    }

    [TestMethod]
    public void HeaderKeysComeFirstOnceEachInOrder()
    {
        var lines = Manifest.Split('\n');
        (lines[1], lines[2]) = (lines[2], lines[1]);
        Single(TestModels.Resign(string.Join('\n', lines)), "SPRS2003");
        Single(TestModels.Resign(Manifest.Replace("\nlayer conv1\n", "\nclass Other\nlayer conv1\n", StringComparison.Ordinal)), "SPRS2003");
    }

    [TestMethod]
    public void ASoftmaxAxisOutsideItsInputIsReported()
    {
        var manifest = TestModels.Compile(TestModels.Build("smallalexnet"), 0.0, "locality", null).ManifestText;
        var edited = TestModels.Resign(Edit(manifest, "prob", "  axis ", "  axis 5"));
        Assert.AreNotEqual(TestModels.Resign(manifest), edited);
        StringAssert.Contains(Single(edited, "SPRS2006").GetMessage(), "axis 5 does not fit an input of rank 2");
    }

    [TestMethod]
    public void AManifestFromAnotherVersionOfItsModelIsStale()
    {
        const string Source = "5a2f0c7e0b1d4c3a99f6e8d7c6b5a4938271605f4e3d2c1b0a99887766554433";
        var text = TestModels.Resign(Manifest.Replace("\nsource-sha256 none\n", $"\nsource-sha256 {Source}\n", StringComparison.Ordinal));
        Assert.AreNotEqual(TestModels.Resign(Manifest), text);
        const string Key = "build_property._SparsifyModelHashes";

        // MSBuild's GetFileHash writes upper-case hex.
        Assert.IsEmpty(GeneratorHarness.RunWithProperties(text, new Dictionary<string, string> { [Key] = "0123," + Source.ToUpperInvariant() }).Diagnostics);
        Assert.IsEmpty(GeneratorHarness.RunWithProperties(text, new Dictionary<string, string>()).Diagnostics, "no hashes given: nothing to compare");
        var stale = GeneratorHarness.RunWithProperties(text, new Dictionary<string, string> { [Key] = new string('A', 64) });
        var diagnostic = stale.Diagnostics.Single();
        Assert.AreEqual("SPRS2011", diagnostic.Id);
        Assert.AreEqual(Array.IndexOf(text.Split('\n'), $"source-sha256 {Source}"), diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.IsEmpty(stale.GeneratedTrees);
    }

    [TestMethod]
    [DataRow("conv2", "  tap 0 0", "  tap 1 0", "one offset for each of the 28 weight columns its nonzeros use")]
    [DataRow("conv2", "  tap 35 252", "  tap 36 252", "one offset for each of the 28")]
    [DataRow("conv2a", "  taps 0", "  taps 1\n  tap 0 0", "only an unrolled convolution has tap offsets")]
    public void CraftedTapsThatMissAColumnAreReportedAtTheStep(string step, string key, string replacement, string message)
    {
        var edited = TestModels.Resign(EditStep(Manifest, step, key, replacement));
        var diagnostic = Single(edited, "SPRS2006");
        Assert.AreEqual(Array.IndexOf(Manifest.Split('\n'), "step " + step), diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        StringAssert.Contains(diagnostic.GetMessage(), message);
    }

    [TestMethod]
    public void ACraftedTapOffsetIsRefusedByTheRuntimeBeforeTheCodeReadsAtIt()
    {
        // Well formed and naming every column, so the generator prints it; the model's constructor asks the
        // runtime's layout to confirm each offset the tile bodies embed, and refuses.
        var compiled = TestModels.CompileResidual(TestModels.Residual());
        var edited = TestModels.Resign(EditStep(compiled.ManifestText, "conv2", "  tap 35 252", "  tap 35 253"));
        var (result, _) = GeneratorHarness.Run(edited);
        Assert.IsEmpty(result.Diagnostics);
        StringAssert.Contains(result.GeneratedTrees.Single().ToString(), "TapOffsetsConv2 => [0, 2, 5, 6, 7, 10, 11, 80, 81, 82, 85, 87, 90, 92, 161, 162, 165, 167, 170, 171, 172, 241, 242, 245, 247, 250, 251, 253]");
        var refused = Assert.ThrowsExactly<InvalidOperationException>(() => GeneratedModel.Build(compiled, manifestText: edited));
        StringAssert.Contains(refused.Message, "layer conv2: the Sparsify runtime lays out convolution inputs differently");
        using var intact = GeneratedModel.Build(compiled);
    }

    [TestMethod]
    public void AResignedUnchangedManifestIsValid() => Valid(TestModels.Resign(Manifest));

    private static Diagnostic Single(string text, string id)
    {
        var (result, _) = GeneratorHarness.Run(text);
        var diagnostic = result.Diagnostics.Single();
        Assert.AreEqual(id, diagnostic.Id, diagnostic.ToString());
        Assert.AreEqual(GeneratorHarness.ManifestPath, diagnostic.Location.GetLineSpan().Path);
        Assert.IsEmpty(result.GeneratedTrees);
        return diagnostic;
    }

    private static void Valid(string text)
    {
        var (result, output) = GeneratorHarness.Run(text);
        Assert.IsEmpty(result.Diagnostics, string.Join("\n", result.Diagnostics));
        Assert.IsEmpty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    private static string Edit(string text, string layer, string key, string replacement)
    {
        var lines = text.Split('\n');
        var at = Array.FindIndex(lines, LayerLine(text, layer), l => l.StartsWith(key, StringComparison.Ordinal));
        lines[at] = replacement;

        // An empty replacement deletes the line.
        return string.Join('\n', lines.Where((_, i) => i != at || replacement.Length > 0));
    }

    private static string EditStep(string text, string step, string line, string replacement)
    {
        var lines = text.Split('\n');
        var at = Array.FindIndex(lines, Array.IndexOf(lines, "step " + step), l => l == line);
        Assert.IsGreaterThan(0, at, $"no '{line}' in step {step}");
        lines[at] = replacement;
        return string.Join('\n', lines.Where((_, i) => i != at || replacement.Length > 0));
    }

    private static int LayerLine(string text, string name) => Array.FindIndex(text.Split('\n'), l => l == "layer " + name);

    private static int LastLine(string text) => text.TrimEnd('\n').Split('\n').Length - 1;
}
