using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Kernels;

[TestClass]
public sealed class MaxPoolingTests
{
    public static IEnumerable<object[]> Geometries =>
    [
        // channels, in H, in W, kernel, stride, dilation, pad top/left, pad bottom/right
        [3, 112, 112, 3, 2, 1, 1, 1],   // ResNet's stem pool
        [2, 55, 55, 3, 2, 1, 0, 0],     // AlexNet's
        [2, 13, 13, 3, 2, 1, 0, 1],     // ceil mode: the last window hangs past the input
        [1, 9, 17, 2, 2, 1, 0, 0],
        [2, 10, 21, 3, 1, 2, 2, 2],     // dilated, stride 1, padding wider than the dilation
        [1, 5, 5, 5, 1, 1, 4, 4],       // windows that see padding only at the corners
        [1, 4, 4, 1, 1, 1, 0, 0],

        // Stride 2 with eight or more outputs a row: the even/odd split, every window width from 2 to 5
        // and every output width from 8 to 24 (whole and overlapping last vectors).
        .. Enumerable.Range(15, 34).SelectMany(w => Enumerable.Range(2, 4).Select(k => new object[] { 1, 5, w, k, 2, 1, k / 2, (k - 1) / 2 })),
    ];

    [TestMethod]
    [DynamicData(nameof(Geometries))]
    public void Max_EqualsTheWindowByWindowMaximum(int channels, int inH, int inW, int kernel, int stride, int dilation, int pad, int padEnd)
    {
        var outH = ((inH + pad + padEnd - ((kernel - 1) * dilation) - 1) / stride) + 1;
        var outW = ((inW + pad + padEnd - ((kernel - 1) * dilation) - 1) / stride) + 1;
        var g = new PoolGeometry(1, channels, inH, inW, outH, outW, kernel, kernel, stride, stride, dilation, dilation, pad, pad, padEnd, padEnd);
        var random = new Random(inH * 31 + inW);
        var input = Enumerable.Range(0, channels * inH * inW).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var output = new float[channels * outH * outW];

        Pooling.Max(g, input, output, threads: 2);

        CollectionAssert.AreEqual(Naive(g, input), output);
    }

    [TestMethod]
    public void Max_PropagatesNaN_AsMathMaxDoes()
    {
        var g = new PoolGeometry(1, 1, 4, 12, 2, 6, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0);
        var input = new float[48];
        input[13] = float.NaN; // row 1, column 1: the first window

        var output = new float[12];
        Pooling.Max(g, input, output, threads: 1);

        Assert.IsTrue(float.IsNaN(output[0]));
        Assert.AreEqual(0f, output[1]);

        // The same through the stride-2 split (eight or more outputs a row): the NaN reaches windows 4 and 5.
        var wide = new PoolGeometry(1, 1, 3, 24, 1, 11, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0);
        var row = new float[72];
        row[24 + 10] = float.NaN;
        var pooled = new float[11];
        Pooling.Max(wide, row, pooled, threads: 1);
        CollectionAssert.AreEqual(new[] { false, false, false, false, true, true, false, false, false, false, false }, pooled.Select(float.IsNaN).ToArray());
    }

    private static float[] Naive(in PoolGeometry g, float[] input)
    {
        var output = new float[g.Channels * g.OutHeight * g.OutWidth];
        for (var c = 0; c < g.Channels; c++)
        {
            for (var oh = 0; oh < g.OutHeight; oh++)
            {
                for (var ow = 0; ow < g.OutWidth; ow++)
                {
                    var max = float.NegativeInfinity;
                    for (var kh = 0; kh < g.KernelHeight; kh++)
                    {
                        for (var kw = 0; kw < g.KernelWidth; kw++)
                        {
                            var h = (oh * g.StrideH) - g.PadTop + (kh * g.DilationH);
                            var w = (ow * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                            if (h >= 0 && h < g.InHeight && w >= 0 && w < g.InWidth)
                            {
                                max = Math.Max(max, input[(((c * g.InHeight) + h) * g.InWidth) + w]);
                            }
                        }
                    }

                    output[(((c * g.OutHeight) + oh) * g.OutWidth) + ow] = max;
                }
            }
        }

        return output;
    }
}
