using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests;

/// <summary>
/// Where a NaN in a kernel's input must show in its output: in every output whose sum reads it through a
/// stored weight or adds it as a residual, and nowhere else. ReLU and max keep a NaN (as ONNX Runtime does).
/// </summary>
/// <remarks>
/// A zero weight stands for a pruned one: sparse kernels never multiply by it, so 0 · NaN is no dependence.
/// Dense kernels do multiply, so their tests use weights without zeros.
/// </remarks>
internal static class NanMasks
{
    /// <summary>A copy of <paramref name="values"/> with NaN at <paramref name="at"/>.</summary>
    public static float[] WithNaN(float[] values, params int[] at)
    {
        var copy = (float[])values.Clone();
        foreach (var i in at)
        {
            copy[i] = float.NaN;
        }

        return copy;
    }

    /// <summary>Which of <paramref name="values"/> are NaN.</summary>
    public static bool[] Of(float[] values) => [.. values.Select(float.IsNaN)];

    /// <summary>Element-wise or (<paramref name="b"/> null: <paramref name="a"/>).</summary>
    public static bool[] Or(bool[] a, bool[]? b) => b is null ? a : [.. a.Zip(b, (x, y) => x || y)];

    /// <summary>The outputs of a convolution (NCHW, every image) that read a NaN input through a nonzero weight.</summary>
    public static bool[] Convolution(in ConvGeometry g, float[] weights, bool[] nanInput)
    {
        var output = new bool[g.Batch * g.OutChannels * g.OutPixels];
        for (var b = 0; b < g.Batch; b++)
        {
            for (var oc = 0; oc < g.OutChannels; oc++)
            {
                var convGroup = oc / g.OutChannelsPerGroup;
                for (var oy = 0; oy < g.OutHeight; oy++)
                {
                    for (var ox = 0; ox < g.OutWidth; ox++)
                    {
                        output[(((b * g.OutChannels) + oc) * g.OutPixels) + (oy * g.OutWidth) + ox] = Reads(g, weights, nanInput, b, oc, convGroup, oy, ox);
                    }
                }
            }
        }

        return output;
    }

    /// <summary>The outputs of output = weights · input (rows × columns, one input vector per image) that read a NaN input through a nonzero weight.</summary>
    public static bool[] FullyConnected(float[] weights, int rows, int columns, bool[] nanInput)
    {
        var batch = nanInput.Length / columns;
        var output = new bool[batch * rows];
        for (var b = 0; b < batch; b++)
        {
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                {
                    output[(b * rows) + r] |= nanInput[(b * columns) + c] && weights[(r * columns) + c] != 0f;
                }
            }
        }

        return output;
    }

    /// <summary>The columns of a rows × columns matrix that some row stores a nonzero weight for.</summary>
    public static int[] UsedColumns(float[] weights, int rows, int columns)
        => [.. Enumerable.Range(0, columns).Where(c => Enumerable.Range(0, rows).Any(r => weights[(r * columns) + c] != 0f))];

    /// <summary>
    /// Each of <paramref name="candidates"/>, or the first position after it (wrapping around) where a NaN
    /// reaches some output: with sparse weights a position may be read by none.
    /// </summary>
    public static int[] Reaching(int[] candidates, int length, Func<int, bool> reachesAnOutput)
        => [.. candidates.Select(c => Enumerable.Range(0, length).Select(i => (c + i) % length).First(reachesAnOutput))];

    /// <summary>Fails unless <paramref name="actual"/> is NaN exactly where <paramref name="expected"/> says (and somewhere at all).</summary>
    public static void AssertExactly(bool[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        Assert.Contains(true, expected, $"{what}: no output depends on a NaN, so the check would prove nothing");
        for (var i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(actual[i]) != expected[i])
            {
                Assert.Fail($"{what}: output {i} is {actual[i]}, but {(expected[i] ? "it depends on a NaN" : "no NaN reaches it")} ({expected.Count(x => x)} outputs should be NaN, {actual.Count(float.IsNaN)} are)");
            }
        }
    }

    private static bool Reads(in ConvGeometry g, float[] weights, bool[] nanInput, int b, int oc, int convGroup, int oy, int ox)
    {
        for (var c = 0; c < g.InChannelsPerGroup; c++)
        {
            var ic = (convGroup * g.InChannelsPerGroup) + c;
            for (var kh = 0; kh < g.KernelHeight; kh++)
            {
                var iy = (oy * g.StrideH) + (kh * g.DilationH) - g.PadTop;
                for (var kw = 0; kw < g.KernelWidth; kw++)
                {
                    var ix = (ox * g.StrideW) + (kw * g.DilationW) - g.PadLeft;
                    if (iy < 0 || iy >= g.InHeight || ix < 0 || ix >= g.InWidth)
                    {
                        continue;
                    }

                    var w = weights[(((((oc * g.InChannelsPerGroup) + c) * g.KernelHeight) + kh) * g.KernelWidth) + kw];
                    if (w != 0f && nanInput[(((((b * g.InChannels) + ic) * g.InHeight) + iy) * g.InWidth) + ix])
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
