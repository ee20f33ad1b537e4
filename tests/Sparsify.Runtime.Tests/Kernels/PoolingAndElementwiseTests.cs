using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Kernels;

[TestClass]
public sealed class PoolingAndElementwiseTests
{
    // One 4x4 plane: 1..16 row by row.
    private static readonly float[] Plane = [.. Enumerable.Range(1, 16).Select(v => (float)v)];

    [TestMethod]
    public void Max_TwoByTwoStrideTwo_TakesEachWindowsMaximum()
    {
        var g = new PoolGeometry(1, 1, 4, 4, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0);
        var output = new float[4];

        Pooling.Max(g, Plane, output, threads: 2);

        CollectionAssert.AreEqual(new[] { 6f, 8f, 14f, 16f }, output);
    }

    [TestMethod]
    public void Average_WithPadding_CountsPaddingOnlyWhenAsked()
    {
        // 3x3 windows, stride 2, pad 1 on every side: 2x2 outputs; the first window holds 1, 2, 5, 6.
        var g = new PoolGeometry(1, 1, 4, 4, 2, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);
        var excluding = new float[4];
        var including = new float[4];

        Pooling.Average(g, countIncludePad: false, Plane, excluding, threads: 1);
        Pooling.Average(g, countIncludePad: true, Plane, including, threads: 1);

        Assert.AreEqual(14f / 4, excluding[0]);
        Assert.AreEqual(14f / 9, including[0]);

        // The last window covers rows and columns 1..3 of the input: nine real values either way.
        var last = (6f + 7 + 8 + 10 + 11 + 12 + 14 + 15 + 16) / 9;
        Assert.AreEqual(last, excluding[3], 1e-6f);
        Assert.AreEqual(last, including[3], 1e-6f);
    }

    [TestMethod]
    public void GlobalAverage_AveragesEachPlane()
    {
        var input = Plane.Concat(Plane.Select(v => -v)).ToArray();
        var output = new float[2];

        Pooling.GlobalAverage(1, 2, 16, input, output);

        CollectionAssert.AreEqual(new[] { 8.5f, -8.5f }, output);
    }

    [TestMethod]
    public void Softmax_AlongTheMiddleDimension_SumsToOnePerColumn()
    {
        // [outer 2, axis 3, inner 2].
        float[] input = [1, -1, 2, 0, 3, 1, 0, 0, 0, 0, 0, 0];
        var output = new float[input.Length];

        Elementwise.Softmax(input, 2, 3, 2, output);

        var e = new[] { MathF.Exp(1 - 3), MathF.Exp(2 - 3), MathF.Exp(0) };
        var sum = e.Sum();
        Assert.AreEqual(e[0] / sum, output[0], 1e-6f);
        Assert.AreEqual(e[1] / sum, output[2], 1e-6f);
        Assert.AreEqual(e[2] / sum, output[4], 1e-6f);
        Assert.AreEqual(1f / 3, output[7], 1e-6f);
    }

    [TestMethod]
    public void AddAndRelu_TreatSignsAndNaNAsMathMaxDoes()
    {
        float[] a = [1, -2, 3, -4, 5, -6, 7, -8, 9, float.NaN, -0f];
        var b = new float[a.Length];
        var output = new float[a.Length];

        Elementwise.Add(a, b, relu: true, output);

        CollectionAssert.AreEqual(a.Select(v => Math.Max(v, 0f)).ToArray(), output);
        Assert.AreEqual(0, BitConverter.SingleToInt32Bits(output[^1]), "-0 becomes +0");
        Assert.IsTrue(float.IsNaN(output[9]));
    }

    [TestMethod]
    public void CopyBlock_PlacesEachRowAtTheOffset()
    {
        float[] input = [1, 2, 3, 4];
        var output = new float[2 * 5];

        Elementwise.CopyBlock(input, outer: 2, inner: 2, output, outputInner: 5, offset: 3);

        CollectionAssert.AreEqual(new float[] { 0, 0, 0, 1, 2, 0, 0, 0, 3, 4 }, output);
    }

    [TestMethod]
    public void ChannelAffine_ScalesAndShiftsEachChannelOfEachImage()
    {
        // Two images of 2 channels of 2 values.
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8];
        var y = new float[8];

        Elementwise.ChannelAffine(x, [2f, -1f], [0.5f, 10f], 2, y);

