using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Kernels;

/// <summary>The public span-based kernels that generated model code calls, against naive loops.</summary>
[TestClass]
public sealed class PublicKernelApiTests
{
    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    private static float[] NaiveConvolution(in ConvGeometry g, float[] input, float[] weights, float[] bias, float[] residual, bool relu)
    {
        var output = new float[g.Batch * g.OutChannels * g.OutPixels];
        for (var b = 0; b < g.Batch; b++)
        {
            for (var oc = 0; oc < g.OutChannels; oc++)
            {
                var grp = oc / g.OutChannelsPerGroup;
                for (var oh = 0; oh < g.OutHeight; oh++)
                {
                    for (var ow = 0; ow < g.OutWidth; ow++)
                    {
                        double sum = bias.Length == 0 ? 0 : bias[oc];
                        for (var icg = 0; icg < g.InChannelsPerGroup; icg++)
                        {
                            var ic = (grp * g.InChannelsPerGroup) + icg;
                            for (var kh = 0; kh < g.KernelHeight; kh++)
                            {
                                for (var kw = 0; kw < g.KernelWidth; kw++)
                                {
                                    var ih = (oh * g.StrideH) - g.PadTop + (kh * g.DilationH);
                                    var iw = (ow * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                                    if (ih >= 0 && ih < g.InHeight && iw >= 0 && iw < g.InWidth)
                                    {
                                        var w = weights[(oc * g.FilterLength) + (((icg * g.KernelHeight) + kh) * g.KernelWidth) + kw];
                                        sum += w * input[(((b * g.InChannels) + ic) * g.InHeight * g.InWidth) + (ih * g.InWidth) + iw];
                                    }
                                }
                            }
                        }

                        var at = (((b * g.OutChannels) + oc) * g.OutPixels) + (oh * g.OutWidth) + ow;
                        if (residual.Length != 0)
                        {
                            sum += residual[at];
                        }

                        output[at] = relu ? Math.Max((float)sum, 0f) : (float)sum;
                    }
                }
            }
        }

        return output;
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance = 1e-4f)
    {
        Assert.AreEqual(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], tolerance, $"at {i}");
        }
    }

    public static IEnumerable<object[]> Geometries =>
    [
        // GEMM path: 3x3, stride 1, pad 1.
        [new ConvGeometry(2, 5, 9, 11, 13, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1)],

        // GEMM path, stride 2, asymmetric extent.
        [new ConvGeometry(1, 4, 12, 10, 8, 6, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1)],

        // Pointwise.
        [new ConvGeometry(1, 16, 7, 7, 20, 7, 7, 1, 1, 1, 1, 1, 1, 0, 0, 1)],

        // Depthwise: the direct path.
        [new ConvGeometry(2, 6, 8, 8, 6, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 6)],
    ];

    [TestMethod]
    [DynamicData(nameof(Geometries))]
    public void ConvolutionDense_BiasResidualRelu_MatchesNaiveLoop(ConvGeometry g)
    {
        var input = Random(g.Batch * g.InChannels * g.InHeight * g.InWidth, 1);
        var weights = Random(g.OutChannels * g.FilterLength, 2);
        var bias = Random(g.OutChannels, 3);
        var residual = Random(g.Batch * g.OutChannels * g.OutPixels, 4);
        var output = new float[residual.Length];

        Convolution.Dense(g, input, weights, bias, residual, activation: true, output, threads: 1);

        AssertClose(NaiveConvolution(g, input, weights, bias, residual, relu: true), output);
        Assert.IsTrue(output.All(v => v >= 0f));
        Assert.IsTrue(output.Any(v => v > 0f));
    }

    [TestMethod]
    [DynamicData(nameof(Geometries))]
    public void ConvolutionDense_NoBiasNoResidual_MatchesNaiveLoop(ConvGeometry g)
    {
        var input = Random(g.Batch * g.InChannels * g.InHeight * g.InWidth, 5);
        var weights = Random(g.OutChannels * g.FilterLength, 6);
        var output = new float[g.Batch * g.OutChannels * g.OutPixels];

        Convolution.Dense(g, input, weights, [], [], activation: false, output, threads: 1);

        AssertClose(NaiveConvolution(g, input, weights, [], [], relu: false), output);
        Assert.IsTrue(output.Any(v => v < 0f));
    }

    [TestMethod]
    [DynamicData(nameof(Geometries))]
    public void ConvolutionDense_IsBitwiseTheSameForAnyThreadCount(ConvGeometry g)
    {
        var input = Random(g.Batch * g.InChannels * g.InHeight * g.InWidth, 7);
        var weights = Random(g.OutChannels * g.FilterLength, 8);
        var bias = Random(g.OutChannels, 9);
        var residual = Random(g.Batch * g.OutChannels * g.OutPixels, 10);
        var one = new float[residual.Length];
        var many = new float[residual.Length];

        Convolution.Dense(g, input, weights, bias, residual, activation: true, one, threads: 1);
        Convolution.Dense(g, input, weights, bias, residual, activation: true, many, threads: 4);

        CollectionAssert.AreEqual(one, many);
    }

    [TestMethod]
    public void ConvolutionDense_ResidualOfTheWrongLength_Throws()
    {
        var g = new ConvGeometry(1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1);
        Assert.ThrowsExactly<ArgumentException>(() => Convolution.Dense(g, new float[9], new float[1], [], new float[8], false, new float[9], 1));
    }

    [TestMethod]
    public void FullyConnectedDense_Relu_MatchesNaiveLoop()
    {
        foreach (var batch in new[] { 1, 5 })
        {
            const int inFeatures = 37, outFeatures = 19;
            var input = Random(batch * inFeatures, 11);
            var weights = Random(outFeatures * inFeatures, 12);
            var bias = Random(outFeatures, 13);
            var output = new float[batch * outFeatures];

            FullyConnected.Dense(batch, inFeatures, outFeatures, input, weights, bias, relu: true, output, threads: 2);

            var expected = new float[output.Length];
            for (var b = 0; b < batch; b++)
            {
                for (var o = 0; o < outFeatures; o++)
                {
                    double sum = bias[o];
                    for (var i = 0; i < inFeatures; i++)
                    {
                        sum += weights[(o * inFeatures) + i] * input[(b * inFeatures) + i];
                    }

                    expected[(b * outFeatures) + o] = Math.Max((float)sum, 0f);
                }
            }

            AssertClose(expected, output);
            Assert.IsTrue(output.Contains(0f));
        }
    }
}
