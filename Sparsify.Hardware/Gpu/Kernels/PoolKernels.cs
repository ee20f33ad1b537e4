using ILGPU;

namespace Sparsify.Hardware.Gpu.Kernels;

/// <summary>What a pooling kernel needs (NCHW); bottom and right padding matter only to count_include_pad.</summary>
internal struct PoolShape
{
    public int Planes;
    public int InHeight;
    public int InWidth;
    public int OutHeight;
    public int OutWidth;
    public int KernelH;
    public int KernelW;
    public int StrideH;
    public int StrideW;
    public int DilationH;
    public int DilationW;
    public int PadTop;
    public int PadLeft;
    public int PadBottom;
    public int PadRight;
    public int IsMax;
    public int CountIncludePad;
}

/// <summary>Max, average and global average pooling with the reference executor's semantics.</summary>
internal static class PoolKernels
{
    /// <summary>
    /// Thread per output value. Positions outside the input are skipped; the average divides by the
    /// positions inside the input, or with count_include_pad by the window clipped to the padded
    /// input (a ceil-mode window hanging past the padding does not count its overhang).
    /// </summary>
    public static void Pool(Index1D index, ArrayView<float> input, ArrayView<float> output, PoolShape s)
    {
        var outPixels = s.OutHeight * s.OutWidth;
        var plane = index.X / outPixels;
        var p = index.X % outPixels;
        var h0 = (p / s.OutWidth * s.StrideH) - s.PadTop;
        var w0 = (p % s.OutWidth * s.StrideW) - s.PadLeft;
        long planeStart = (long)plane * s.InHeight * s.InWidth;
        var max = float.NegativeInfinity;
        var sum = 0f;
        var count = 0;
        for (var kh = 0; kh < s.KernelH; kh++)
        {
            var h = h0 + (kh * s.DilationH);
            if (h < 0 || h >= s.InHeight)
            {
                continue;
            }

            for (var kw = 0; kw < s.KernelW; kw++)
            {
                var w = w0 + (kw * s.DilationW);
                if (w < 0 || w >= s.InWidth)
                {
                    continue;
                }

                var v = input[planeStart + (h * s.InWidth) + w];
                max = IntrinsicMath.Max(max, v);
                sum += v;
                count++;
            }
        }

        if (s.IsMax != 0)
        {
            output[index.X] = max;
            return;
        }

        var divisor = IntrinsicMath.Max(count, 1);
        if (s.CountIncludePad != 0)
        {
            var h1 = IntrinsicMath.Min(h0 + s.KernelH, s.InHeight + s.PadBottom);
            var w1 = IntrinsicMath.Min(w0 + s.KernelW, s.InWidth + s.PadRight);
            divisor = (h1 - h0) * (w1 - w0);
        }

        output[index.X] = sum / divisor;
    }

    /// <summary>Thread per (image, channel) plane: the plane's mean.</summary>
    public static void GlobalAverage(Index1D index, ArrayView<float> input, ArrayView<float> output, int pixels)
    {
        long start = (long)index.X * pixels;
        var sum = 0f;
        for (var i = 0; i < pixels; i++)
        {
            sum += input[start + i];
        }

        output[index.X] = sum / pixels;
    }
}
