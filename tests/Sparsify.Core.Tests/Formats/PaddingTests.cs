using Sparsify.Core.Formats;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Formats;

namespace Sparsify.Core.Tests.Formats;

/// <summary>
/// Relative indices with padding, as EIE does: an entry with index d sits d + 1 columns after the
/// previous one; a gap wider than 2^b - 1 is bridged by entries (index 2^b - 1, value 0).
/// </summary>
[TestClass]
public sealed class PaddingTests
{
    private static (float[] Values, SparsityMask Mask) OneRow(int columns, params int[] kept)
    {
        var values = new float[columns];
        foreach (var c in kept)
        {
            values[c] = c + 1;
        }

        return (values, new SparsityMask(1, columns, (_, c) => kept.Contains(c)));
    }

    [TestMethod]
    public void GapOf40With4BitIndicesNeedsTwoPaddingEntries()
    {
        // Columns 0 and 41: 40 columns skipped. 16 + 16 via two fillers (at 16 and 32), then 8.
        var (values, mask) = OneRow(50, 0, 41);
        var layer = PeEncoder.Encode(values, mask, peCount: 4, indexBits: 4);
        Assert.AreEqual(2, layer.PaddingEntries);
        Assert.AreEqual(2, layer.NonZeros);
        CollectionAssert.AreEqual(new[] { 0, 15, 15, 8 }, layer.RelativeIndices.ToArray());
        CollectionAssert.AreEqual(new[] { 1f, 0f, 0f, 42f }, layer.Values.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 16, 32, 41 }, layer.AbsoluteColumns());
        FormatTestData.AssertBitwiseEqual(values, layer.Decode(), "PE");
    }

    [TestMethod]
    [DataRow(14, 0, 14)]
    [DataRow(15, 0, 15)]
    [DataRow(16, 1, 0)]
    [DataRow(31, 1, 15)]
    [DataRow(32, 2, 0)]
    [DataRow(40, 2, 8)]
    [DataRow(47, 2, 15)]
    [DataRow(48, 3, 0)]
    public void RowStartGapIsPaddedFromColumnZero(int column, int padding, int lastIndex)
    {
        // The walk starts before column 0, so the first kept column is itself the gap.
        var (values, mask) = OneRow(60, column);
        var layer = PeEncoder.Encode(values, mask, peCount: 1, indexBits: 4);
        Assert.AreEqual(padding, layer.PaddingEntries);
        Assert.AreEqual(padding + 1, layer.StoredEntries);
        Assert.AreEqual(lastIndex, layer.RelativeIndices[^1]);
        FormatTestData.AssertBitwiseEqual(values, layer.Decode(), $"column {column}");
    }

    [TestMethod]
    public void GroupFormatPadsWithAZeroValuePerRowOfTheGroup()
    {
        var values = new float[3 * 50];
        values[0] = 1;
        values[(2 * 50) + 41] = 2;
        var mask = new SparsityMask(3, 50, (r, c) => (r, c) is (0, 0) or (2, 41));
        var layer = GroupEncoder.Encode(values, mask, groupSize: 3, relativeIndexBits: 4);
        Assert.AreEqual(2, layer.PaddingEntries);
        Assert.AreEqual(4, layer.StoredEntries);
        Assert.AreEqual(12, layer.StoredValues);
        Assert.AreEqual(4, layer.ExplicitZeros, "rows 1, 2 at column 0 and rows 0, 1 at column 41; padding is not counted here");
        CollectionAssert.AreEqual(new[] { 0, 15, 15, 8 }, layer.Indices.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 16, 32, 41 }, layer.AbsoluteColumns());
        FormatTestData.AssertBitwiseEqual(values, layer.Decode(), "group");
    }

    [TestMethod]
    public void PaddingRestartsAtEachRowAndEachPe()
    {
        // Two rows on two PEs; a row's trailing zeros need no padding.
        var values = new float[2 * 40];
        values[39] = 1;
        values[40 + 20] = 2;
        var mask = new SparsityMask(2, 40, (r, c) => (r, c) is (0, 39) or (1, 20));
        var layer = PeEncoder.Encode(values, mask, peCount: 2, indexBits: 3);

        // Row 0: gap 39 at 3 bits = 4 fillers + index 7; row 1: gap 20 = 2 fillers + index 4.
        Assert.AreEqual(6, layer.PaddingEntries);
        Assert.AreEqual(5, layer.PartitionEntries(0));
        Assert.AreEqual(3, layer.PartitionEntries(1));
        FormatTestData.AssertBitwiseEqual(values, layer.Decode(), "PE");
    }

    [TestMethod]
    public void AKeptZeroAtTheLargestGapIsAWeightNotPadding()
    {
        // Column 15 with 4-bit indices: index 15, value 0.0, exactly what a filler looks like.
        var (values, mask) = OneRow(20, 15);
        values[15] = 0f;
        var layer = PeEncoder.Encode(values, mask, peCount: 1, indexBits: 4);
        Assert.AreEqual(0, layer.PaddingEntries);
        Assert.AreEqual(1, layer.NonZeros);
        var read = (PeLayer)FormatTestData.Deserialize(FormatTestData.Serialize(layer));
        Assert.AreEqual(0, read.PaddingEntries);
        Assert.AreEqual(1, read.NonZeros);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(4)]
    [DataRow(8)]
    public void PaddingCountIsTheSumOfGapsShiftedByTheIndexBits(int bits)
    {
        var (values, mask) = FormatTestData.Random(37, 211, 0.97, seed: bits);
        var expected = 0;
        for (var r = 0; r < mask.Rows; r++)
        {
            var previous = -1;
            for (var c = 0; c < mask.Columns; c++)
            {
                if (mask.IsKept(r, c))
                {
                    expected += (c - previous - 1) >> bits;
                    previous = c;
                }
            }
        }

        var layer = PeEncoder.Encode(values, mask, peCount: 6, indexBits: bits);
        Assert.AreEqual(expected, layer.PaddingEntries);
        Assert.AreEqual(mask.NonZeros + expected, layer.StoredEntries);
        Assert.IsTrue(layer.RelativeIndices.ToArray().All(i => i <= (1 << bits) - 1));
    }
}
