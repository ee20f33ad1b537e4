using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Sparse;

[TestClass]
public sealed class ConvInputLayoutTests
{
    /// <summary>
    /// Shapes: strides 1/2/4, dilation 2, asymmetric pads, 1×1 to 11×11 kernels, a grouped conv, and rows
    /// of every width from 1 to 19 at stride 1 and 1 to 37 at stride 2 (the row copies and the stride-2
    /// split have scalar, half-vector, vector and overlapping-tail paths).
    /// </summary>
    public static IEnumerable<object[]> Geometries =>
    [
        .. Enumerable.Range(1, 19).Select(width => new object[] { SparseTestData.Geometry(2, 3, width, 4, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1) }),
        .. Enumerable.Range(1, 37).Select(width => new object[] { SparseTestData.Geometry(2, 3, width, 4, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: width % 2, padBottom: 1, padRight: 1) }),
        .. Enumerable.Range(2, 36).Select(width => new object[] { SparseTestData.Geometry(2, 4, width, 4, 1, 1, strideH: 2, strideW: 2) }),
        [SparseTestData.Geometry(3, 9, 10, 4, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)],
        [SparseTestData.Geometry(3, 9, 10, 4, 3, 3, strideH: 2, strideW: 2, padTop: 0, padLeft: 0, padBottom: 1, padRight: 1)],
        [SparseTestData.Geometry(2, 13, 12, 4, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 2, padBottom: 0, padRight: 1)],
        [SparseTestData.Geometry(2, 12, 11, 4, 1, 1, strideH: 2, strideW: 2)],
        [SparseTestData.Geometry(2, 8, 8, 4, 1, 1)],
        [SparseTestData.Geometry(2, 11, 12, 4, 5, 5, dilationH: 2, dilationW: 2, padTop: 4, padLeft: 3, padBottom: 2, padRight: 4)],
        [SparseTestData.Geometry(2, 14, 15, 4, 7, 7, strideH: 2, strideW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3)],
        [SparseTestData.Geometry(3, 31, 35, 4, 11, 11, strideH: 4, strideW: 4, padTop: 2, padLeft: 1, padBottom: 1, padRight: 2)],
        [SparseTestData.Geometry(3, 10, 9, 4, 3, 5, strideH: 1, strideW: 2, dilationH: 2, dilationW: 1, padTop: 2, padLeft: 0, padBottom: 1, padRight: 3)],
        [SparseTestData.Geometry(4, 9, 9, 6, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, group: 2)],
    ];

    [TestMethod]
    [DynamicData(nameof(Geometries))]
    public void PropertiesFollowTheLayoutFormulas(ConvGeometry g)
    {
        var layout = ConvInputLayout.For(g);
        var extraRows = (g.KernelHeight - 1) * g.DilationH / g.StrideH;
        var extraCols = (g.KernelWidth - 1) * g.DilationW / g.StrideW;
        var gridWidth = g.StrideW == 1
            ? Math.Max(g.OutWidth, Math.Max(g.OutWidth + extraCols - g.PadLeft, g.PadLeft + g.InWidth))
            : g.OutWidth + extraCols;
        var tiles = ((g.OutHeight * gridWidth) + SparseConvolution.TilePixels - 1) / SparseConvolution.TilePixels;
        var planeStride = RoundUp((tiles * SparseConvolution.TilePixels) + (extraRows * gridWidth) + extraCols, 16);
        Assert.AreEqual(gridWidth, layout.GridWidth);
        Assert.AreEqual(g.OutHeight * gridWidth, layout.GridPixels);
        Assert.AreEqual(tiles, layout.TileCount);
        Assert.AreEqual(planeStride, layout.PlaneStride);
        Assert.AreEqual(g.InChannels * g.StrideH * g.StrideW * planeStride, layout.BufferLength);
    }

