using Sparsify.Core.Formats;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Formats;

namespace Sparsify.Core.Tests.Formats;

/// <summary>The group format's layout: shared columns, short last group, explicit zeros, index encodings.</summary>
[TestClass]
public sealed class GroupFormatTests
{
    [TestMethod]
    public void SharedPatternMasksNeedNoExplicitZeros()
    {
        // 32 rows: every group is full, so each padding entry holds exactly 8 values.
        var mask = FormatTestData.SharedPattern(rows: 32, columns: 90, groupSize: 8, sparsity: 0.85, seed: 11);
        var (values, _) = FormatTestData.Random(32, 90, 0, seed: 11);
        foreach (var encoding in new[] { IndexEncoding.Relative, IndexEncoding.Absolute })
        {
            var layer = GroupEncoder.Encode(values, mask, groupSize: 8, encoding: encoding);
            Assert.AreEqual(0, layer.ExplicitZeros, encoding.ToString());
            Assert.AreEqual(mask.NonZeros + (8 * layer.PaddingEntries), layer.StoredValues, encoding.ToString());
            FormatTestData.AssertBitwiseEqual(FormatTestData.Masked(values, mask), layer.Decode(), encoding.ToString());
        }
    }

    [TestMethod]
    public void RandomMasksReportTheirExplicitZeros()
    {
        var (values, mask) = FormatTestData.Random(16, 64, 0.9, seed: 2);
        var layer = GroupEncoder.Encode(values, mask, groupSize: 8, encoding: IndexEncoding.Absolute);

        // Absolute indices have no padding, so every stored value is kept or an explicit zero.
        Assert.AreEqual(0, layer.PaddingEntries);
        Assert.AreEqual(layer.StoredValues, layer.NonZeros + layer.ExplicitZeros);
        Assert.IsTrue(layer.ExplicitZeros > 0);
    }

    [TestMethod]
    public void ValuesOfOneColumnAreAdjacent()
    {
        var mask = FormatTestData.SharedPattern(rows: 8, columns: 20, groupSize: 4, sparsity: 0.5, seed: 4);
        var (values, _) = FormatTestData.Random(8, 20, 0, seed: 4);
        var layer = GroupEncoder.Encode(values, mask, groupSize: 4, encoding: IndexEncoding.Absolute);
        for (var g = 0; g < layer.GroupCount; g++)
        {
            for (var e = layer.GroupPointers[g]; e < layer.GroupPointers[g + 1]; e++)
            {
                var column = layer.Indices[e];
                for (var lane = 0; lane < 4; lane++)
                {
                    var stored = layer.Values[layer.ValuePointers[g] + ((e - layer.GroupPointers[g]) * 4) + lane];
                    Assert.AreEqual(values[(((g * 4) + lane) * 20) + column], stored);
                }
            }
        }
    }

    [TestMethod]
    [DataRow(1, 8, 1, 1)]
    [DataRow(13, 8, 2, 5)]
    [DataRow(16, 8, 2, 8)]
    [DataRow(5, 8, 1, 5)]
    [DataRow(10, 3, 4, 1)]
    public void LastGroupHoldsTheRemainingRows(int rows, int groupSize, int groups, int lastHeight)
    {
        var (values, mask) = FormatTestData.Random(rows, 12, 0.5, seed: rows);
        var layer = GroupEncoder.Encode(values, mask, groupSize: groupSize);
        Assert.AreEqual(groups, layer.GroupCount);
        Assert.AreEqual(lastHeight, layer.GroupHeight(groups - 1));
        Assert.AreEqual(groups, FormatReport.Of(layer).PartitionEntries.Count);
    }

    [TestMethod]
    public void RelativeAndAbsoluteStoreTheSameColumnsApartFromPadding()
    {
        var (values, mask) = FormatTestData.Random(20, 150, 0.95, seed: 8);
        var relative = GroupEncoder.Encode(values, mask, relativeIndexBits: 4);
        var absolute = GroupEncoder.Encode(values, mask, encoding: IndexEncoding.Absolute);
        Assert.AreEqual(absolute.StoredEntries + relative.PaddingEntries, relative.StoredEntries);
        var relativeColumns = relative.AbsoluteColumns();
        var kept = new List<int>();
        for (var e = 0; e < relativeColumns.Length; e++)
        {
            if (KeptByGroup(mask, relative, e, relativeColumns[e]))
            {
                kept.Add(relativeColumns[e]);
            }
        }

        CollectionAssert.AreEqual(absolute.Indices.ToArray(), kept);
        CollectionAssert.AreEqual(absolute.Indices.ToArray(), absolute.AbsoluteColumns());
    }

    [TestMethod]
    public void BadSettingsAreRejected()
    {
        var (values, mask) = FormatTestData.Random(4, 4, 0.5, seed: 1);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GroupEncoder.Encode(values, mask, groupSize: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GroupEncoder.Encode(values, mask, relativeIndexBits: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GroupEncoder.Encode(values, mask, relativeIndexBits: 17));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GroupEncoder.Encode(values, mask, encoding: (IndexEncoding)7));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PeEncoder.Encode(values, mask, peCount: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PeEncoder.Encode(values, mask, indexBits: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PeEncoder.Encode(values, mask, indexBits: 17));

        // Bits are only a setting of relative indices.
        Assert.AreEqual(8, GroupEncoder.Encode(values, mask, encoding: IndexEncoding.Absolute, relativeIndexBits: 0).IndexBits);
    }

    /// <summary>Whether any row of the entry's group keeps its column (padding entries sit on columns none keeps).</summary>
    private static bool KeptByGroup(SparsityMask mask, GroupLayer layer, int entry, int column)
    {
        var group = 0;
        while (layer.GroupPointers[group + 1] <= entry)
        {
            group++;
        }

        return Enumerable.Range(group * layer.GroupSize, layer.GroupHeight(group)).Any(r => mask.IsKept(r, column));
    }
}
