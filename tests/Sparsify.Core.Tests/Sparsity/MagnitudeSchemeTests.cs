using Sparsify.Core.Sparsity;
using static Sparsify.Core.Tests.Sparsity.SparsityFixtures;

namespace Sparsify.Core.Tests.Sparsity;

/// <summary>The unstructured and balanced (ESE) schemes: exact counts, largest magnitudes, balance.</summary>
[TestClass]
public sealed class MagnitudeSchemeTests
{
    private static readonly SchemeSettings Settings = SchemeSettings.Default;

    [TestMethod]
    [DataRow(0.0)]
    [DataRow(0.5)]
    [DataRow(0.9)]
    [DataRow(0.95)]
    public void UnstructuredKeepsExactlyTheLargestMagnitudes(double sparsity)
    {
        var matrix = Fc(64, 300);
        var pruning = new UnstructuredScheme().Prune(matrix, sparsity, Settings);

        Assert.AreEqual(KeepCount(64 * 300, sparsity), pruning.Mask.NonZeros);
        AssertLargestKept(matrix.Values, pruning.Mask, Enumerable.Range(0, 64));
        AssertReportMatches(pruning);
        Assert.AreEqual(PartitionLayout.Rows, pruning.Report.Layout);
    }

    [TestMethod]
    public void TiesGoToTheLowerIndex()
    {
        var matrix = Fc(4, 10);
        Array.Fill(matrix.Values, 0.5f);

        var mask = new UnstructuredScheme().Prune(matrix, 0.75, Settings).Mask;

        // 10 of 40 kept: the first row and nothing else.
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).ToArray(), KeptColumns(mask, 0));
        Assert.AreEqual(10, mask.NonZeros);
    }

    [TestMethod]
    public void LargeLayersTakeTheLinearTimePathWithTheSameResult()
    {
        // 300x400 = 120,000 weights: above the sort path's limit. Few distinct values make many ties.
        var matrix = Fc(300, 400);
        for (var i = 0; i < matrix.Values.Length; i++)
        {
            matrix.Values[i] = MathF.Round(matrix.Values[i] * 8) / 8;
        }

        var mask = new UnstructuredScheme().Prune(matrix, 0.7, Settings).Mask;

        var expected = Enumerable.Range(0, matrix.Values.Length)
            .OrderByDescending(i => MathF.Abs(matrix.Values[i])).ThenBy(i => i)
            .Take((int)KeepCount(matrix.Values.Length, 0.7)).ToHashSet();
        for (var i = 0; i < matrix.Values.Length; i++)
        {
            Assert.AreEqual(expected.Contains(i), mask.IsKept(i / 400, i % 400), $"weight {i}");
        }
    }

    [TestMethod]
    public void BalancedGivesEveryPartitionTheSameCount()
    {
        // 64 rows over 16 PEs, 32,000 weights at 75%: 8,000 kept, 500 per PE.
        var matrix = Fc(64, 500);
        var pruning = new BalancedScheme().Prune(matrix, 0.75, Settings);

        Assert.AreEqual(8_000, pruning.Mask.NonZeros);
        Assert.IsTrue(pruning.Report.PartitionNonZeros.All(n => n == 500));
        Assert.AreEqual(1.0, pruning.Report.LoadImbalance);
        AssertReportMatches(pruning);
        for (var p = 0; p < 16; p++)
        {
            AssertLargestKept(matrix.Values, pruning.Mask, Enumerable.Range(0, 64).Where(r => r % 16 == p));
        }
    }

    [TestMethod]
    public void BalancedSplitsAnUnevenCountByAtMostOne()
    {
        var matrix = Fc(64, 333);
        var pruning = new BalancedScheme().Prune(matrix, 0.9, Settings);
        var loads = pruning.Report.PartitionNonZeros;

        Assert.AreEqual(KeepCount(64 * 333, 0.9), pruning.Mask.NonZeros);
        Assert.IsLessThanOrEqualTo(1, loads.Max() - loads.Min());
    }

    [TestMethod]
    public void BalancedFillsSmallPartitionsAndMovesTheRestWhenRowsDoNotDivide()
    {
        // 20 rows over 16 PEs: PEs 0-3 hold 2 rows (100 weights), 4-15 one row (50). At 10% sparsity
        // 900 are kept: an even share (56) overflows the one-row PEs, so they keep all 50 and PEs 0-3
        // share the other 300.
        var matrix = Fc(20, 50);
        var loads = new BalancedScheme().Prune(matrix, 0.1, Settings).Report.PartitionNonZeros;

        Assert.AreEqual(900, loads.Sum());
        CollectionAssert.AreEqual(new long[] { 75, 75, 75, 75 }, loads.Take(4).ToArray());
        Assert.IsTrue(loads.Skip(4).All(n => n == 50));
    }

    [TestMethod]
    public void MasksAreDeterministic()
    {
        foreach (var scheme in SparsitySchemes.All)
        {
            var settings = Settings with { N = null, M = 4 };
            var a = scheme.Prune(Conv(32, 16, 3, seed: 9), 0.75, settings).Mask;
            var b = scheme.Prune(Conv(32, 16, 3, seed: 9), 0.75, settings).Mask;
            Assert.AreEqual(a, b, scheme.Name);
        }
    }

    [TestMethod]
    public void PruningReadsTheWeightsButNeverChangesThem()
    {
        foreach (var scheme in SparsitySchemes.All)
        {
            var matrix = Conv(32, 16, 3, seed: 4);
            var before = (float[])matrix.Values.Clone();
            var pruning = scheme.Prune(matrix, 0.5, Settings);
            CollectionAssert.AreEqual(before, matrix.Values, scheme.Name);

            pruning.Apply();
            for (var i = 0; i < before.Length; i++)
            {
                Assert.AreEqual(pruning.Mask.IsKept(i / matrix.Columns, i % matrix.Columns) ? before[i] : 0f, matrix.Values[i]);
            }
        }
    }

    // Within the given rows, every kept |w| is at least every removed |w|.
    private static void AssertLargestKept(float[] values, SparsityMask mask, IEnumerable<int> rows)
    {
        var minKept = float.PositiveInfinity;
        var maxRemoved = float.NegativeInfinity;
        foreach (var r in rows)
        {
            for (var c = 0; c < mask.Columns; c++)
            {
                var magnitude = MathF.Abs(values[(r * mask.Columns) + c]);
                if (mask.IsKept(r, c))
                {
                    minKept = MathF.Min(minKept, magnitude);
                }
                else
                {
                    maxRemoved = MathF.Max(maxRemoved, magnitude);
                }
            }
        }

        Assert.IsGreaterThanOrEqualTo(maxRemoved, minKept);
    }
}