    [TestMethod]
    [DynamicData(nameof(Geometries))]
    public void EveryTapOfEveryValidPixelReadsThePaddedInput(ConvGeometry g)
    {
        var layout = ConvInputLayout.For(g);
        var image = DistinctImage(g);
        var buffer = new float[layout.BufferLength];
        buffer.AsSpan().Fill(float.NaN);
        layout.Fill(image, buffer);
        var inPerGroup = g.InChannelsPerGroup;
        var groupBase = inPerGroup * g.StrideH * g.StrideW * layout.PlaneStride;
        for (var convGroup = 0; convGroup < g.Group; convGroup++)
        {
            for (var c = 0; c < inPerGroup; c++)
            {
                for (var kh = 0; kh < g.KernelHeight; kh++)
                {
                    for (var kw = 0; kw < g.KernelWidth; kw++)
                    {
                        var offset = layout.Offset(c, kh, kw);
                        for (var oy = 0; oy < g.OutHeight; oy++)
                        {
                            for (var ox = 0; ox < g.OutWidth; ox++)
                            {
                                var expected = Padded(g, image, (convGroup * inPerGroup) + c, (oy * g.StrideH) + (kh * g.DilationH), (ox * g.StrideW) + (kw * g.DilationW));
                                var actual = buffer[(convGroup * groupBase) + (oy * layout.GridWidth) + ox + offset];
                                Assert.AreEqual(expected, actual, $"channel {c} of group {convGroup}, tap ({kh},{kw}), pixel ({oy},{ox})");
                            }
                        }
                    }
                }
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Geometries))]
    public void TheLastTileStaysInsideItsPlaneAndEverythingElseIsZero(ConvGeometry g)
    {
        var layout = ConvInputLayout.For(g);
        var maxOffset = layout.Offset(0, g.KernelHeight - 1, g.KernelWidth - 1) % layout.PlaneStride;
        for (var kh = 0; kh < g.KernelHeight; kh++)
        {
            for (var kw = 0; kw < g.KernelWidth; kw++)
            {
                maxOffset = Math.Max(maxOffset, layout.Offset(0, kh, kw) % layout.PlaneStride);
            }
        }

        Assert.IsLessThanOrEqualTo(layout.PlaneStride, (layout.TileCount * SparseConvolution.TilePixels) + maxOffset);

        // Image values are all distinct and nonzero: the buffer holds each at most once per plane, and zeros elsewhere.
        var image = DistinctImage(g);
        var buffer = new float[layout.BufferLength];
        buffer.AsSpan().Fill(float.NaN);
        layout.Fill(image, buffer);
        var imageValues = image.ToHashSet();
        foreach (var value in buffer)
        {
            Assert.IsTrue(value == 0f || imageValues.Contains(value), $"{value} is neither zero nor an input value");
        }
    }

    [TestMethod]
    public void OffsetsFollowThePhasePlaneFormula()
    {
        var g = SparseTestData.Geometry(5, 20, 21, 4, 5, 3, strideH: 2, strideW: 4, dilationH: 3, dilationW: 2, padTop: 1, padLeft: 2, padBottom: 2, padRight: 1);
        var layout = ConvInputLayout.For(g);
        for (var c = 0; c < g.InChannels; c++)
        {
            for (var kh = 0; kh < g.KernelHeight; kh++)
            {
                for (var kw = 0; kw < g.KernelWidth; kw++)
                {
                    int r = kh * g.DilationH, s = kw * g.DilationW;
                    var expected = ((((c * g.StrideH) + (r % g.StrideH)) * g.StrideW) + (s % g.StrideW)) * layout.PlaneStride
                        + ((r / g.StrideH) * layout.GridWidth) + (s / g.StrideW);
                    Assert.AreEqual(expected, layout.Offset(c, kh, kw));
                }
            }
        }

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => layout.Offset(0, g.KernelHeight, 0));
    }

    [TestMethod]
    public void InvalidGeometriesAreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => ConvInputLayout.For(SparseTestData.Geometry(3, 9, 9, 4, 3, 3) with { StrideH = 0 }));
        Assert.ThrowsExactly<ArgumentException>(() => ConvInputLayout.For(SparseTestData.Geometry(3, 9, 9, 4, 3, 3) with { Group = 2 }));
    }

    private static float[] DistinctImage(in ConvGeometry g)
    {
        var image = new float[g.InChannels * g.InHeight * g.InWidth];
        for (var i = 0; i < image.Length; i++)
        {
            image[i] = i + 1;
        }

        return image;
    }

    private static float Padded(in ConvGeometry g, float[] image, int channel, int paddedRow, int paddedColumn)
    {
        int iy = paddedRow - g.PadTop, ix = paddedColumn - g.PadLeft;
        return iy < 0 || iy >= g.InHeight || ix < 0 || ix >= g.InWidth ? 0f : image[(((channel * g.InHeight) + iy) * g.InWidth) + ix];
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
