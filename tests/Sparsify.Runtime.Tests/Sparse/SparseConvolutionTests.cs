using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Sparse;

[TestClass]
public sealed class SparseConvolutionTests
{
    public static IEnumerable<object[]> Cases =>
    [
        ["3x3 s1", SparseTestData.Geometry(16, 12, 13, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 8],
        ["3x3 s2 asymmetric", SparseTestData.Geometry(8, 15, 14, 16, 3, 3, strideH: 2, strideW: 2, padTop: 0, padLeft: 1, padBottom: 1, padRight: 1), 8],
        ["1x1 s2", SparseTestData.Geometry(16, 14, 13, 24, 1, 1, strideH: 2, strideW: 2), 8],
        ["1x1 s1 identity layout", SparseTestData.Geometry(16, 8, 8, 16, 1, 1), 8],
        ["1x1 s1 copied layout", SparseTestData.Geometry(16, 7, 9, 16, 1, 1), 8],
        ["5x5 dilation 2", SparseTestData.Geometry(4, 13, 12, 8, 5, 5, dilationH: 2, dilationW: 2, padTop: 4, padLeft: 3, padBottom: 4, padRight: 5), 4],
        ["11x11 s4", SparseTestData.Geometry(3, 35, 31, 8, 11, 11, strideH: 4, strideW: 4, padTop: 2, padLeft: 1, padBottom: 1, padRight: 2), 8],
        ["7x7 s2", SparseTestData.Geometry(3, 20, 19, 8, 7, 7, strideH: 2, strideW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3), 8],
        ["grouped", SparseTestData.Geometry(8, 9, 10, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, group: 2), 8],
        ["G does not divide a conv group", SparseTestData.Geometry(8, 9, 10, 24, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, group: 2), 8],
        ["short last group, 4 rows per call", SparseTestData.Geometry(6, 10, 10, 12, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 8],
        ["3 rows per group", SparseTestData.Geometry(6, 10, 10, 9, 3, 3, padTop: 1, padLeft: 1), 3],
        ["15 tiles, a short last block", SparseTestData.Geometry(8, 30, 29, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), 8],
    ];

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void GroupTablesMatchADirectConvolution(string name, ConvGeometry g, int groupSize)
    {
        var random = new Random(name.Length * 7919);
        var weights = SparseTestData.Groups(g.OutChannels, g.FilterLength, groupSize, 0.6, random);
        var input = SparseTestData.RandomValues(g.InChannels * g.InHeight * g.InWidth, random);
        var bias = SparseTestData.RandomValues(g.OutChannels, random);
        var residual = SparseTestData.RandomValues(g.OutChannels * g.OutPixels, random);
        var driver = SparseConvolutions.FromGroups(g, weights, bias);

        foreach (var (withResidual, relu) in new[] { (false, false), (true, false), (true, true), (false, true) })
        {
            var output = new float[g.OutChannels * g.OutPixels];
            driver.Run(input, withResidual ? residual : default, relu, output, threads: 2);
            var expected = SparseTestData.NaiveConvolution(g, input, weights.Decode(), bias, withResidual ? residual : null, relu);
            SparseTestData.AssertClose(expected, output);
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void CsrTablesMatchADirectConvolution(string name, ConvGeometry g, int groupSize)
    {
        _ = groupSize;
        var random = new Random(name.Length * 104729);
        var dense = SparseTestData.SparseDense(g.OutChannels, g.FilterLength, 0.7, random);
        var input = SparseTestData.RandomValues(g.InChannels * g.InHeight * g.InWidth, random);
        var residual = SparseTestData.RandomValues(g.OutChannels * g.OutPixels, random);
        var driver = SparseConvolutions.FromCsr(g, SparseTestData.Csr(dense, g.OutChannels, g.FilterLength), default);
        var output = new float[g.OutChannels * g.OutPixels];
        driver.Run(input, residual, activation: true, output, threads: 3);
        SparseTestData.AssertClose(SparseTestData.NaiveConvolution(g, input, dense, [], residual, relu: true), output);
    }

    [TestMethod]
    public void EveryOutputWidthStoresExactlyItsPixels()
    {
        // Tiles cut grid rows at every phase; whole-vector stores may only run onto the tile's own later segments.
        // Stride 2 up to width 37: the layout fill splits rows into column phases with scalar, half-vector,
        // vector and overlapping-tail paths, the 1x1 kernel reading only the even phase.
        var cases = Enumerable.Range(1, 20).SelectMany(w => new[] { (w, 1, 1), (w, 3, 1) })
            .Concat(Enumerable.Range(1, 37).SelectMany(w => new[] { (w, 1, 2), (w, 3, 2) }));
        foreach (var (width, kernel, stride) in cases)
        {
            var g = SparseTestData.Geometry(8, 5, width, 16, kernel, kernel, stride, stride, padTop: kernel / 2, padLeft: kernel / 2, padBottom: kernel / 2, padRight: kernel / 2);
            var random = new Random((width * 31) + kernel + stride);
            var weights = SparseTestData.Groups(g.OutChannels, g.FilterLength, 8, 0.5, random);
            var input = SparseTestData.RandomValues(g.InChannels * g.InHeight * g.InWidth, random);
            var residual = SparseTestData.RandomValues(g.OutChannels * g.OutPixels, random);
            var driver = SparseConvolutions.FromGroups(g, weights, default);
            foreach (var threads in new[] { 1, 2 })
            {
                var output = new float[g.OutChannels * g.OutPixels];
                driver.Run(input, residual, activation: false, output, threads);
                SparseTestData.AssertClose(SparseTestData.NaiveConvolution(g, input, weights.Decode(), [], residual, relu: false), output);
            }
        }
    }

    [TestMethod]
    public void RelativeIndicesWithPaddingEntriesGiveTheSameResult()
    {
        var g = SparseTestData.Geometry(16, 9, 9, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        var random = new Random(5);
        var weights = SparseTestData.Groups(g.OutChannels, g.FilterLength, 8, 0.9, random, relativeBits: 2);
        Assert.IsGreaterThan(0, weights.PaddingEntries, "the case must exercise padding entries");
        var input = SparseTestData.RandomValues(g.InChannels * g.InHeight * g.InWidth, random);
        var output = new float[g.OutChannels * g.OutPixels];
        SparseConvolutions.FromGroups(g, weights, default).Run(input, default, activation: false, output, threads: 1);
        SparseTestData.AssertClose(SparseTestData.NaiveConvolution(g, input, weights.Decode(), [], null, relu: false), output);
    }

    [TestMethod]
    public void ThreadCountsGiveIdenticalBits()
    {
        var g = SparseTestData.Geometry(32, 20, 19, 32, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        var random = new Random(11);
        var weights = SparseTestData.Groups(g.OutChannels, g.FilterLength, 8, 0.9, random);
        var input = SparseTestData.RandomValues(g.InChannels * g.InHeight * g.InWidth, random);
        var residual = SparseTestData.RandomValues(g.OutChannels * g.OutPixels, random);
        var driver = SparseConvolutions.FromGroups(g, weights, SparseTestData.RandomValues(g.OutChannels, random));
        var one = new float[g.OutChannels * g.OutPixels];
        driver.Run(input, residual, activation: true, one, threads: 1);
        foreach (var threads in new[] { 2, 3, 0 })
        {
            var many = new float[one.Length];
            driver.Run(input, residual, activation: true, many, threads);
            CollectionAssert.AreEqual(one, many, $"{threads} threads");
        }
    }

    [TestMethod]
    public void AHandWrittenBodyRunsThroughTheDriver()
    {
        // The contract the generated code relies on: the driver hands the body the layout at the tile
        // and conv group, and the body reads taps at p + Offset(channel, kh, kw).
        var g = SparseTestData.Geometry(4, 9, 11, 6, 3, 3, strideH: 2, strideW: 1, padTop: 1, padLeft: 0, padBottom: 1, padRight: 2, group: 2);
        var random = new Random(3);
        var dense = SparseTestData.RandomValues(g.OutChannels * g.FilterLength, random);
        var input = SparseTestData.RandomValues(g.InChannels * g.InHeight * g.InWidth, random);
        var layout = ConvInputLayout.For(g);
        var driver = new SparseConvolutionDriver(g, 3, DenseBody(g, layout, dense, rowsPerGroup: 3), default);
        var output = new float[g.OutChannels * g.OutPixels];
        driver.Run(input, default, activation: false, output, threads: 2);
        SparseTestData.AssertClose(SparseTestData.NaiveConvolution(g, input, dense, [], null, relu: false), output);
    }

    [TestMethod]
    public unsafe void ABodyFailureReachesTheCallerAndTheDriverStaysUsable()
    {
        var g = SparseTestData.Geometry(8, 30, 30, 16, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        var fail = true;
        var driver = new SparseConvolutionDriver(g, 8, (group, input, tile, pixels) =>
        {
            if (fail && group == 1)
            {
                throw new InvalidOperationException("body failed");
            }

            new Span<float>(tile, 8 * SparseConvolution.TilePixels).Fill(1f);
        }, default);
        var input = new float[8 * 30 * 30];
        var output = new float[16 * g.OutPixels];
        foreach (var threads in new[] { 1, 2, 3 })
        {
            Assert.ThrowsExactly<InvalidOperationException>(() => driver.Run(input, default, false, output, threads));
        }

        fail = false;
        driver.Run(input, default, false, output, 2);
        Assert.IsTrue(output.All(v => v == 1f));
    }

    [TestMethod]
    public void RowsPerGroupMustDivideTheRowsOfAConvGroup()
    {
        var g = SparseTestData.Geometry(4, 9, 9, 12, 3, 3, group: 2);
        var body = DenseBody(g, ConvInputLayout.For(g), new float[g.OutChannels * g.FilterLength], 1);
        Assert.ThrowsExactly<ArgumentException>(() => new SparseConvolutionDriver(g, 4, body, default));
        Assert.ThrowsExactly<ArgumentException>(() => new SparseConvolutionDriver(g, 0, body, default));
        Assert.ThrowsExactly<ArgumentException>(() => new SparseConvolutionDriver(g, 3, body, new float[5]));
        _ = new SparseConvolutionDriver(g, 6, body, default);
    }

    [TestMethod]
    public void ShortSpansAreRejected()
    {
        var g = SparseTestData.Geometry(8, 6, 6, 8, 3, 3);
        var driver = SparseConvolutions.FromGroups(g, SparseTestData.Groups(8, g.FilterLength, 8, 0.5, new Random(1)), default);
        var input = new float[8 * 36];
        var output = new float[8 * g.OutPixels];
        Assert.ThrowsExactly<ArgumentException>(() => driver.Run(input.AsSpan(1), default, false, output, 1));
        Assert.ThrowsExactly<ArgumentException>(() => driver.Run(input, default, false, output.AsSpan(1), 1));
        Assert.ThrowsExactly<ArgumentException>(() => driver.Run(input, new float[3], false, output, 1));
        Assert.ThrowsExactly<ArgumentException>(() => driver.Run(input, output, false, output, 1));
    }

    [TestMethod]
    [DataRow(64, 37)]
    [DataRow(56, 37)]
    [DataRow(48, 37)]
    [DataRow(40, 37)]
    [DataRow(32, 37)]
    [DataRow(24, 37)]
    [DataRow(16, 37)]
    [DataRow(8, 37)]
    [DataRow(64, 0)]
    [DataRow(64, 64)]
    [DataRow(64, 65)]
    [DataRow(56, 200)]
    [DataRow(16, 129)]
    [DataRow(8, 130)]
    public unsafe void PortableKernelMatchesTheVectorKernel(int pixels, int taps)
    {
        var random = new Random(17 + pixels + taps);
        const int Rows = 7;
        var input = SparseTestData.RandomValues(4096, random);
        // The kernels read the offset PrefetchTaps ahead of each tap: tap lists carry as many more.
        var offsets = Enumerable.Range(0, taps + SparseTileKernels.PrefetchTaps).Select(_ => random.Next(0, 4096 - SparseConvolution.TilePixels)).ToArray();
        var weights = SparseTestData.RandomValues(taps * Rows, random);
        var vector = Enumerable.Repeat(float.NaN, Rows * SparseConvolution.TilePixels).ToArray();
        var scalar = Enumerable.Repeat(float.NaN, vector.Length).ToArray();
        fixed (float* x = input, w = weights, v = vector, s = scalar)
        fixed (int* o = offsets)
        {
            SparseTileKernels.Compute(x, o, taps, w, Rows, Rows, v, pixels);
            SparseTileKernels.ComputeScalar(x, o, taps, w, Rows, Rows, s, pixels);
        }

        // Only the first `pixels` of every row are the kernel's to compute.
        float[] Computed(float[] tile) => [.. Enumerable.Range(0, Rows).SelectMany(r => tile.Skip(r * SparseConvolution.TilePixels).Take(pixels))];
        var expected = new float[Rows * pixels];
        for (var r = 0; r < Rows; r++)
        {
            for (var p = 0; p < pixels; p++)
            {
                double sum = 0;
                for (var k = 0; k < taps; k++)
                {
                    sum += (double)weights[(k * Rows) + r] * input[offsets[k] + p];
                }

                expected[(r * pixels) + p] = (float)sum;
            }
        }

        if (taps == 0)
        {
            // No taps: the tile's pixels are zeros, whatever the buffer held.
            Assert.IsTrue(Computed(vector).All(v => v == 0f));
        }
        else
        {
            SparseTestData.AssertClose(expected, Computed(vector));
            SparseTestData.AssertClose(expected, Computed(scalar));
        }

        // Both run every sum as the same chain of fused multiply-adds in tap order, however the taps are split into passes.
        CollectionAssert.AreEqual(Computed(scalar), Computed(vector));
    }

    /// <summary>A body that computes every tap of the dense weights through the layout offsets.</summary>
    private static unsafe ConvTileBody DenseBody(ConvGeometry g, ConvInputLayout layout, float[] dense, int rowsPerGroup)
    {
        var offsets = new int[g.FilterLength];
        var column = 0;
        for (var c = 0; c < g.InChannelsPerGroup; c++)
        {
            for (var kh = 0; kh < g.KernelHeight; kh++)
            {
                for (var kw = 0; kw < g.KernelWidth; kw++)
                {
                    offsets[column++] = layout.Offset(c, kh, kw);
                }
            }
        }

        return (group, input, tile, pixels) =>
        {
            for (var row = 0; row < rowsPerGroup; row++)
            {
                var oc = (group * rowsPerGroup) + row;
                for (var p = 0; p < pixels; p++)
                {
                    var sum = 0f;
                    for (var k = 0; k < g.FilterLength; k++)
                    {
                        sum += dense[(oc * g.FilterLength) + k] * input[p + offsets[k]];
                    }

                    tile[(row * SparseConvolution.TilePixels) + p] = sum;
                }
            }
        };
    }
}