        CollectionAssert.AreEqual(new[] { 2.5f, 4.5f, 7f, 6f, 10.5f, 12.5f, 3f, 2f }, y);
        Assert.ThrowsExactly<ArgumentException>(() => Elementwise.ChannelAffine(x, [1f, 1f, 1f], [0f, 0f, 0f], 2, y));
    }

    [TestMethod]
    public void Slice_CopiesTheRangeOfTheAxisFromEveryOuterRow()
    {
        // [outer 2, axis 3, inner 2]: keep axis indices 1 and 2.
        float[] x = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15];
        var y = new float[8];

        DataMovement.Slice(x, 2, 3, 2, 1, 3, y);

        CollectionAssert.AreEqual(new[] { 2f, 3f, 4f, 5f, 12f, 13f, 14f, 15f }, y);
        Assert.ThrowsExactly<ArgumentException>(() => DataMovement.Slice(x, 2, 3, 2, 2, 2, y));
        Assert.ThrowsExactly<ArgumentException>(() => DataMovement.Slice(x, 2, 3, 2, 1, 4, y));
    }

    [TestMethod]
    public void ChannelShuffle_InterleavesTheGroups()
    {
        // 6 channels of one value in 2 groups: [0 1 2 | 3 4 5] → 0 3 1 4 2 5; in 3 groups: [0 1 | 2 3 | 4 5] → 0 2 4 1 3 5.
        float[] x = [0, 1, 2, 3, 4, 5];
        var y = new float[6];

        DataMovement.ChannelShuffle(x, 1, 6, 1, 2, y);
        CollectionAssert.AreEqual(new[] { 0f, 3f, 1f, 4f, 2f, 5f }, y);
        DataMovement.ChannelShuffle(x, 1, 6, 1, 3, y);
        CollectionAssert.AreEqual(new[] { 0f, 2f, 4f, 1f, 3f, 5f }, y);
        Assert.ThrowsExactly<ArgumentException>(() => DataMovement.ChannelShuffle(x, 1, 6, 1, 4, y));
    }

    [TestMethod]
    public void Gelu_IsXTimesTheNormalCdfWithinTheErfBound()
    {
        // Φ(1) = 0.8413447460685429, Φ(-2) = 0.022750131948179, Φ(0.5) = 0.6914624612740131.
        float[] x = [0f, 1f, -2f, 0.5f, 30f, -30f, float.NaN];
        var y = new float[x.Length];

        Elementwise.Gelu(x, y);

        double[] expected = [0, 0.8413447460685429, -2 * 0.022750131948179, 0.5 * 0.6914624612740131, 30, 0];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], y[i], 2e-7 * Math.Max(1, Math.Abs(x[i])), $"gelu({x[i]})");
        }

        Assert.IsTrue(float.IsNaN(y[^1]));
        Assert.AreEqual(-Elementwise.Erf(0.3), Elementwise.Erf(-0.3));
    }

    [TestMethod]
    public void ChannelLayerNorm_NormalisesEachPositionOverTheChannels()
    {
        // 3 channels of 2 positions: position 0 holds 1, 2, 3 (variance 2/3); position 1 holds 4, 4, 4
        // (variance 0, so epsilon alone keeps it finite).
        float[] x = [1, 4, 2, 4, 3, 4];
        var y = new float[6];

        Normalization.ChannelLayerNorm(1, 3, 2, 0.25f, [1f, 2f, 1f], [0f, 0f, 5f], x, y);

        var d = Math.Sqrt((2.0 / 3) + 0.25);
        CollectionAssert.AreEqual(new[] { (float)(-1 / d), 0f, 0f, 0f, (float)((1 / d) + 5), 5f }, y);
    }

    [TestMethod]
    public void FunctionsOfOneValue_MatchTheirMathAndTheDispatchNamesEachOne()
    {
        float[] x = [-2f, -0.5f, 0f, 0.75f, 3f];
        var y = new float[x.Length];

        Elementwise.LeakyRelu(x, 0.1f, y);
        CollectionAssert.AreEqual(new[] { -0.2f, -0.05f, 0f, 0.75f, 3f }, y);
        foreach (var (function, f) in new (string, Func<float, float>)[] { ("Tanh", MathF.Tanh), ("Exp", MathF.Exp), ("Neg", v => -v), ("Sqrt", MathF.Sqrt) })
        {
            Elementwise.Unary(function, x, y);
            CollectionAssert.AreEqual(x.Select(f).ToArray(), y, function);
        }

        Elementwise.Unary("Erf", x, y);
        Assert.AreEqual(-0.9953222650189527, y[0], 2e-7);
        Assert.AreEqual(0.7111556336535151, y[3], 2e-7);
        Assert.ThrowsExactly<ArgumentException>(() => Elementwise.Unary("Cosh", x, y));
    }

    [TestMethod]
    public void Pad_ReflectsRepeatsOrFillsTheBorder()
    {
        // One 1x3 plane [1 2 3], two columns added on the left and one on the right.
        float[] x = [1, 2, 3];
        var y = new float[6];
        var pads = new Padding2D(0, 2, 0, 1);

        DataMovement.Pad(x, 1, 1, 3, pads, "reflect", 0, y);
        CollectionAssert.AreEqual(new[] { 3f, 2f, 1f, 2f, 3f, 2f }, y);
        DataMovement.Pad(x, 1, 1, 3, pads, "edge", 0, y);
        CollectionAssert.AreEqual(new[] { 1f, 1f, 1f, 2f, 3f, 3f }, y);
        DataMovement.Pad(x, 1, 1, 3, pads, "constant", -1, y);
        CollectionAssert.AreEqual(new[] { -1f, -1f, 1f, 2f, 3f, -1f }, y);
        Assert.ThrowsExactly<ArgumentException>(() => DataMovement.Pad(x, 1, 1, 3, new Padding2D(0, 3, 0, 0), "reflect", 0, new float[6]));
        Assert.ThrowsExactly<ArgumentException>(() => DataMovement.Pad(x, 1, 1, 3, pads, "wrap", 0, y));
    }

    [TestMethod]
    public void Reduce_SumsOrAveragesTheMiddleDimension()
    {
        // [outer 2, length 3, inner 2].
        float[] x = [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60];
        var y = new float[4];

        Elementwise.Reduce(x, 2, 3, 2, mean: false, y);
        CollectionAssert.AreEqual(new[] { 9f, 12f, 90f, 120f }, y);
        Elementwise.Reduce(x, 2, 3, 2, mean: true, y);
        CollectionAssert.AreEqual(new[] { 3f, 4f, 30f, 40f }, y);
        Assert.ThrowsExactly<ArgumentException>(() => Elementwise.Reduce(x, 2, 3, 2, true, new float[3]));
    }
}
