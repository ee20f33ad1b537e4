using Sparsify.Runtime.Formats;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Sparse;

/// <summary>Seeded sparse matrices and naive reference computations for the sparse kernel tests.</summary>
internal static class SparseTestData
{
    /// <summary>Random values in [-1, 1).</summary>
    public static float[] RandomValues(int count, Random random)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    /// <summary>
    /// A locality-style group matrix: every group of G rows keeps the same random columns, the same
    /// number per group. With relative indices of few bits, wide gaps get padding entries.
    /// </summary>
    public static GroupLayer Groups(int rows, int columns, int groupSize, double sparsity, Random random, int relativeBits = 0)
    {
        var kept = Math.Max(1, (int)Math.Round((1 - sparsity) * columns));
        var groups = (rows + groupSize - 1) / groupSize;
        var pointers = new int[groups + 1];
        var indices = new List<int>();
        var values = new List<float>();
        var padding = 0;
        var nonZeros = 0;
        var maxGap = relativeBits == 0 ? int.MaxValue : IndexCodec.MaxRelative(relativeBits);
        for (var g = 0; g < groups; g++)
        {
            var height = Math.Min(groupSize, rows - (g * groupSize));
            var previous = -1;
            foreach (var column in Enumerable.Range(0, columns).OrderBy(_ => random.Next()).Take(kept).Order())
            {
                if (relativeBits == 0)
                {
                    indices.Add(column);
                }
                else
                {
                    // A gap wider than the index holds is bridged by entries of the largest gap with zero values.
                    while (column - previous - 1 > maxGap)
                    {
                        indices.Add(maxGap);
                        values.AddRange(new float[height]);
                        previous += maxGap + 1;
                        padding++;
                    }

                    indices.Add(column - previous - 1);
                }

                previous = column;
                for (var lane = 0; lane < height; lane++)
                {
                    values.Add((float)((random.NextDouble() * 2) - 1));
                    nonZeros++;
                }
            }

            pointers[g + 1] = indices.Count;
        }

        return relativeBits == 0
            ? new GroupLayer(rows, columns, groupSize, IndexEncoding.Absolute, IndexCodec.AbsoluteBits(columns), pointers, [.. indices], [.. values], nonZeros, 0, 0)
            : new GroupLayer(rows, columns, groupSize, IndexEncoding.Relative, relativeBits, pointers, [.. indices], [.. values], nonZeros, padding, 0);
    }

    /// <summary>The CSR form of a dense row-major matrix (zeros dropped).</summary>
    public static CsrLayer Csr(float[] dense, int rows, int columns)
    {
        var pointers = new int[rows + 1];
        var indices = new List<int>();
        var values = new List<float>();
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                if (dense[(r * columns) + c] != 0f)
                {
                    indices.Add(c);
                    values.Add(dense[(r * columns) + c]);
                }
            }

            pointers[r + 1] = indices.Count;
        }

        return new CsrLayer(rows, columns, pointers, [.. indices], [.. values]);
    }

    /// <summary>A random dense matrix with about <paramref name="sparsity"/> of its entries zero, unstructured.</summary>
    public static float[] SparseDense(int rows, int columns, double sparsity, Random random)
    {
        var dense = new float[rows * columns];
        for (var i = 0; i < dense.Length; i++)
        {
            dense[i] = random.NextDouble() < sparsity ? 0f : (float)((random.NextDouble() * 2) - 1);
        }

        return dense;
    }

    /// <summary>Direct convolution of one image in double precision: bias, then residual, then ReLU.</summary>
    public static float[] NaiveConvolution(in ConvGeometry g, float[] input, float[] weights, float[] bias, float[]? residual, bool relu)
    {
        var output = new float[g.OutChannels * g.OutHeight * g.OutWidth];
        int inPerGroup = g.InChannelsPerGroup, outPerGroup = g.OutChannelsPerGroup;
        for (var oc = 0; oc < g.OutChannels; oc++)
        {
            var convGroup = oc / outPerGroup;
            for (var oy = 0; oy < g.OutHeight; oy++)
            {
                for (var ox = 0; ox < g.OutWidth; ox++)
                {
                    double sum = bias.Length == 0 ? 0 : bias[oc];
                    for (var c = 0; c < inPerGroup; c++)
                    {
                        for (var kh = 0; kh < g.KernelHeight; kh++)
                        {
                            for (var kw = 0; kw < g.KernelWidth; kw++)
                            {
                                var iy = (oy * g.StrideH) + (kh * g.DilationH) - g.PadTop;
                                var ix = (ox * g.StrideW) + (kw * g.DilationW) - g.PadLeft;
                                if (iy >= 0 && iy < g.InHeight && ix >= 0 && ix < g.InWidth)
                                {
                                    var w = weights[((((oc * inPerGroup) + c) * g.KernelHeight) + kh) * g.KernelWidth + kw];
                                    sum += (double)w * input[((((convGroup * inPerGroup) + c) * g.InHeight) + iy) * g.InWidth + ix];
                                }
                            }
                        }
                    }

                    var at = (((oc * g.OutHeight) + oy) * g.OutWidth) + ox;
                    sum += residual?[at] ?? 0;
                    output[at] = relu ? (float)Math.Max(sum, 0) : (float)sum;
                }
            }
        }

        return output;
    }

    /// <summary>output = weights · input + bias (then ReLU), in double precision.</summary>
    public static float[] NaiveFullyConnected(float[] weights, int rows, int columns, float[] input, float[] bias, bool relu)
    {
        var output = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            double sum = bias.Length == 0 ? 0 : bias[r];
            for (var c = 0; c < columns; c++)
            {
                sum += (double)weights[(r * columns) + c] * input[c];
            }

            output[r] = relu ? (float)Math.Max(sum, 0) : (float)sum;
        }

        return output;
    }

    /// <summary>Fails unless every |actual - expected| is within 1e-5 of max |expected| (and the max is not zero).</summary>
    public static void AssertClose(float[] expected, float[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        var scale = expected.Max(Math.Abs);
        Assert.IsGreaterThan(0f, scale, "the reference output is all zero: the comparison would prove nothing");
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.IsLessThanOrEqualTo(1e-5 * scale, (double)Math.Abs(expected[i] - actual[i]), $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    /// <summary>A convolution geometry of one image with output sizes derived from the pads (bottom/right pads as given).</summary>
    public static ConvGeometry Geometry(
        int inChannels, int inHeight, int inWidth, int outChannels, int kernelHeight, int kernelWidth,
        int strideH = 1, int strideW = 1, int dilationH = 1, int dilationW = 1,
        int padTop = 0, int padLeft = 0, int padBottom = 0, int padRight = 0, int group = 1)
    {
        var outHeight = ((inHeight + padTop + padBottom - (((kernelHeight - 1) * dilationH) + 1)) / strideH) + 1;
        var outWidth = ((inWidth + padLeft + padRight - (((kernelWidth - 1) * dilationW) + 1)) / strideW) + 1;
        return new ConvGeometry(1, inChannels, inHeight, inWidth, outChannels, outHeight, outWidth,
            kernelHeight, kernelWidth, strideH, strideW, dilationH, dilationW, padTop, padLeft, group);
    }
}
