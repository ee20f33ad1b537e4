using Sparsify.Core.Formats;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Formats;

namespace Sparsify.Core.Tests.Formats;

/// <summary>
/// Bytes checked against hand-computed values for one small matrix (4x20, 6 kept weights):
/// <code>
/// row 0: columns 0, 3, 19    row 1: column 1    row 2: none    row 3: columns 0, 18
/// </code>
/// Dense: 80 weights = 320 B fp32, 160 B 16-bit.
/// </summary>
[TestClass]
public sealed class ByteAccountingTests
{
    private static readonly (int Row, int Column)[] Kept = [(0, 0), (0, 3), (0, 19), (1, 1), (3, 0), (3, 18)];

    private static (float[] Values, SparsityMask Mask) Matrix()
    {
        var values = new float[4 * 20];
        foreach (var (r, c) in Kept)
        {
            values[(r * 20) + c] = (r * 100) + c + 1;
        }

        return (values, new SparsityMask(4, 20, (r, c) => Kept.Contains((r, c))));
    }

    [TestMethod]
    public void Csr()
    {
        var (values, mask) = Matrix();
        var report = FormatReport.Of(CsrEncoder.Encode(values, mask));

        // 5 row pointers x 4 B; 6 column indices x 1 B (20 columns fit 8 bits); 6 values.
        Assert.AreEqual(8, report.IndexBits);
        Assert.AreEqual(new EncodedBytes(20, 6, 24), report.BytesFp32);
        Assert.AreEqual(new EncodedBytes(20, 6, 12), report.Bytes16);
        Assert.AreEqual(320L, report.DenseBytesFp32);
        Assert.AreEqual(160L, report.DenseBytes16);
        Assert.AreEqual(320.0 / 50, report.CompressionFp32, 1e-12);
        Assert.AreEqual(160.0 / 38, report.Compression16, 1e-12);
        CollectionAssert.AreEqual(new[] { 3, 1, 0, 2 }, report.PartitionEntries.ToArray());
        Assert.AreEqual(3 / 1.5, report.Imbalance, 1e-12);
    }

