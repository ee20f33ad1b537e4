using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Sparse;

/// <summary>Offsets by weight column, and the confirmation generated code asks for before it reads at embedded offsets.</summary>
[TestClass]
public sealed class TapOffsetTests
{
    private static readonly ConvGeometry Host = SparseTestData.Geometry(8, 28, 28, 8, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
    private static readonly ConvGeometry Shortcut = SparseTestData.Geometry(8, 28, 28, 16, 1, 1, strideH: 2, strideW: 2);

    [TestMethod]
    public void AColumnIsItsChannelThenKernelRowThenKernelColumn()
    {
        var layout = ConvInputLayout.For(Host);
        for (var column = 0; column < Host.FilterLength; column++)
        {
            Assert.AreEqual(layout.Offset(column / 9, column / 3 % 3, column % 3), layout.ColumnOffset(Host, column), $"column {column}");
        }

        Assert.AreEqual(layout.Offset(5, 1, 1), layout.ColumnOffset(Shortcut, 5), "a hosted 1x1 reads the window's centre");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => layout.ColumnOffset(Host, Host.FilterLength));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => layout.ColumnOffset(Host, -1));
        Assert.ThrowsExactly<ArgumentException>(() => layout.ColumnOffset(SparseTestData.Geometry(8, 28, 28, 16, 1, 1), 0));
    }

    [TestMethod]
    public void OnlyTheLayoutsOwnOffsetsAreConfirmed()
    {
        var layout = ConvInputLayout.For(Host);
        int[] columns = [0, 4, 40, 71];
        var offsets = columns.Select(c => layout.ColumnOffset(Host, c)).ToArray();
        Assert.IsTrue(layout.HasTapOffsets(Host, columns, offsets));
        Assert.IsTrue(layout.HasTapOffsets(Host, [], []));
        Assert.IsTrue(layout.HasTapOffsets(Shortcut, [1, 7], [layout.ColumnOffset(Shortcut, 1), layout.ColumnOffset(Shortcut, 7)]));

        for (var i = 0; i < offsets.Length; i++)
        {
            var shifted = offsets.ToArray();
            shifted[i]++;
            Assert.IsFalse(layout.HasTapOffsets(Host, columns, shifted), $"offset {i} shifted");
        }

        Assert.IsFalse(layout.HasTapOffsets(Host, columns, offsets[..3]), "fewer offsets than columns");
        Assert.IsFalse(layout.HasTapOffsets(Host, [72], [0]), "a column outside the filter");
        Assert.IsFalse(layout.HasTapOffsets(Host, [-1], [0]), "a negative column");
        Assert.IsFalse(layout.HasTapOffsets(SparseTestData.Geometry(8, 28, 28, 16, 1, 1), [0], [0]), "a convolution the layout cannot host");
    }
}
