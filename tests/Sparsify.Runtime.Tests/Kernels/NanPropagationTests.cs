using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Tests.Sparse;

namespace Sparsify.Runtime.Tests.Kernels;

/// <summary>
/// A NaN in a dense kernel's input gives NaN in exactly the outputs that depend on it, through every
/// fused ReLU and every max: ReLU(NaN) and max(NaN, x) are NaN, as in ONNX Runtime and the reference executor.
/// </summary>
[TestClass]
public sealed unsafe class NanPropagationTests
{
    /// <summary>Long enough for whole vectors of any width and a scalar tail.</summary>
    private const int Length = 37;

    [TestMethod]
    public void ReluKeepsNaNInEveryLane()
    {
        var random = new Random(1);
        for (var at = 0; at < Length; at++)
        {
            var input = NanMasks.WithNaN(SparseTestData.RandomValues(Length, random), at);
            var output = new float[Length];
            Elementwise.Relu(input, output);
            NanMasks.AssertExactly(NanMasks.Of(input), output, $"Relu, NaN at {at}");

            Activation.Relu.Apply(input, input);
            NanMasks.AssertExactly(NanMasks.Of(output), input, $"Relu in place, NaN at {at}");
        }
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void AddWithReluKeepsNaNInEveryLane(bool inSecondOperand)
    {
        var random = new Random(2);
        for (var at = 0; at < Length; at++)
        {
            var a = SparseTestData.RandomValues(Length, random);
            var b = SparseTestData.RandomValues(Length, random);
            var nan = NanMasks.WithNaN(inSecondOperand ? b : a, at);
            var output = new float[Length];
            Elementwise.Add(inSecondOperand ? a : nan, inSecondOperand ? nan : b, relu: true, output);
            NanMasks.AssertExactly(NanMasks.Of(nan), output, $"Add + ReLU, NaN at {at}");
        }
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void GemmEpiloguesKeepNaN(bool inResidual)
    {
        // Three rows of C with a row stride wider than the columns the epilogue touches.
        const int rows = 3, ldc = 21, colStart = 2, panel = 16, partial = 13;
        var random = new Random(inResidual ? 4 : 3);
        for (var row = 0; row < rows; row++)
        {
            for (var col = 0; col < panel; col++)
            {
                var at = (row * ldc) + colStart + col;
                var c = SparseTestData.RandomValues(rows * ldc, random);
                var residual = SparseTestData.RandomValues(rows * ldc, random);
                var nan = NanMasks.WithNaN(inResidual ? residual : c, at);
                var (target, added) = inResidual ? (c, nan) : (nan, residual);
                var expected = NanMasks.Of(nan);

                var whole = (float[])target.Clone();
                fixed (float* pc = whole, pr = added)
                {
                    Epilogue.ApplyPanel(pc, pr, ldc, 0, rows, colStart, activation: true);
                }

                NanMasks.AssertExactly(expected, whole, $"panel epilogue, NaN at row {row}, column {col}");
                if (col < partial)
                {
                    var part = (float[])target.Clone();
                    fixed (float* pc = part, pr = added)
                    {
                        Epilogue.Apply(pc, pr, ldc, 0, rows, colStart, colStart + partial, activation: true);
                    }

                    NanMasks.AssertExactly(expected, part, $"partial-panel epilogue, NaN at row {row}, column {col}");
                }
            }
        }
    }

    public static IEnumerable<object[]> Convolutions =>
    [
        // 9x11 outputs: six whole 16-column GEMM panels and a partial one.
        ["3x3, padded", SparseTestData.Geometry(3, 9, 11, 5, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), false],
        ["1x1, B read in place", SparseTestData.Geometry(4, 6, 7, 6, 1, 1), false],
        ["3x3 at stride 2", SparseTestData.Geometry(3, 13, 13, 4, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), false],
        ["depthwise 3x3, direct", SparseTestData.Geometry(4, 8, 9, 4, 3, 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, group: 4), true],
        ["3x3 at stride 2, direct", SparseTestData.Geometry(2, 11, 12, 3, 3, 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1), true],
    ];

    [TestMethod]
    [DynamicData(nameof(Convolutions))]
    public void DenseConvolutionWithReluKeepsNaN(string name, ConvGeometry g, bool direct)
    {
        var path = direct ? ConvolutionPath.Direct : ConvolutionPath.Gemm;
        var random = new Random(name.Length);
        var inputLength = g.InChannels * g.InHeight * g.InWidth;
        var input = SparseTestData.RandomValues(inputLength, random);
        var weights = NonZero(SparseTestData.RandomValues(g.OutChannels * g.FilterLength, random));
        var bias = SparseTestData.RandomValues(g.OutChannels, random);
        var residual = SparseTestData.RandomValues(g.OutChannels * g.OutPixels, random);
        foreach (var level in SgemmTests.Levels())
        {
            // The first pixel, one in the middle of the last channel, the last one; then one residual value.
            foreach (var at in new[] { 0, inputLength - (g.InHeight * g.InWidth / 2) - 1, inputLength - 1 })
            {
                var nan = NanMasks.WithNaN(input, at);
                var output = Run(g, nan, weights, bias, residual, path, level);
                NanMasks.AssertExactly(NanMasks.Convolution(g, weights, NanMasks.Of(nan)), output, $"{name}, {level}, NaN at input {at}");
            }

            var nanResidual = NanMasks.WithNaN(residual, residual.Length / 3);
            NanMasks.AssertExactly(NanMasks.Of(nanResidual), Run(g, input, weights, bias, nanResidual, path, level), $"{name}, {level}, NaN in the residual");
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    [DataRow(5)]
    public void DenseFullyConnectedWithReluKeepsNaN(int batch)
    {
        // Up to three images run as dot products, more through the GEMM.
        const int inFeatures = 37, outFeatures = 19;
        var random = new Random(batch);
        var input = SparseTestData.RandomValues(batch * inFeatures, random);
        var weights = NonZero(SparseTestData.RandomValues(outFeatures * inFeatures, random));
        var bias = SparseTestData.RandomValues(outFeatures, random);
        foreach (var at in new[] { 0, inFeatures + 5, (batch * inFeatures) - 1 }.Where(i => i < input.Length))
        {
            var nan = NanMasks.WithNaN(input, at);
            var output = new float[batch * outFeatures];
            FullyConnected.Dense(batch, inFeatures, outFeatures, nan, weights, bias, relu: true, output, threads: 1);
            NanMasks.AssertExactly(NanMasks.FullyConnected(weights, outFeatures, inFeatures, NanMasks.Of(nan)), output, $"batch {batch}, NaN at input {at}");
        }
    }

    public static IEnumerable<object[]> Pools =>
    [
        ["3x3/2, padded: the even/odd split", new PoolGeometry(1, 2, 30, 30, 15, 15, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1)],
        ["2x2/2, short rows: sliding maximum", new PoolGeometry(1, 2, 12, 12, 6, 6, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0)],
        ["3x3/1 dilated 2, padded", new PoolGeometry(1, 2, 10, 21, 10, 21, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2)],
        ["rows too long for the row buffers: window by window", new PoolGeometry(1, 1, 3, 4200, 1, 2100, 3, 2, 1, 2, 1, 1, 0, 0, 0, 0)],
    ];

    [TestMethod]
    [DynamicData(nameof(Pools))]
    public void MaxPoolingKeepsNaN(string name, PoolGeometry g)
    {
        var random = new Random(name.Length);
        var planes = g.Channels * g.InHeight * g.InWidth;
        var input = SparseTestData.RandomValues(planes, random);
        foreach (var at in new[] { 0, g.InWidth + 1, (planes / 2) + (g.InWidth / 2), planes - 1 })
        {
            var nan = NanMasks.WithNaN(input, at);
            foreach (var threads in new[] { 1, 2 })
            {
                var output = new float[g.Channels * g.OutHeight * g.OutWidth];
                Pooling.Max(g, nan, output, threads);
                NanMasks.AssertExactly(WindowsReading(g, NanMasks.Of(nan)), output, $"{name}, NaN at {at}, {threads} threads");
            }
        }
    }

    private static float[] Run(in ConvGeometry g, float[] input, float[] weights, float[] bias, float[] residual, ConvolutionPath path, SimdLevel level)
    {
        var output = new float[g.OutChannels * g.OutPixels];
        ConvolutionKernel.Run(g, input, weights, bias, residual, activation: true, output, 1, path, level);
        return output;
    }

    /// <summary>Dense kernels multiply by every weight, so every weight must be a dependence: no zeros.</summary>
    private static float[] NonZero(float[] weights) => [.. weights.Select(w => w == 0f ? 0.5f : w)];

    /// <summary>Which pooling windows hold a NaN input.</summary>
    private static bool[] WindowsReading(in PoolGeometry g, bool[] nanInput)
    {
        var output = new bool[g.Channels * g.OutHeight * g.OutWidth];
        for (var c = 0; c < g.Channels; c++)
        {
            for (var oy = 0; oy < g.OutHeight; oy++)
            {
                for (var ox = 0; ox < g.OutWidth; ox++)
                {
                    for (var kh = 0; kh < g.KernelHeight; kh++)
                    {
                        for (var kw = 0; kw < g.KernelWidth; kw++)
                        {
                            var iy = (oy * g.StrideH) + (kh * g.DilationH) - g.PadTop;
                            var ix = (ox * g.StrideW) + (kw * g.DilationW) - g.PadLeft;
                            if (iy >= 0 && iy < g.InHeight && ix >= 0 && ix < g.InWidth && nanInput[(((c * g.InHeight) + iy) * g.InWidth) + ix])
                            {
                                output[(((c * g.OutHeight) + oy) * g.OutWidth) + ox] = true;
                            }
                        }
                    }
                }
            }
        }

        return output;
    }
}
