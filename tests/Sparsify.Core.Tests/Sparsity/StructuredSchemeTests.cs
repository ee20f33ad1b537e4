using Sparsify.Core.Sparsity;
using static Sparsify.Core.Tests.Sparsity.SparsityFixtures;

namespace Sparsify.Core.Tests.Sparsity;

/// <summary>The nm, filter and keep schemes.</summary>
[TestClass]
public sealed class StructuredSchemeTests
{
    [TestMethod]
    public void TwoOfFourKeepsTheTwoLargestOfEveryBlock()
    {
        var matrix = Fc(16, 64);
        var pruning = new NmScheme().Prune(matrix, 0.5, SchemeSettings.Default);

        for (var r = 0; r < 16; r++)
        {
            for (var start = 0; start < 64; start += 4)
            {
                var block = Enumerable.Range(start, 4).ToArray();
                var kept = block.Where(c => pruning.Mask.IsKept(r, c)).ToArray();
                Assert.HasCount(2, kept);
                var expected = block.OrderByDescending(c => MathF.Abs(matrix.Values[(r * 64) + c])).ThenBy(c => c).Take(2).Order().ToArray();
                CollectionAssert.AreEqual(expected, kept);
            }
        }

        Assert.AreEqual(0.5, pruning.Report.Sparsity);
        AssertReportMatches(pruning);
    }

    [TestMethod]
    public void NIsDerivedFromTheSparsityWhenUnset()
    {
        // M = 8 at 75%: 2:8.
        var mask = new NmScheme().Prune(Fc(4, 32), 0.75, SchemeSettings.Default with { M = 8 }).Mask;
        for (var r = 0; r < 4; r++)
        {
            for (var start = 0; start < 32; start += 8)
            {
                Assert.AreEqual(2, Enumerable.Range(start, 8).Count(c => mask.IsKept(r, c)));
            }
        }
    }

    [TestMethod]
    public void AShortLastBlockIsPaddedAndSaidSo()
    {
        // 10 columns, 2:4: blocks of 4, 4 and 2; the last keeps both of its weights.
        var pruning = new NmScheme().Prune(Fc(3, 10), 0.5, SchemeSettings.Default);
        CollectionAssert.AreEqual(new[] { 6, 6, 6 }, RowCounts(pruning.Mask));
        Assert.IsTrue(pruning.Mask.IsKept(0, 8) && pruning.Mask.IsKept(0, 9));
        Assert.IsTrue(pruning.Report.Notes.Any(n => n.Contains("not a multiple of M=4", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void ASparsityTheNmPatternCannotGiveIsAnError()
    {
        var fixedN = Assert.ThrowsExactly<ArgumentException>(
            () => new NmScheme().Prune(Fc(4, 8), 0.75, SchemeSettings.Default with { N = 2, M = 4 }));
        StringAssert.Contains(fixedN.Message, "N=2, M=4 removes exactly 0.5");

        var derived = Assert.ThrowsExactly<ArgumentException>(() => new NmScheme().Prune(Fc(4, 8), 0.9, SchemeSettings.Default));
        StringAssert.Contains(derived.Message, "valid sparsities: 0 (4:4), 0.25 (3:4), 0.5 (2:4), 0.75 (1:4)");
    }

    [TestMethod]
    public void FilterRemovesWholeRowsByNorm()
    {
        var matrix = Conv(40, 8, 3);
        for (var c = 0; c < matrix.Columns; c++)
        {
            matrix.Values[(17 * matrix.Columns) + c] *= 10; // row 17 is the strongest
            matrix.Values[(3 * matrix.Columns) + c] *= 0.01f; // row 3 the weakest
        }

        var pruning = new FilterScheme().Prune(matrix, 0.75, SchemeSettings.Default);
        var counts = RowCounts(pruning.Mask);

        Assert.IsTrue(counts.All(n => n == 0 || n == matrix.Columns));
        Assert.AreEqual(10, counts.Count(n => n > 0));
        Assert.AreEqual(matrix.Columns, counts[17]);
        Assert.AreEqual(0, counts[3]);
        Assert.AreEqual(0.75, pruning.Report.Sparsity, 1e-12);
        AssertReportMatches(pruning);
    }

    [TestMethod]
    public void KeepReproducesTheModelsZerosAndIgnoresTheRequest()
    {
        var matrix = Fc(16, 50);
        var random = new Random(3);
        for (var i = 0; i < matrix.Values.Length; i++)
        {
            if (random.NextDouble() < 0.6)
            {
                matrix.Values[i] = 0f;
            }
        }

        var pruning = new KeepScheme().Prune(matrix, 0.1, SchemeSettings.Default);

        Assert.AreEqual(SparsityMask.FromNonZeros(matrix), pruning.Mask);
        Assert.AreEqual(matrix.Values.Count(v => v != 0f), pruning.Report.NonZeros);
        Assert.AreEqual(PartitionLayout.Rows, pruning.Report.Layout);
    }

    [TestMethod]
    public void KeepReportsALocalityPrunedLayerInTheGroupLayout()
    {
        var matrix = Conv(32, 16, 3);
        var locality = new LocalityScheme().Prune(matrix, 0.8, SchemeSettings.Default);
        locality.Apply();

        var kept = new KeepScheme().Prune(matrix, 0, SchemeSettings.Default);

        Assert.AreEqual(locality.Mask, kept.Mask);
        Assert.AreEqual(PartitionLayout.Groups, kept.Report.Layout);
        Assert.AreEqual(locality.Report.BufferBytesNeeded, kept.Report.BufferBytesNeeded);
    }
}