    [TestMethod]
    public void PeFormatTwoPesFourBitIndices()
    {
        var (values, mask) = Matrix();
        var layer = PeEncoder.Encode(values, mask, peCount: 2, indexBits: 4);

        // PE 0 holds rows 0 and 2, PE 1 rows 1 and 3 (PE-major order: rows 0, 2, 1, 3).
        // Row 0: gaps 0, 2, 15 -> 0, 2, 15. Row 1: gap 1. Row 3: gap 0, then gap 17 -> filler 15 + index 1.
        CollectionAssert.AreEqual(new[] { 0, 3, 3, 4, 7 }, layer.RowPointers.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 2, 4 }, layer.PeRowOffsets.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 2, 15, 1, 0, 15, 1 }, layer.RelativeIndices.ToArray());
        CollectionAssert.AreEqual(new[] { 1f, 4f, 20f, 102f, 301f, 0f, 319f }, layer.Values.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 2, 1, 3 }, Enumerable.Range(0, 4).Select(layer.RowAt).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 2, 1, 3 }, Enumerable.Range(0, 4).Select(layer.PositionOf).ToArray());

        // Pointers 5 x 4 B; indices packed per PE: ceil(3*4/8) + ceil(4*4/8) = 2 + 2; values 7.
        var report = FormatReport.Of(layer);
        Assert.AreEqual(1, report.PaddingEntries);
        Assert.AreEqual(7, report.StoredEntries);
        Assert.AreEqual(new EncodedBytes(20, 4, 28), report.BytesFp32);
        Assert.AreEqual(new EncodedBytes(20, 4, 14), report.Bytes16);
        CollectionAssert.AreEqual(new[] { 3, 4 }, report.PartitionEntries.ToArray());
        CollectionAssert.AreEqual(new[] { 2L + 6, 2L + 8 }, report.PartitionBytes16.ToArray());
        Assert.AreEqual(10L, report.MaxPartitionBytes16);
        Assert.AreEqual(4 / 3.5, report.Imbalance, 1e-12);
    }

    [TestMethod]
    public void GroupFormatRelativeShortLastGroup()
    {
        var (values, mask) = Matrix();
        var layer = GroupEncoder.Encode(values, mask, groupSize: 3, relativeIndexBits: 4);

        // Group 0 = rows 0..2 shares columns 0, 1, 3, 19 (gaps 0, 0, 1, 15): 4 entries x 3 values,
        // 4 kept, so 8 explicit zeros. Group 1 = row 3 alone (height 1): 0, filler, 1 -> 3 entries.
        Assert.AreEqual(2, layer.GroupCount);
        Assert.AreEqual(1, layer.GroupHeight(1));
        CollectionAssert.AreEqual(new[] { 0, 4, 7 }, layer.GroupPointers.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 12, 15 }, layer.ValuePointers.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 0, 1, 15, 0, 15, 1 }, layer.Indices.ToArray());
        CollectionAssert.AreEqual(
            new[] { 1f, 0f, 0f, /* col 1 */ 0f, 102f, 0f, /* col 3 */ 4f, 0f, 0f, /* col 19 */ 20f, 0f, 0f, /* row 3 */ 301f, 0f, 319f },
            layer.Values.ToArray(),
            "column-major inside a group: the G values of one column are adjacent");
        Assert.AreEqual(6, layer.NonZeros);
        Assert.AreEqual(1, layer.PaddingEntries);
        Assert.AreEqual(8, layer.ExplicitZeros);

        // Pointers 3 x 4 B; indices ceil(4*4/8) + ceil(3*4/8) = 2 + 2; values 15.
        var report = FormatReport.Of(layer);
        Assert.AreEqual(new EncodedBytes(12, 4, 60), report.BytesFp32);
        Assert.AreEqual(new EncodedBytes(12, 4, 30), report.Bytes16);
        CollectionAssert.AreEqual(new[] { 2L + 24, 2L + 6 }, report.PartitionBytes16.ToArray());
    }

    [TestMethod]
    public void GroupFormatAbsolute()
    {
        var (values, mask) = Matrix();
        var report = FormatReport.Of(GroupEncoder.Encode(values, mask, groupSize: 3, encoding: IndexEncoding.Absolute));

        // Entries 4 + 2 at 1 B; values 4x3 + 2x1 = 14.
        Assert.AreEqual(0, report.PaddingEntries);
        Assert.AreEqual(8, report.IndexBits);
        Assert.AreEqual(new EncodedBytes(12, 6, 56), report.BytesFp32);
        Assert.AreEqual(new EncodedBytes(12, 6, 28), report.Bytes16);
    }

    [TestMethod]
    [DataRow(256, 8)]
    [DataRow(257, 16)]
    [DataRow(65536, 16)]
    [DataRow(65537, 32)]
    public void CsrColumnIndicesTakeTheNarrowestWidth(int columns, int bits)
    {
        var mask = new SparsityMask(1, columns, (_, c) => c == columns - 1);
        var layer = CsrEncoder.Encode(new float[columns], mask);
        Assert.AreEqual(bits, layer.IndexBits);
        Assert.AreEqual(new EncodedBytes(8, bits / 8, 4), layer.CountBytes(4));
        Assert.AreEqual(columns - 1, FormatTestData.Deserialize(FormatTestData.Serialize(layer)) is CsrLayer read ? read.ColumnIndices[0] : -1);
    }

    [TestMethod]
    public void ValueWidthOtherThanTwoOrFourIsRejected()
    {
        var layer = CsrEncoder.Encode(new float[4], SparsityMask.Dense(2, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => layer.CountBytes(3));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => layer.PartitionBytes(0, 8));
    }
}
