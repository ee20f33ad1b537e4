using Sparsify.Core.Formats;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Formats;

namespace Sparsify.Core.Tests.Formats;

/// <summary>The per-layer report: ratios, imbalance and the log line.</summary>
[TestClass]
public sealed class FormatReportTests
{
    [TestMethod]
    public void ImbalanceIsMaxOverMean()
    {
        // Rows 0..3 keep 4, 0, 2, 2 weights; on 2 PEs: PE 0 = rows 0, 2 (6), PE 1 = rows 1, 3 (2).
        int[] perRow = [4, 0, 2, 2];
        var mask = new SparsityMask(4, 8, (r, c) => c < perRow[r]);
        var report = FormatReport.Of(PeEncoder.Encode(new float[32], mask, peCount: 2, indexBits: 4));
        CollectionAssert.AreEqual(new[] { 6, 2 }, report.PartitionEntries.ToArray());
        Assert.AreEqual(1.5, report.Imbalance, 1e-12);
        Assert.AreEqual(1 - (8 / 32.0), report.Sparsity, 1e-12);
    }

    [TestMethod]
    public void EmptyLayerIsBalanced()
    {
        var report = FormatReport.Of(GroupEncoder.Encode(new float[40], new SparsityMask(4, 10, (_, _) => false), groupSize: 2), "conv9");
        Assert.AreEqual(1.0, report.Imbalance);
        Assert.AreEqual(1.0, report.Sparsity);
        Assert.AreEqual(12L, report.BytesFp32.Total, "only the 3 group pointers");
        Assert.AreEqual(0L, report.MaxPartitionBytes16);
    }

    [TestMethod]
    public void LocalityMasksCompressBetterInTheGroupFormatThanRandomOnes()
    {
        var (values, random) = FormatTestData.Random(64, 576, 0.9, seed: 21);
        var shared = FormatTestData.SharedPattern(64, 576, 8, 0.9, seed: 21);
        var onRandom = FormatReport.Of(GroupEncoder.Encode(values, random));
        var onShared = FormatReport.Of(GroupEncoder.Encode(values, shared));
        var csr = FormatReport.Of(CsrEncoder.Encode(values, shared));
        Assert.AreEqual(0, onShared.ExplicitZeros);
        Assert.IsTrue(onRandom.ExplicitZeros > onRandom.NonZeros, "a random mask fills most shared columns with zeros");
        Assert.IsTrue(onShared.Compression16 > csr.Compression16, $"group {onShared.Compression16:F2}x should beat CSR {csr.Compression16:F2}x: one index per 8 values");
        Assert.IsTrue(onShared.Compression16 > onRandom.Compression16);
    }

    [TestMethod]
    public void LogLineNamesTheEssentials()
    {
        var (values, mask) = FormatTestData.Random(8, 40, 0.75, seed: 3);
        var text = FormatReport.Of(PeEncoder.Encode(values, mask, peCount: 4, indexBits: 4), "conv2").ToString();
        StringAssert.StartsWith(text, "conv2 Pe 8x40: 80 nonzeros (75.0% sparse)");
        StringAssert.Contains(text, "4-bit Relative indices");
        StringAssert.Contains(text, "over 4 PEs");
    }
}
