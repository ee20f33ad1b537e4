using Sparsify.Core.Formats;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Formats;

namespace Sparsify.Core.Tests.Formats;

/// <summary>The public constructors check the arrays they wrap, and the PE row mapping is consistent.</summary>
[TestClass]
public sealed class LayerValidationTests
{
    [TestMethod]
    public void CsrConstructorRejectsBadArrays()
    {
        Invalid(() => new CsrLayer(2, 4, [0, 1], [0], [1f]), "pointers must have 3 entries");
        Invalid(() => new CsrLayer(2, 4, [1, 1, 1], [0], [1f]), "start at 0");
        Invalid(() => new CsrLayer(2, 4, [0, 2, 1], [0], [1f]), "below pointer");
        Invalid(() => new CsrLayer(2, 4, [0, 1, 1], [4], [1f]), "column 4");
        Invalid(() => new CsrLayer(2, 4, [0, 2, 2], [1, 1], [1f, 2f]), "not after column 1");
        Invalid(() => new CsrLayer(2, 4, [0, 1, 1], [0, 1], [1f]), "2 column indices but 1 values");
        Invalid(() => new CsrLayer(0, 4, [0], [], []), "must be positive");
        Assert.AreEqual(1, new CsrLayer(2, 4, [0, 1, 1], [3], [1f]).NonZeros);
    }

    [TestMethod]
    public void PeConstructorRejectsBadArrays()
    {
        Invalid(() => new PeLayer(1, 7, 1, 2, [0, 2], [3, 3], [1f, 2f], 0), "walks to column 7");
        Invalid(() => new PeLayer(1, 10, 1, 2, [0, 1], [4], [1f], 0), "outside 0..3");
        Invalid(() => new PeLayer(1, 10, 0, 2, [0, 0], [], [], 0), "PE count 0");
        Invalid(() => new PeLayer(1, 10, 1, 0, [0, 0], [], [], 0), "relative index bits 0");
        Invalid(() => new PeLayer(1, 10, 1, 2, [0, 2], [3, 0], [1f, 2f], 1), "padding");
        Assert.AreEqual(1, new PeLayer(1, 10, 1, 2, [0, 2], [3, 0], [0f, 2f], 1).PaddingEntries);
    }

    [TestMethod]
    public void GroupConstructorRejectsBadArrays()
    {
        Invalid(() => new GroupLayer(3, 10, 2, IndexEncoding.Absolute, 8, [0, 1, 1], [2], [1f], 1, 0, 0), "values");
        Invalid(() => new GroupLayer(3, 10, 2, IndexEncoding.Absolute, 16, [0, 1, 1], [2], [1f, 2f], 2, 0, 0), "take 8 bits");
        Invalid(() => new GroupLayer(3, 10, 2, IndexEncoding.Absolute, 8, [0, 1, 1], [10], [1f, 2f], 2, 0, 0), "index 10");
        Invalid(() => new GroupLayer(3, 10, 2, IndexEncoding.Relative, 2, [0, 1, 1], [1], [1f, 2f], 3, 0, 0), "do not fit");
        Invalid(() => new GroupLayer(3, 10, 0, IndexEncoding.Relative, 2, [0, 0], [], [], 0, 0, 0), "group size 0");
        Assert.AreEqual(3, new GroupLayer(3, 10, 2, IndexEncoding.Absolute, 8, [0, 1, 2], [2, 9], [1f, 2f, 3f], 3, 0, 0).NonZeros);
    }

    [TestMethod]
    public void PeRowMappingIsABijection()
    {
        foreach (var rows in new[] { 1, 2, 7, 63, 64, 65, 130, 200 })
        {
            foreach (var pes in new[] { 1, 3, 8, 64, 100 })
            {
                var layer = PeEncoder.Encode(new float[rows], new SparsityMask(rows, 1, (r, _) => r % 2 == 0), pes, 4);
                for (var row = 0; row < rows; row++)
                {
                    var position = layer.PositionOf(row);
                    Assert.AreEqual(row, layer.RowAt(position), $"{rows} rows on {pes} PEs");
                    var pe = row % pes;
                    Assert.IsTrue(position >= layer.PeRowOffsets[pe] && position < layer.PeRowOffsets[pe + 1]);
                }

                Assert.AreEqual(rows, layer.PeRowOffsets[^1]);
                Assert.AreEqual(rows / 2 + rows % 2, Enumerable.Range(0, pes).Sum(layer.PartitionEntries));
            }
        }
    }

    private static void Invalid(Func<object> create, string expected)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => create());
        StringAssert.Contains(e.Message, expected);
    }
}
