using System.Buffers.Binary;
using Sparsify.Core.Compilation;
using Sparsify.Training.Models;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Tests.Compilation;

[TestClass]
public sealed class ManifestAndBlobTests
{
    private static CompiledModel LeNet(double sparsity = 0.9) =>
        ModelCompiler.Compile(ModelBuilders.LeNet5(), new CompileOptions { Sparsity = sparsity });

    [TestMethod]
    public void OtherManifestVersionGivesAClearError()
    {
        // Version 2 wrote op parameters as free-form 'attr' lines; its manifests are rebuilt, not read.
        var text = LeNet().ManifestText.Replace("sparsify-manifest 4\n", "sparsify-manifest 2\n", StringComparison.Ordinal);

        var e = Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(text));
        Assert.AreEqual(ManifestProblem.UnsupportedVersion, e.Problem);
        StringAssert.Contains(e.Message, "version 2 is not the one this Sparsify reads (4); rebuild the model");
        StringAssert.Contains(e.Message, "line 1");
    }

    [TestMethod]
    public void EditedManifestIsRefusedAsAnEdit()
    {
        var text = LeNet().ManifestText;
        Assert.IsNotNull(ManifestReader.Read(text));
        var edited = text.Replace("  stride 1x1\n", "  stride 2x2\n", StringComparison.Ordinal);
        Assert.AreNotEqual(text, edited);
        var e = Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(edited));
        Assert.AreEqual(ManifestProblem.Edited, e.Problem);
        StringAssert.Contains(e.Message, "edited after Sparsify wrote it");
        var lines = text.TrimEnd('\n').Split('\n');
        StringAssert.StartsWith(lines[^1], "manifest-sha256 ");
        var unsigned = string.Join('\n', lines[..^1]) + "\n";
        StringAssert.Contains(Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(unsigned)).Message, "edited after Sparsify wrote it");
        Assert.IsNotNull(ManifestReader.Read(text.Replace("\n", "\r\n", StringComparison.Ordinal)), "CRLF line ends read as LF");
    }

    [TestMethod]
    public void MalformedManifestsNameTheLine()
    {
        var text = LeNet().ManifestText;

        StringAssert.Contains(Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read("hello\n")).Message, "not a Sparsify manifest");
        StringAssert.Contains(Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(text[..(text.Length / 2)])).Message, "line");
        var broken = text.Replace("  plan SparseUnrolled", "  plan Fast", StringComparison.Ordinal);
        StringAssert.Contains(Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(broken)).Message, "expected 'plan'");
    }

    [TestMethod]
    public void TheReaderRefusesImpossibleCountsAndMatricesWithAManifestException()
    {
        var text = LeNet().ManifestText;
        static string Resign(string edited)
        {
            var lines = edited.TrimEnd('\n').Split('\n');
            return ManifestFormat.Sign(string.Join('\n', lines[..^1]) + "\n");
        }

        var firstMatrix = text.Split('\n').First(l => l.StartsWith("  matrix ", StringComparison.Ordinal));
        StringAssert.Contains(Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(Resign(text.Replace(firstMatrix, "  matrix 6", StringComparison.Ordinal)))).Message, "expected AxB");
        var firstUnrolled = text.Split('\n').First(l => l.StartsWith("  unrolled ", StringComparison.Ordinal));
        StringAssert.Contains(Assert.ThrowsExactly<ManifestException>(() => ManifestReader.Read(Resign(text.Replace(firstUnrolled, "  unrolled 2147483647", StringComparison.Ordinal)))).Message, "more 'nz' lines than the manifest has");
    }

    [TestMethod]
    public void NamesWithAnyTextRoundTripThroughTheManifest()
    {
        static string Hostile(string name) => $"{name} with space\n\u2028%20\"";
        var manifest = LeNet().Manifest;
        var renamed = manifest with
        {
            Model = Hostile(manifest.Model),
            Inputs = new(manifest.Inputs.Select(v => v with { Name = Hostile(v.Name) })),
            Outputs = new(manifest.Outputs.Select(v => v with { Name = Hostile(v.Name) })),
            Layers = new(manifest.Layers.Select(l => l with { Name = Hostile(l.Name), Inputs = new(l.Inputs.Select(Hostile)), Output = Hostile(l.Output) })),
        };
        renamed = renamed with { Execution = Sparsify.Core.Compilation.Lowering.ExecutionLowering.Lower(renamed) };
        var text = ManifestWriter.Write(renamed);

        Assert.AreEqual(renamed, ManifestReader.Read(text));
        Assert.AreEqual(text.Split('\n').Length, ManifestWriter.Write(manifest).Split('\n').Length, "names add no lines");
        CollectionAssert.Contains(text.Split('\n'), "layer conv2%20with%20space%0A%E2%80%A8%2520\"");
    }

    [TestMethod]
    public void ManifestIsReadableTextWithUnrolledWeightsAsHex()
    {
        var compiled = LeNet();
        var lines = compiled.ManifestText.Split('\n');

        CollectionAssert.Contains(lines, "model LeNet5");
        CollectionAssert.Contains(lines, "layer conv2");
        CollectionAssert.Contains(lines, "  kernel 5x5");
        var conv2 = compiled.Manifest.Layers.Single(l => l.Name == "conv2").Weights!;
        var first = conv2.Unrolled[0];
        CollectionAssert.Contains(lines, $"  nz {first.Row} {first.Column} {first.Bits:x8}");
        Assert.AreEqual("unrolled", conv2.Format);
        Assert.IsFalse(compiled.ManifestText.Contains('\r', StringComparison.Ordinal));
        Assert.IsFalse(compiled.ManifestText.Contains(Path.GetTempPath(), StringComparison.Ordinal));
    }

    [TestMethod]
    public void BlobArraysAreAlignedAndTheReaderValidates()
    {
        var blob = LeNet(0.5).Blob.ToArray();
        var reader = new WeightBlobReader(blob);

        Assert.IsTrue(reader.Entries.Count > 0);
        Assert.IsTrue(reader.Entries.All(e => e.Location.Offset % WeightBlobLayout.Alignment == 0));
        Assert.AreEqual(reader.Entries.Count, reader.Entries.Select(e => (e.Layer, e.Kind)).Distinct().Count());

        var newer = (byte[])blob.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(newer.AsSpan(4), 9);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => new WeightBlobReader(newer)).Message, "version 9 is newer");
        var bad = (byte[])blob.Clone();
        bad[0] = 0;
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => new WeightBlobReader(bad)).Message, "magic");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => new WeightBlobReader(blob.AsMemory(0, 40))).Message, "corrupt");
    }

    [TestMethod]
    public void CorruptEncodedLayerInTheBlobIsDetected()
    {
        var compiled = ModelCompiler.Compile(ModelBuilders.LeNet5(), new CompileOptions { Sparsity = 0.9, Planner = new PlannerOptions { UnrollBudget = 0 } });
        var blob = compiled.Blob.ToArray();
        var entry = new WeightBlobReader(blob).Find("fc1", BlobArrayKind.Weights);
        blob[(int)entry.Location.Offset + (int)entry.Location.Length - 1] ^= 0xFF;

        Assert.ThrowsExactly<InvalidDataException>(() => new WeightBlobReader(blob).ReadEncoded(entry.Location));
    }

    [TestMethod]
    public void WriteToWritesThreeFilesAndNoTemporaries()
    {
        var compiled = LeNet();
        var dir = Path.Combine(Path.GetTempPath(), "sparsify-compile-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (manifest, blob, report) = compiled.WriteTo(dir, "LeNet5");
            compiled.WriteTo(dir, "LeNet5");

            CollectionAssert.AreEquivalent(
                new[] { "LeNet5.manifest", "LeNet5.weights.bin", "LeNet5.report.txt" },
                Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
            Assert.AreEqual(compiled.ManifestText, File.ReadAllText(manifest));
            Assert.IsTrue(File.ReadAllBytes(blob).AsSpan().SequenceEqual(compiled.Blob.Span));
            Assert.AreEqual(compiled.Report.ToText(), File.ReadAllText(report));
            Assert.ThrowsExactly<ArgumentException>(() => compiled.WriteTo(dir, "../x"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
