using Sparsify.Core.Formats;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Formats;

namespace Sparsify.Core.Tests.Formats;

/// <summary>
/// Every format decodes back to exactly the masked weights, directly and after a write/read through
/// the binary form, at every sparsity and odd shape, with kept 0.0, -0.0 and NaN values.
/// </summary>
[TestClass]
public sealed class RoundTripTests
{
    [TestMethod]
    [DataRow(0.0)]
    [DataRow(0.5)]
    [DataRow(0.9)]
    [DataRow(0.99)]
    [DataRow(1.0)]
    public void DecodesToTheMaskedWeights(double sparsity)
    {
        var seed = 1;
        foreach (var (rows, columns) in FormatTestData.Shapes)
        {
            var (values, mask) = FormatTestData.Random(rows, columns, sparsity, seed++);
            var expected = FormatTestData.Masked(values, mask);
            foreach (var (name, layer) in FormatTestData.AllEncodings(values, mask))
            {
                var context = $"{name}, {rows}x{columns} at {sparsity}";
                Assert.AreEqual(mask.NonZeros, layer.NonZeros, context);
                FormatTestData.AssertBitwiseEqual(expected, layer.Decode(), context);

                var bytes = FormatTestData.Serialize(layer);
                Assert.AreEqual(EncodedLayer.HeaderBytes + layer.CountBytes(4).Total, bytes.Length, $"{context}: the fp32 accounting is the payload");
                var read = FormatTestData.Deserialize(bytes);
                Assert.AreEqual(layer.GetType(), read.GetType(), context);
                Assert.AreEqual(FormatReport.Of(layer).ToString(), FormatReport.Of(read).ToString(), context);
                FormatTestData.AssertBitwiseEqual(expected, read.Decode(), $"{context}, read back");
            }
        }
    }

    [TestMethod]
    public void AllZeroLayerStoresNothing()
    {
        var values = new float[6 * 10];
        var mask = new SparsityMask(6, 10, (_, _) => false);
        foreach (var (name, layer) in FormatTestData.AllEncodings(values, mask))
        {
            Assert.AreEqual(0, layer.StoredEntries, name);
            Assert.AreEqual(0, layer.StoredValues, name);
            Assert.AreEqual(0L, layer.CountBytes(4).Values, name);
            Assert.AreEqual(0L, layer.CountBytes(4).Indices, name);
            FormatTestData.AssertBitwiseEqual(values, layer.Decode(), name);
        }
    }

    [TestMethod]
    public void DenseMaskKeepsEveryWeightIncludingZeros()
    {
        // A dense layer whose weights are all zero: every weight is kept and must be stored.
        var values = new float[5 * 7];
        values[3] = -0f;
        var mask = SparsityMask.Dense(5, 7);
        foreach (var (name, layer) in FormatTestData.AllEncodings(values, mask))
        {
            Assert.AreEqual(35, layer.NonZeros, name);
            Assert.AreEqual(0, layer.PaddingEntries, name);
            Assert.AreEqual(0, layer.ExplicitZeros, name);
            FormatTestData.AssertBitwiseEqual(values, layer.Decode(), name);
        }
    }

    [TestMethod]
    public void RemovedWeightsDecodeAsPositiveZeroWhateverTheirOldValue()
    {
        float[] values = [1f, -0f, float.NaN, 4f];
        var mask = new SparsityMask(2, 2, (r, c) => r == c);
        foreach (var (name, layer) in FormatTestData.AllEncodings(values, mask))
        {
            FormatTestData.AssertBitwiseEqual([1f, 0f, 0f, 4f], layer.Decode(), name);
        }
    }

    [TestMethod]
    public void EncodesFromAWeightMatrix()
    {
        var graph = Sparsify.Training.Models.ModelBuilders.LeNet5();
        var matrix = WeightMatrix.AllOf(graph)[1];
        var mask = new SparsityMask(matrix.Rows, matrix.Columns, (r, c) => (r + c) % 3 == 0);
        var expected = FormatTestData.Masked(matrix.Values, mask);
        EncodedLayer[] layers = [CsrEncoder.Encode(matrix, mask), PeEncoder.Encode(matrix, mask), GroupEncoder.Encode(matrix, mask)];
        foreach (var layer in layers)
        {
            FormatTestData.AssertBitwiseEqual(expected, layer.Decode(), layer.Format.ToString());
        }
    }

    [TestMethod]
    public void MismatchedMaskIsRejected()
    {
        var mask = SparsityMask.Dense(3, 4);
        var e = Assert.ThrowsExactly<ArgumentException>(() => CsrEncoder.Encode(new float[11], mask));
        StringAssert.Contains(e.Message, "3x4");
        Assert.ThrowsExactly<ArgumentException>(() => PeEncoder.Encode(new float[13], mask));
        Assert.ThrowsExactly<ArgumentException>(() => GroupEncoder.Encode(new float[0], mask));
    }

    [TestMethod]
    public void DecodeIntoRejectsAWrongLength()
    {
        var layer = CsrEncoder.Encode(new float[12], SparsityMask.Dense(3, 4));
        Assert.ThrowsExactly<ArgumentException>(() => layer.DecodeInto(new float[11]));
    }
}
