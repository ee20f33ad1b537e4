using Sparsify.Core.Sparsity;

namespace Sparsify.Core.Tests.Sparsity;

/// <summary>Selection, defaults and grouping the schemes rely on.</summary>
[TestClass]
public sealed class SparsityInternalsTests
{
    [TestMethod]
    [DataRow(1_000, 0)]
    [DataRow(1_000, 1)]
    [DataRow(1_000, 999)]
    [DataRow(100_000, 1)]
    [DataRow(100_000, 30_000)]
    [DataRow(100_000, 99_999)]
    public void TopKMatchesASortWithTiesToTheLowerIndex(int n, int k)
    {
        var random = new Random(n + k);
        var scores = new float[n];
        for (var i = 0; i < n; i++)
        {
            scores[i] = random.Next(50) / 7f; // many ties
        }

        var keep = new bool[n];
        TopK.SelectLargest(scores, k, keep);

        var expected = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k).ToHashSet();
        Assert.AreEqual(k, keep.Count(x => x));
        for (var i = 0; i < n; i++)
        {
            Assert.AreEqual(expected.Contains(i), keep[i], $"index {i}");
        }
    }

    [TestMethod]
    public void TheDefaultArrayFitsTheXc7z045()
    {
        Assert.AreEqual(512, PeArrayDefaults.MacUnits);
        Assert.IsLessThanOrEqualTo(PeArrayDefaults.Xc7z045Dsp, PeArrayDefaults.MacUnits);
        Assert.IsLessThanOrEqualTo(PeArrayDefaults.Xc7z045Bram36 / 2, PeArrayDefaults.PeCount * PeArrayDefaults.WeightBufferBram36PerPe);
        Assert.AreEqual(36_864, PeArrayDefaults.WeightBufferBytesPerPe);
        Assert.AreEqual(136, SchemeSettings.Default.EntryBits(PeArrayDefaults.GroupSize));
    }

    [TestMethod]
    public void EvenSplitCapsSmallPartitions()
    {
        CollectionAssert.AreEqual(new long[] { 4, 3, 3 }, BalancedScheme.EvenSplit(10, [10, 10, 10]));
        CollectionAssert.AreEqual(new long[] { 8, 1, 1 }, BalancedScheme.EvenSplit(10, [10, 1, 1]));
        CollectionAssert.AreEqual(new long[] { 2, 2, 2 }, BalancedScheme.EvenSplit(6, [2, 2, 2]));
    }

    [TestMethod]
    public void RelativeIndexPaddingCountsEveryFullSpan()
    {
        Assert.AreEqual(0L, RelativeIndexing.PaddingEntries([15, 31], 4)); // gaps of 15
        Assert.AreEqual(3L, RelativeIndexing.PaddingEntries([16, 49], 4)); // gaps of 16 (one) and 32 (two)
        Assert.AreEqual(2L, RelativeIndexing.PaddingForGap(40, 4));
    }
}
