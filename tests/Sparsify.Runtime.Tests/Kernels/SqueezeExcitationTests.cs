using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Tests.Sparse;

namespace Sparsify.Runtime.Tests.Kernels;

/// <summary>The squeeze-and-excitation step against the four steps it replaces, computed naively.</summary>
[TestClass]
public sealed class SqueezeExcitationTests
{
    public static IEnumerable<object[]> Cases =>
    [
        // channels, pixels, squeezed, threads: a small block on the caller, and one large enough to run its passes in parallel.
        [16, 25, 4, 1],
        [96, 49, 24, 2],
        [32, 112 * 112, 8, 2],
    ];

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void MatchesPoolConvolutionsGateAndMul(int channels, int pixels, int squeezed, int threads)
    {
        var random = new Random(channels + pixels);
        var x = SparseTestData.RandomValues(channels * pixels, random);
        var w1 = SparseTestData.RandomValues(squeezed * channels, random);
        var b1 = SparseTestData.RandomValues(squeezed, random);
        var w2 = SparseTestData.RandomValues(channels * squeezed, random);
        var b2 = SparseTestData.RandomValues(channels, random);
        var block = new SqueezeExcitation(channels, pixels, w1, b1, Activation.Swish, w2, b2, Activation.HardSigmoid(1f / 6, 0.5f));
        var y = new float[x.Length];

        block.Run(x, y, threads);

        var expected = Naive(x, channels, pixels, squeezed, w1, b1, w2, b2);
        for (var i = 0; i < y.Length; i++)
        {
            Assert.AreEqual(expected[i], y[i], 1e-5 * (1 + Math.Abs(expected[i])), $"value {i}");
        }
    }

    [TestMethod]
    public void IsBitwiseTheSameForAnyThreadCountAndAllocatesNothing()
    {
        var random = new Random(5);
        const int channels = 64, pixels = 28 * 28, squeezed = 16;
        var x = SparseTestData.RandomValues(channels * pixels, random);
        var block = new SqueezeExcitation(channels, pixels, SparseTestData.RandomValues(squeezed * channels, random), null, Activation.Relu, SparseTestData.RandomValues(channels * squeezed, random), null, Activation.Sigmoid);
        var one = new float[x.Length];
        var two = new float[x.Length];

        block.Run(x, one, 1);
        block.Run(x, two, 2);
        CollectionAssert.AreEqual(one, two);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5; i++)
        {
            block.Run(x, two, 2);
        }

        Assert.AreEqual(0L, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [TestMethod]
    public void WeightsOrTensorsOfTheWrongLengthAreRefused()
    {
        var w = new float[8 * 2];
        Assert.ThrowsExactly<ArgumentException>(() => new SqueezeExcitation(8, 4, new float[15], null, Activation.Relu, w, null, Activation.Sigmoid));
        Assert.ThrowsExactly<ArgumentException>(() => new SqueezeExcitation(8, 4, w, null, Activation.Relu, new float[8 * 3], null, Activation.Sigmoid));
        Assert.ThrowsExactly<ArgumentException>(() => new SqueezeExcitation(8, 4, w, new float[3], Activation.Relu, w, null, Activation.Sigmoid));
        var block = new SqueezeExcitation(8, 4, w, null, Activation.Relu, w, new float[8], Activation.Sigmoid);
        Assert.ThrowsExactly<ArgumentException>(() => block.Run(new float[32], new float[31], 1));
    }

    private static float[] Naive(float[] x, int channels, int pixels, int squeezed, float[] w1, float[] b1, float[] w2, float[] b2)
    {
        var means = new double[channels];
        for (var c = 0; c < channels; c++)
        {
            for (var p = 0; p < pixels; p++)
            {
                means[c] += x[(c * pixels) + p];
            }

            means[c] /= pixels;
        }

        var hidden = new double[squeezed];
        for (var s = 0; s < squeezed; s++)
        {
            var v = (double)b1[s];
            for (var c = 0; c < channels; c++)
            {
                v += w1[(s * channels) + c] * means[c];
            }

            hidden[s] = v / (1 + Math.Exp(-v));
        }

        var y = new float[x.Length];
        for (var c = 0; c < channels; c++)
        {
            var v = (double)b2[c];
            for (var s = 0; s < squeezed; s++)
            {
                v += w2[(c * squeezed) + s] * hidden[s];
            }

            var factor = Math.Clamp((v / 6) + 0.5, 0, 1);
            for (var p = 0; p < pixels; p++)
            {
                y[(c * pixels) + p] = (float)(x[(c * pixels) + p] * factor);
            }
        }

        return y;
    }
}
