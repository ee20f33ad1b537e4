using Sparsify.Runtime.Kernels;
using System.Runtime.Intrinsics;
using Sparsify.Core.Ir;

namespace Sparsify.Training.Layers;

/// <summary>
/// The geometry of im2col for one conv group: the column matrix has one row per filter position
/// (channel, kh, kw) and one column per output pixel; a shard's images lie side by side (image b at
/// column offset b·pixels), so one GEMM covers the whole shard.
/// </summary>
internal readonly record struct ConvWindow(int Channels, int InHeight, int InWidth, int OutHeight, int OutWidth, Window2D Window)
{
    /// <summary>Rows of the column matrix: channels × kernel area.</summary>
    public int Rows => Channels * Window.KernelH * Window.KernelW;

    /// <summary>Output pixels of one image.</summary>
    public int Pixels => OutHeight * OutWidth;

    /// <summary>Values of one input image of the group.</summary>
    public int ImageLength => Channels * InHeight * InWidth;
}

/// <summary>
/// im2col and its adjoint col2im for one image. Output rows are short (8 to 24 pixels in LeNet), so
/// the copies are pointer loops with 8-wide vectors rather than span copies, whose per-call cost would
/// match the GEMM's.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>cols[row·ld + offset + pixel] = the image value under (row, pixel), zero outside the image.</summary>
    public static void Fill(in ConvWindow g, ReadOnlySpan<float> image, Span<float> cols, int ld, int offset)
    {
        CheckLengths(g, image.Length, cols.Length, ld, offset);
        var w = g.Window;
        int outW = g.OutWidth, inW = g.InWidth, plane = g.InHeight * inW;
        fixed (float* pImage = image)
        fixed (float* pCols = cols)
        {
            var row = 0;
            for (var c = 0; c < g.Channels; c++)
            {
                for (var kh = 0; kh < w.KernelH; kh++)
                {
                    for (var kw = 0; kw < w.KernelW; kw++, row++)
                    {
                        var colOffset = (kw * w.DilationW) - w.Pads.Left;
                        var (lo, hi) = ValidColumns(g, colOffset);
                        float* dstRow = pCols + ((nint)row * ld) + offset;
                        for (var oh = 0; oh < g.OutHeight; oh++)
                        {
                            float* dst = dstRow + (oh * outW);
                            var ih = (oh * w.StrideH) - w.Pads.Top + (kh * w.DilationH);
                            if ((uint)ih >= (uint)g.InHeight || lo >= hi)
                            {
                                new Span<float>(dst, outW).Clear();
                                continue;
                            }

                            for (var j = 0; j < lo; j++)
                            {
                                dst[j] = 0f;
                            }

                            for (var j = hi; j < outW; j++)
                            {
                                dst[j] = 0f;
                            }

                            float* src = pImage + ((nint)c * plane) + ((nint)ih * inW) + colOffset;
                            if (w.StrideW == 1)
                            {
                                Copy(src + lo, dst + lo, hi - lo);
                            }
                            else
                            {
                                for (var ow = lo; ow < hi; ow++)
                                {
                                    dst[ow] = src[ow * w.StrideW];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Fill"/>: adds each column entry back onto the image value it came from.</summary>
    public static void Accumulate(in ConvWindow g, ReadOnlySpan<float> cols, int ld, int offset, Span<float> image)
    {
        CheckLengths(g, image.Length, cols.Length, ld, offset);
        var w = g.Window;
        int outW = g.OutWidth, inW = g.InWidth, plane = g.InHeight * inW;
        fixed (float* pImage = image)
        fixed (float* pCols = cols)
        {
            var row = 0;
            for (var c = 0; c < g.Channels; c++)
            {
                for (var kh = 0; kh < w.KernelH; kh++)
                {
                    for (var kw = 0; kw < w.KernelW; kw++, row++)
                    {
                        var colOffset = (kw * w.DilationW) - w.Pads.Left;
                        var (lo, hi) = ValidColumns(g, colOffset);
                        if (lo >= hi)
                        {
                            continue;
                        }

                        float* srcRow = pCols + ((nint)row * ld) + offset;
                        for (var oh = 0; oh < g.OutHeight; oh++)
                        {
                            var ih = (oh * w.StrideH) - w.Pads.Top + (kh * w.DilationH);
                            if ((uint)ih >= (uint)g.InHeight)
                            {
                                continue;
                            }

                            float* src = srcRow + (oh * outW);
                            float* dst = pImage + ((nint)c * plane) + ((nint)ih * inW) + colOffset;
                            if (w.StrideW == 1)
                            {
                                Add(src + lo, dst + lo, hi - lo);
                            }
                            else
                            {
                                for (var ow = lo; ow < hi; ow++)
                                {
                                    dst[ow * w.StrideW] += src[ow];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void Copy(float* src, float* dst, int n)
    {
        var j = 0;
        for (; j <= n - 8; j += 8)
        {
            Vector256.Store(Vector256.Load(src + j), dst + j);
        }

        for (; j < n; j++)
        {
            dst[j] = src[j];
        }
    }

    private static void Add(float* src, float* dst, int n)
    {
        var j = 0;
        for (; j <= n - 8; j += 8)
        {
            Vector256.Store(Vector256.Load(dst + j) + Vector256.Load(src + j), dst + j);
        }

        for (; j < n; j++)
        {
            dst[j] += src[j];
        }
    }

    // The pointer loops trust the geometry; this is the one place the buffers are checked against it.
    private static void CheckLengths(in ConvWindow g, int imageLength, int colsLength, int ld, int offset)
    {
        if (imageLength < g.ImageLength || ld < offset + g.Pixels || colsLength < ((long)(g.Rows - 1) * ld) + offset + g.Pixels)
        {
            throw new ArgumentException($"im2col buffers do not fit {g}: image {imageLength}, columns {colsLength}, ld {ld}, offset {offset}");
        }
    }

    // Output columns ow with 0 <= ow·stride + colOffset < InWidth.
    private static (int Lo, int Hi) ValidColumns(in ConvWindow g, int colOffset)
    {
        var stride = g.Window.StrideW;
        var lo = Math.Max(0, CeilDiv(-colOffset, stride));
        var hi = Math.Min(g.OutWidth, FloorDiv(g.InWidth - 1 - colOffset, stride) + 1);
        return (lo, Math.Max(lo, hi));
    }

    private static int CeilDiv(int x, int y) => x >= 0 ? (x + y - 1) / y : -(-x / y);

    private static int FloorDiv(int x, int y) => x >= 0 ? x / y : -((-x + y - 1) / y);
}
