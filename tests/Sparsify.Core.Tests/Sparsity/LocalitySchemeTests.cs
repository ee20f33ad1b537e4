using Sparsify.Core.Sparsity;
using static Sparsify.Core.Tests.Sparsity.SparsityFixtures;

namespace Sparsify.Core.Tests.Sparsity;

/// <summary>The paper's scheme: shared patterns inside groups, balance across PEs, buffer fit.</summary>
[TestClass]
public sealed class LocalitySchemeTests
{
    private static readonly LocalityScheme Scheme = new();

    [TestMethod]
    [DataRow(0.5)]
    [DataRow(0.9)]
    [DataRow(0.95)]
    public void GroupsShareOnePatternAndKeepTheSameColumnCount(double sparsity)
    {
        var matrix = Conv(64, 32, 3);
        var pruning = Scheme.Prune(matrix, sparsity, SchemeSettings.Default);
        var kept = (int)KeepCount(288, sparsity);

        foreach (var group in ChannelGroups.Of(matrix, 8))
        {
            var pattern = KeptColumns(pruning.Mask, group.FirstRow);
            Assert.HasCount(kept, pattern);
            for (var r = group.FirstRow + 1; r < group.FirstRow + group.RowCount; r++)
            {
                CollectionAssert.AreEqual(pattern, KeptColumns(pruning.Mask, r), $"row {r}");
            }
        }

        Assert.AreEqual(1.0 - (kept / 288.0), pruning.Mask.Sparsity, 1e-12);
        Assert.AreEqual(PartitionLayout.Groups, pruning.Report.Layout);
        Assert.AreEqual(8, pruning.Report.ValuesPerEntry);
        AssertReportMatches(pruning);
    }

    [TestMethod]
    public void RoundingNeverRemovesEveryColumn()
    {
        // 0.98 of 8 columns rounds to 0 kept; a sparsity below 1 keeps at least one.
        var pruning = Scheme.Prune(Fc(32, 8), 0.98, SchemeSettings.Default);

        Assert.AreEqual(32, pruning.Mask.NonZeros, "one column for each of the 32 rows");
        Assert.AreEqual(1, new UnstructuredScheme().Prune(Fc(4, 8), 0.99, SchemeSettings.Default).Mask.NonZeros);
    }

    [TestMethod]
    public void KeepsTheColumnsWithTheLargestGroupNorm()
    {
        var matrix = Fc(8, 100);
        for (var i = 0; i < matrix.Values.Length; i++)
        {
            matrix.Values[i] *= 0.01f;
        }

        // Columns 7, 42 and 93 are strong in one row each, column 50 weakly in all rows.
        matrix.Values[(3 * 100) + 7] = 5f;
        matrix.Values[(0 * 100) + 42] = -4f;
        matrix.Values[(7 * 100) + 93] = 3f;
        for (var r = 0; r < 8; r++)
        {
            matrix.Values[(r * 100) + 50] = 0.5f;
        }

        var mask = Scheme.Prune(matrix, 0.96, SchemeSettings.Default).Mask;

        CollectionAssert.AreEqual(new[] { 7, 42, 50, 93 }, KeptColumns(mask, 5));
    }

    [TestMethod]
    public void BalanceIsExactWhenPDividesTheGroupsAndBoundedOtherwise()
    {
        // AlexNet conv3's shape: 384 rows = 48 groups of 8; 16 PEs take 3 each.
        var conv3 = Scheme.Prune(Conv(384, 256, 3), 0.931, SchemeSettings.Default).Report;
        Assert.AreEqual(1.0, conv3.LoadImbalance);
        Assert.AreEqual(16, conv3.PartitionsUsed);

        // 8 groups over 3 PEs: 3, 3 and 2 groups, so max/mean = 3 / (8/3) ≤ 1 + 1/2.
        var uneven = Scheme.Prune(Conv(64, 32, 3), 0.9, SchemeSettings.Default with { PeCount = 3 }).Report;
        Assert.AreEqual(3.0 / (8.0 / 3.0), uneven.LoadImbalance, 1e-12);
        Assert.IsLessThanOrEqualTo(1 + (1.0 / (8 / 3)), uneven.LoadImbalance);
    }

