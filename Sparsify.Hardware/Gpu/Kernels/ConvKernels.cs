using ILGPU;

namespace Sparsify.Hardware.Gpu.Kernels;

/// <summary>
/// Convolution kernels (NCHW): dense direct, CSR sparse (one thread per output value) and the
/// locality scheme's group format (one thread per output pixel and group of G output channels: one
/// input load feeds up to <see cref="Lanes"/> accumulators, as the PE array broadcasts it).
/// </summary>
/// <remarks>
/// Sparse kernels read each kept column through two precomputed tables: <c>offsets</c>, the column's
/// distance in the input from the window's top-left corner (ic·H·W + kh·dh·W + kw·dw), and <c>taps</c>,
/// (kh·dh) &lt;&lt; 16 | kw·dw, which bounds-checks padding without dividing by the kernel size.
/// </remarks>
internal static class ConvKernels
{
    /// <summary>Accumulators one group-format thread keeps in registers.</summary>
    public const int Lanes = 8;

    /// <summary>Thread per (image, output channel, pixel).</summary>
    public static void Dense(
        Index1D index, ArrayView<float> input, ArrayView<float> weights, ArrayView<float> bias, ArrayView<float> residual,
        ArrayView<float> output, ConvShape s, Epilogue epilogue)
    {
        var pixels = s.OutPixels;
        var p = index.X % pixels;
        var rest = index.X / pixels;
        var oc = rest % s.OutChannels;
        var n = rest / s.OutChannels;
        var h0 = (p / s.OutWidth * s.StrideH) - s.PadTop;
        var w0 = (p % s.OutWidth * s.StrideW) - s.PadLeft;
        var firstChannel = oc / s.OutChannelsPerGroup * s.InChannelsPerGroup;
        long weight = (long)oc * s.Columns;
        var acc = 0f;
        for (var ic = 0; ic < s.InChannelsPerGroup; ic++)
        {
            long plane = (((long)n * s.InChannels) + firstChannel + ic) * s.InPixels;
            for (var kh = 0; kh < s.KernelH; kh++)
            {
                var ih = h0 + (kh * s.DilationH);
                if (ih < 0 || ih >= s.InHeight)
                {
                    weight += s.KernelW;
                    continue;
                }

                for (var kw = 0; kw < s.KernelW; kw++, weight++)
                {
                    var iw = w0 + (kw * s.DilationW);
                    if (iw >= 0 && iw < s.InWidth)
                    {
                        acc += weights[weight] * input[plane + (ih * s.InWidth) + iw];
                    }
                }
            }
        }

        long at = (((long)n * s.OutChannels) + oc) * pixels + p;
        output[at] = epilogue.Apply(acc, bias, residual, oc, at);
    }

    /// <summary>Thread per (image, output channel, pixel), walking the channel's CSR row.</summary>
    public static void Csr(
        Index1D index, ArrayView<float> input, ArrayView<int> rowPointers, ArrayView<int> offsets, ArrayView<int> taps, ArrayView<float> values,
        ArrayView<float> bias, ArrayView<float> residual, ArrayView<float> output, ConvShape s, Epilogue epilogue)
    {
        var pixels = s.OutPixels;
        var p = index.X % pixels;
        var rest = index.X / pixels;
        var oc = rest % s.OutChannels;
        var n = rest / s.OutChannels;
        var h0 = (p / s.OutWidth * s.StrideH) - s.PadTop;
        var w0 = (p % s.OutWidth * s.StrideW) - s.PadLeft;
        long corner = ((((long)n * s.InChannels) + (oc / s.OutChannelsPerGroup * s.InChannelsPerGroup)) * s.InPixels) + (h0 * s.InWidth) + w0;
        var acc = 0f;
        for (var e = rowPointers[oc]; e < rowPointers[oc + 1]; e++)
        {
            var tap = taps[e];
            var ih = h0 + (tap >> 16);
            var iw = w0 + (tap & 0xFFFF);
            if (ih >= 0 && ih < s.InHeight && iw >= 0 && iw < s.InWidth)
            {
                acc += values[e] * input[corner + offsets[e]];
            }
        }

        long at = (((long)n * s.OutChannels) + oc) * pixels + p;
        output[at] = epilogue.Apply(acc, bias, residual, oc, at);
    }

