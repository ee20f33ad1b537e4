using Sparsify.Runtime.Formats;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Sparse;

/// <summary>
/// A NaN in a sparse layer's input gives NaN in exactly the outputs that read it through a stored weight,
/// through the fused ReLU of every epilogue store (scalar, 128-bit pairs, whole and overlapping 256-bit
/// vectors, into the next layout, in a host's fork) and every tile kernel (256-bit, 512-bit, scalar, CSR).
/// </summary>
[TestClass]
public sealed unsafe class SparseNanPropagationTests
{
    /// <summary>The tile bodies a driver can run: the table's own choice for this machine, or one kernel forced.</summary>
    public enum Body
    {
        Table,
        Vector256,
        Vector512,
        Scalar,
        Csr,
    }

    public static IEnumerable<object[]> Cases()
    {
        (string Name, ConvGeometry Geometry)[] shapes =
        [
            // Rows of 3: scalar stores where a vector would pass the end of the output.
            ("3 columns", SparseTestData.Geometry(4, 5, 3, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)),
            // Rows of 6: two overlapping 128-bit stores.
            ("6 columns", SparseTestData.Geometry(4, 6, 6, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)),
            // Rows of 13: a whole vector and an overlapping last one, or whole vectors running on.
            ("13 columns", SparseTestData.Geometry(4, 7, 13, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)),
            ("stride 2", SparseTestData.Geometry(4, 15, 17, 8, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)),
            ("1x1", SparseTestData.Geometry(8, 9, 10, 16, 1, 1)),
        ];
        foreach (var (name, g) in shapes)
        {
            foreach (var body in Enum.GetValues<Body>())
            {
                yield return [name, g, body];
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void SparseConvolutionWithReluKeepsNaN(string name, ConvGeometry g, Body body)
    {
        if (body is Body.Vector256 or Body.Vector512 && !SparseTileKernels.UseAvx2)
        {
            Assert.Inconclusive("the vector tile kernels need AVX2 and FMA");
        }

        var random = new Random(name.Length + (int)body);
        var (driver, weights) = Driver(g, body, random);
        var inputLength = g.InChannels * g.InHeight * g.InWidth;
        var input = SparseTestData.RandomValues(inputLength, random);
        var residual = SparseTestData.RandomValues(g.OutChannels * g.OutPixels, random);
        var nanResidual = NanMasks.WithNaN(residual, residual.Length / 3);
        var geometry = g;
        bool[] Reach(int at) => NanMasks.Convolution(geometry, weights, NanMasks.Of(NanMasks.WithNaN(input, at)));
        foreach (var at in NanMasks.Reaching([0, (inputLength / 2) + (g.InWidth / 2), inputLength - 1], inputLength, at => Reach(at).Contains(true)))
        {
            var nan = NanMasks.WithNaN(input, at);
            var expected = Reach(at);
            foreach (var threads in new[] { 1, 2 })
            {
                var output = new float[residual.Length];
                driver.Run(nan, default, activation: true, output, threads);
                NanMasks.AssertExactly(expected, output, $"{name}, {body}, NaN at input {at}, {threads} threads");

                driver.Run(nan, nanResidual, activation: true, output, threads);
                NanMasks.AssertExactly(NanMasks.Or(expected, NanMasks.Of(nanResidual)), output, $"{name}, {body}, NaN at input {at} and in the residual, {threads} threads");
            }
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void FeedingTheNextLayoutKeepsNaN(int stride)
    {
        // The first convolution's ReLU stores go straight into the second's layout (at stride 2, split into column phases).
        var first = SparseTestData.Geometry(4, 11, 13, 8, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        var second = SparseTestData.Geometry(8, first.OutHeight, first.OutWidth, 8, 3, 3, strideH: stride, strideW: stride, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        var random = new Random(stride);
        var (a, weightsA) = Driver(first, Body.Table, random);
        var (b, weightsB) = Driver(second, Body.Table, random);
        Assert.IsTrue(a.CanFeed(b));
        var input = SparseTestData.RandomValues(first.InChannels * first.InHeight * first.InWidth, random);
        bool[] Reach(int at) => NanMasks.Convolution(second, weightsB, NanMasks.Convolution(first, weightsA, NanMasks.Of(NanMasks.WithNaN(input, at))));
        foreach (var at in NanMasks.Reaching([0, input.Length / 2, input.Length - 1], input.Length, at => Reach(at).Contains(true)))
        {
            var nan = NanMasks.WithNaN(input, at);
            var output = new float[second.OutChannels * second.OutPixels];
            new SparseConvolutionStep(a, 2, activation: true, feeds: b).Run(input: nan);
            new SparseConvolutionStep(b, 2, activation: true, inputFed: true).Run(output: output);
            NanMasks.AssertExactly(Reach(at), output, $"stride {stride}, NaN at input {at}");
        }
    }

    [TestMethod]
    public void ACompanionInTheHostsForkKeepsNaN()
    {
        var host = SparseTestData.Geometry(8, 14, 14, 16, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1);
        var guest = SparseTestData.Geometry(8, 14, 14, 16, 1, 1, strideH: 2, strideW: 2);
        var random = new Random(9);
        var (a, hostWeights) = Driver(host, Body.Table, random);
        var guestGroups = SparseTestData.Groups(guest.OutChannels, guest.FilterLength, 8, 0.5, random);
        var companion = SparseConvolutions.FromGroups(guest, guestGroups, SparseTestData.RandomValues(guest.OutChannels, random), host);
        Assert.IsTrue(a.CanRunWith(companion));
        var input = SparseTestData.RandomValues(host.InChannels * host.InHeight * host.InWidth, random);
        bool[] Reach(int at) => NanMasks.Convolution(host, hostWeights, NanMasks.Of(NanMasks.WithNaN(input, at)));
        foreach (var at in NanMasks.Reaching([0, (input.Length / 2) + 14, input.Length - 1], input.Length, at => Reach(at).Contains(true)))
        {
            var nan = NanMasks.WithNaN(input, at);
            var output = new float[host.OutChannels * host.OutPixels];
            var guestOutput = new float[guest.OutChannels * guest.OutPixels];
            new SparseConvolutionStep(a, 2, activation: true, companion: companion, companionActivation: true).Run(input: nan, output: output, companionOutput: guestOutput);
            NanMasks.AssertExactly(Reach(at), output, $"host, NaN at input {at}");

            // A 1x1 stride-2 guest reads only even pixels: an odd one reaches none of its outputs.
            var guestExpected = NanMasks.Convolution(guest, guestGroups.Decode(), NanMasks.Of(nan));
            if (guestExpected.Contains(true))
            {
                NanMasks.AssertExactly(guestExpected, guestOutput, $"guest, NaN at input {at}");
            }
            else
            {
                Assert.IsFalse(guestOutput.Any(float.IsNaN), $"guest, NaN at input {at}: no output reads it");
            }
        }
    }

    [TestMethod]
    [DataRow(8)]
    [DataRow(4)]
    [DataRow(1)]
    public void SparseFullyConnectedWithReluKeepsNaN(int groupSize)
    {
        // Groups of 8 sum eight rows per vector; 4 rows a group go one at a time; 1 is the CSR form.
        const int inFeatures = 37, outFeatures = 24;
        var random = new Random(groupSize);
        var groups = SparseTestData.Groups(outFeatures, inFeatures, groupSize, 0.5, random);
        var weights = groups.Decode();
        var bias = SparseTestData.RandomValues(outFeatures, random);
        var layer = groupSize == 1
            ? SparseFullyConnected.FromCsr(inFeatures, outFeatures, SparseTestData.Csr(weights, outFeatures, inFeatures), bias)
            : SparseFullyConnected.FromGroups(inFeatures, outFeatures, groups, bias);
        var input = SparseTestData.RandomValues(inFeatures, random);
        var used = NanMasks.UsedColumns(weights, outFeatures, inFeatures);
        foreach (var at in new[] { used[0], used[used.Length / 2], used[^1] })
        {
            var nan = NanMasks.WithNaN(input, at);
            var output = new float[outFeatures];
            layer.Run(nan, relu: true, output, threads: 1);
            NanMasks.AssertExactly(NanMasks.FullyConnected(weights, outFeatures, inFeatures, NanMasks.Of(nan)), output, $"groups of {groupSize}, NaN at input {at}");
        }
    }

    /// <summary>A driver of random group-format weights (CSR for <see cref="Body.Csr"/>) and their dense form.</summary>
    private static (SparseConvolutionDriver Driver, float[] Weights) Driver(in ConvGeometry g, Body body, Random random)
    {
        var groups = SparseTestData.Groups(g.OutChannels, g.FilterLength, 4, 0.5, random);
        var weights = groups.Decode();
        var bias = SparseTestData.RandomValues(g.OutChannels, random);
        switch (body)
        {
            case Body.Table:
                return (SparseConvolutions.FromGroups(g, groups, bias), weights);
            case Body.Csr:
                return (SparseConvolutions.FromCsr(g, SparseTestData.Csr(weights, g.OutChannels, g.FilterLength), bias), weights);
        }

        var layout = ConvInputLayout.For(g);
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

        var table = SparseTapTable.FromGroups(groups, g.OutChannelsPerGroup, c => offsets[c]);
        var rows = table.RowsPerGroup;
        ConvTileBody tileBody = body switch
        {
            Body.Vector256 => (group, input, tile, pixels) => Taps(table, group, (o, n, w) => SparseTileKernels.Compute256(input, o, n, w, rows, rows, tile, pixels)),
            Body.Vector512 => (group, input, tile, pixels) => Taps(table, group, (o, n, w) => SparseTileKernels.Compute512(input, o, n, w, rows, rows, tile, pixels)),
            _ => (group, input, tile, pixels) => Taps(table, group, (o, n, w) => SparseTileKernels.ComputeScalar(input, o, n, w, rows, rows, tile, pixels)),
        };
        return (new SparseConvolutionDriver(g, rows, tileBody, bias), weights);
    }

    /// <summary>Hands a group's taps (offsets, count, weights) to a tile kernel.</summary>
    private static void Taps(SparseTapTable table, int group, TapKernel kernel)
    {
        var (start, end) = table.TapRange(group);
        kernel(table.OffsetsPointer + start, end - start, table.ValuesPointer + ((long)start * table.RowsPerGroup));
    }

    private delegate void TapKernel(int* offsets, int taps, float* weights);
}