    [TestMethod]
    public void GroupsStayInsideConvGroupsAndShortOnesArePaddedAndSaidSo()
    {
        // 20 output channels in 2 conv groups of 10, G = 4: groups of 4, 4, 2 in each conv group.
        var matrix = Conv(20, 8, 3, group: 2);
        var settings = SchemeSettings.Default with { GroupSize = 4, PeCount = 2 };
        var pruning = Scheme.Prune(matrix, 0.75, settings);
        var groups = ChannelGroups.Of(matrix, 4);

        CollectionAssert.AreEqual(new[] { 0, 4, 8, 10, 14, 18 }, groups.Select(g => g.FirstRow).ToArray());
        CollectionAssert.AreEqual(new[] { 4, 4, 2, 4, 4, 2 }, groups.Select(g => g.RowCount).ToArray());
        Assert.IsTrue(groups.All(g => (g.FirstRow / 10) == ((g.FirstRow + g.RowCount - 1) / 10)));
        foreach (var group in groups)
        {
            for (var r = group.FirstRow + 1; r < group.FirstRow + group.RowCount; r++)
            {
                CollectionAssert.AreEqual(KeptColumns(pruning.Mask, group.FirstRow), KeptColumns(pruning.Mask, r));
            }
        }

        Assert.AreEqual(4, pruning.Report.PaddedRows);
        Assert.IsTrue(pruning.Report.Notes.Any(n => n.Contains("padded with zero rows", StringComparison.Ordinal)), string.Join("\n", pruning.Report.Notes));
        AssertReportMatches(pruning);
    }

    [TestMethod]
    public void BufferBytesAreCountedExactlyAndOverflowRunsInPasses()
    {
        // One PE, 8 rows = one group keeping 500 of 1000 columns: entries of 8 × 16 + 8 = 136 bits.
        var matrix = Fc(8, 1000);
        var fits = Scheme.Prune(matrix, 0.5, SchemeSettings.Default with { PeCount = 1 }).Report;
        Assert.AreEqual(136, fits.EntryBits);
        Assert.AreEqual(500, fits.Entries);
        Assert.AreEqual(500 * 17, fits.BufferBytesNeeded);
        Assert.IsTrue(fits.FitsInBuffer);

        // A 200-byte buffer holds 11 entries (1,600 bits / 136): 46 passes.
        var tiled = Scheme.Prune(matrix, 0.5, SchemeSettings.Default with { PeCount = 1, BufferBytesPerPe = 200 }).Report;
        Assert.AreEqual(46, tiled.Passes);
        Assert.IsFalse(tiled.FitsInBuffer);
        Assert.IsTrue(tiled.Notes.Any(n => n.Contains("46 passes", StringComparison.Ordinal)), string.Join("\n", tiled.Notes));
    }

    [TestMethod]
    public void EveryPartitionFitsTheDefaultBufferForAlexNetConvShapesAtSslSparsity()
    {
        // conv2 (grouped) and conv3 of AlexNet at the SSL sparsities the hardware issue uses.
        foreach (var (matrix, sparsity) in new[] { (Conv(256, 96, 5, group: 2), 0.856), (Conv(384, 256, 3), 0.931) })
        {
            var report = Scheme.Prune(matrix, sparsity, SchemeSettings.Default).Report;
            Assert.IsTrue(report.FitsInBuffer, $"{report.BufferBytesNeeded} bytes");
            Assert.IsLessThanOrEqualTo(report.BufferCapacityBytes, report.BufferBytesNeeded);
            Assert.AreEqual(1.0, report.LoadImbalance);
        }
    }

    [TestMethod]
    public void LongGapsCostPaddingEntries()
    {
        // Only columns 0 and 599 survive: 598 zeros between them are 2 padding entries at 8 bits
        // (598 >> 8), 37 at 4 bits (598 >> 4).
        var matrix = Fc(8, 600);
        for (var r = 0; r < 8; r++)
        {
            matrix.Values[r * 600] = 9f;
            matrix.Values[(r * 600) + 599] = 9f;
        }

        var wide = Scheme.Prune(matrix, 1 - (2 / 600.0), SchemeSettings.Default with { PeCount = 1 }).Report;
        var narrow = Scheme.Prune(matrix, 1 - (2 / 600.0), SchemeSettings.Default with { PeCount = 1, IndexBits = 4 }).Report;

        Assert.AreEqual(2, wide.PaddingEntries);
        Assert.AreEqual(4, wide.Entries);
        Assert.AreEqual(37, narrow.PaddingEntries);
        Assert.AreEqual(2L, RelativeIndexing.PaddingEntries([0, 599], 8));
    }

    [TestMethod]
    public void ABufferThatCannotHoldOneEntryIsAnError()
    {
        var e = Assert.ThrowsExactly<SparsifyModelException>(
            () => Scheme.Prune(Fc(8, 100), 0.5, SchemeSettings.Default with { BufferBytesPerPe = 16 }));
        StringAssert.Contains(e.Message, "BufferBytesPerPe must be at least 17");
        Assert.AreEqual("fc", e.NodeName);
    }

    [TestMethod]
    public void SparsityIsSetPerColumnAndTheReportSaysSo()
    {
        // 25 columns (LeNet conv1's shape): 90% asks for 2.5 columns, which rounds to 3.
        var pruning = Scheme.Prune(Conv(20, 1, 5), 0.9, SchemeSettings.Default);
        Assert.AreEqual(1 - (3 / 25.0), pruning.Report.Sparsity, 1e-12);
        Assert.IsTrue(pruning.Report.Notes.Any(n => n.Contains("steps of 1/25", StringComparison.Ordinal)));
    }
}