    /// <summary>
    /// Thread per (image, group, block of <see cref="Lanes"/> rows, pixel). Group g's entries are
    /// [groupPointers[g], groupPointers[g+1]); entry e's h values (h = the group's height) start at
    /// valuePointers[g] + (e - groupPointers[g])·h. A group never straddles two convolution groups.
    /// </summary>
    public static void Group(
        Index1D index, ArrayView<float> input, ArrayView<int> groupPointers, ArrayView<int> valuePointers, ArrayView<int> offsets, ArrayView<int> taps,
        ArrayView<float> values, ArrayView<float> bias, ArrayView<float> residual, ArrayView<float> output, ConvShape s, SparseShape m, Epilogue epilogue)
    {
        var pixels = s.OutPixels;
        var p = index.X % pixels;
        var rest = index.X / pixels;
        var block = rest % m.LaneBlocks;
        rest /= m.LaneBlocks;
        var groups = (m.Rows + m.GroupSize - 1) / m.GroupSize;
        var g = rest % groups;
        var n = rest / groups;
        var firstRow = g * m.GroupSize;
        var height = IntrinsicMath.Min(m.GroupSize, m.Rows - firstRow);
        var lane0 = block * Lanes;
        var count = IntrinsicMath.Min(Lanes, height - lane0);
        if (count <= 0)
        {
            return;
        }

        var h0 = (p / s.OutWidth * s.StrideH) - s.PadTop;
        var w0 = (p % s.OutWidth * s.StrideW) - s.PadLeft;
        long corner = ((((long)n * s.InChannels) + (firstRow / s.OutChannelsPerGroup * s.InChannelsPerGroup)) * s.InPixels) + (h0 * s.InWidth) + w0;
        float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f, a4 = 0f, a5 = 0f, a6 = 0f, a7 = 0f;
        var first = groupPointers[g];
        for (var e = first; e < groupPointers[g + 1]; e++)
        {
            var tap = taps[e];
            var ih = h0 + (tap >> 16);
            var iw = w0 + (tap & 0xFFFF);
            if (ih < 0 || ih >= s.InHeight || iw < 0 || iw >= s.InWidth)
            {
                continue;
            }

            var x = input[corner + offsets[e]];
            long v = valuePointers[g] + ((long)(e - first) * height) + lane0;
            Accumulate(values, v, x, count, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
        }

        long at = ((((long)n * s.OutChannels) + firstRow + lane0) * pixels) + p;
        var row = firstRow + lane0;
        Store(output, bias, residual, epilogue, at, pixels, row, count, a0, a1, a2, a3, a4, a5, a6, a7);
    }

    /// <summary>Adds values[v + k]·x to accumulator k for k &lt; count: one input value, up to eight MACs.</summary>
    public static void Accumulate(
        ArrayView<float> values, long v, float x, int count,
        ref float a0, ref float a1, ref float a2, ref float a3, ref float a4, ref float a5, ref float a6, ref float a7)
    {
        a0 += values[v] * x;
        if (count > 1) { a1 += values[v + 1] * x; }
        if (count > 2) { a2 += values[v + 2] * x; }
        if (count > 3) { a3 += values[v + 3] * x; }
        if (count > 4) { a4 += values[v + 4] * x; }
        if (count > 5) { a5 += values[v + 5] * x; }
        if (count > 6) { a6 += values[v + 6] * x; }
        if (count > 7) { a7 += values[v + 7] * x; }
    }

    /// <summary>Writes accumulator k, with the epilogue of row <paramref name="row"/> + k, at <paramref name="at"/> + k·<paramref name="stride"/>.</summary>
    public static void Store(
        ArrayView<float> output, ArrayView<float> bias, ArrayView<float> residual, Epilogue epilogue, long at, long stride, int row, int count,
        float a0, float a1, float a2, float a3, float a4, float a5, float a6, float a7)
    {
        output[at] = epilogue.Apply(a0, bias, residual, row, at);
        if (count > 1) { output[at + stride] = epilogue.Apply(a1, bias, residual, row + 1, at + stride); }
        if (count > 2) { output[at + (2 * stride)] = epilogue.Apply(a2, bias, residual, row + 2, at + (2 * stride)); }
        if (count > 3) { output[at + (3 * stride)] = epilogue.Apply(a3, bias, residual, row + 3, at + (3 * stride)); }
        if (count > 4) { output[at + (4 * stride)] = epilogue.Apply(a4, bias, residual, row + 4, at + (4 * stride)); }
        if (count > 5) { output[at + (5 * stride)] = epilogue.Apply(a5, bias, residual, row + 5, at + (5 * stride)); }
        if (count > 6) { output[at + (6 * stride)] = epilogue.Apply(a6, bias, residual, row + 6, at + (6 * stride)); }
        if (count > 7) { output[at + (7 * stride)] = epilogue.Apply(a7, bias, residual, row + 7, at + (7 * stride)); }
    }
}
