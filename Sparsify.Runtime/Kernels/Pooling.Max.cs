using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

/// <summary>
/// Max pooling by rows: per output row, the element-wise maximum of the window's input rows, then a
/// sliding maximum along that row, then every StrideW-th value. Both maxima are vectorised and the
/// padding is a border of -∞, so no position is bounds-checked; the result equals the window-by-window
/// maximum (Vector256.Max and Math.Max follow the same IEEE 754 maximum, NaN included).
/// </summary>
public static partial class Pooling
{
    private static unsafe void RunMaxRows(PoolGeometry g, ReadOnlySpan<float> input, Span<float> output, int threads)
    {
        fixed (float* pIn = input)
        fixed (float* pOut = output)
        {
            var job = new PoolJob(g, isMax: true, countIncludePad: false, pIn, pOut);
            WorkerThreads.For(g.Batch * g.Channels, WorkerThreads.Count(threads), job, static (in PoolJob j, int plane) => MaxRows.Plane(j.Geometry, j.Input, j.Output, plane));
        }
    }

    private static unsafe class MaxRows
    {
        /// <summary>Longest padded row the row buffers hold on the stack.</summary>
        private const int MaxRowFloats = 4096;

        public static bool Fits(in PoolGeometry g) => g.OutWidth > 0 && g.OutHeight > 0 && PaddedWidth(g) <= MaxRowFloats;

        /// <summary>Columns of the padded row the windows read: up to the last window's last tap.</summary>
        private static long PaddedWidth(in PoolGeometry g) => ((long)(g.OutWidth - 1) * g.StrideW) + ((long)(g.KernelWidth - 1) * g.DilationW) + 1;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Plane(in PoolGeometry g, float* x, float* y, int plane)
        {
            int inH = g.InHeight, inW = g.InWidth, outH = g.OutHeight, outW = g.OutWidth;
            var padded = (int)PaddedWidth(g);
            var sliding = ((outW - 1) * g.StrideW) + 1;

            // row[j] holds padded column j (input column j - PadLeft); the border stays -∞.
            var row = stackalloc float[padded + (2 * Vector256<float>.Count)];
            var maxima = stackalloc float[Math.Max(sliding, padded) + (3 * Vector256<float>.Count)];
            var first = Math.Min(g.PadLeft, padded);
            var copied = Math.Max(0, Math.Min(inW, padded - g.PadLeft));
            new Span<float>(row, padded).Fill(float.NegativeInfinity);

            var source = x + ((nint)plane * inH * inW);
            var target = y + ((nint)plane * outH * outW);
            for (var oh = 0; oh < outH; oh++)
            {
                VerticalMax(g, source, oh, row + first, copied);
                var outRow = target + ((nint)oh * outW);
                if (g.StrideW == 2 && g.DilationW == 1 && outW >= Vector256<float>.Count && Avx2.IsSupported)
                {
                    StrideTwoMax(row, padded, g.KernelWidth, maxima, outRow, outW);
                    continue;
                }

                SlidingMax(row, g.KernelWidth, g.DilationW, maxima, sliding);
                for (var ow = 0; ow < outW; ow++)
                {
                    outRow[ow] = maxima[ow * g.StrideW];
                }
            }
        }

        /// <summary>into[c] = max over the window's rows inside the image of input[h, c] (-∞ when none is).</summary>
        private static void VerticalMax(in PoolGeometry g, float* source, int oh, float* into, int columns)
        {
            var h0 = (oh * g.StrideH) - g.PadTop;
            var any = false;
            for (var kh = 0; kh < g.KernelHeight; kh++)
            {
                var h = h0 + (kh * g.DilationH);
                if ((uint)h >= (uint)g.InHeight)
                {
                    continue;
                }

                var line = source + ((nint)h * g.InWidth);
                if (!any)
                {
                    new ReadOnlySpan<float>(line, columns).CopyTo(new Span<float>(into, columns));
                    any = true;
                    continue;
                }

                var c = 0;
                for (; c + Vector256<float>.Count <= columns; c += Vector256<float>.Count)
                {
                    Vector256.Store(Vector256.Max(Vector256.Load(into + c), Vector256.Load(line + c)), into + c);
                }

                for (; c < columns; c++)
                {
                    into[c] = Math.Max(into[c], line[c]);
                }
            }

            if (!any)
            {
                new Span<float>(into, columns).Fill(float.NegativeInfinity);
            }
        }

        /// <summary>
        /// Stride 2 without dilation (ResNet's 3x3/2 pooling): the row split once into its even and odd
        /// columns, then output[ow] = max over kw of (kw even ? even[ow + kw/2] : odd[ow + kw/2]), eight
        /// outputs per vector, the last vector overlapping the one before (outputs ≥ 8).
        /// </summary>
        private static void StrideTwoMax(float* row, int padded, int kernel, float* scratch, float* output, int outputs)
        {
            // even[i] = row[2i], odd[i] = row[2i + 1]; the windows read even up to outputs-1 + (kernel-1)/2.
            var half = (padded + 1) / 2;
            var even = scratch;
            var odd = scratch + half + Vector256<float>.Count;
            for (var i = 0; i < half; i += Vector256<float>.Count)
            {
                var a = Avx.LoadVector256(row + (2 * i));
                var b = Avx.LoadVector256(row + (2 * i) + Vector256<float>.Count);
                Avx.Store(even + i, Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle());
                Avx.Store(odd + i, Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle());
            }

            for (var ow = 0; ; ow += Vector256<float>.Count)
            {
                ow = Math.Min(ow, outputs - Vector256<float>.Count);
                var m = Vector256.Load(even + ow);
                for (var kw = 1; kw < kernel; kw++)
                {
                    m = Vector256.Max(m, Vector256.Load(((kw & 1) == 0 ? even : odd) + ow + (kw >> 1)));
                }

                Vector256.Store(m, output + ow);
                if (ow + Vector256<float>.Count >= outputs)
                {
                    return;
                }
            }
        }

        /// <summary>maxima[j] = max over kw of row[j + kw·dilation], j in [0, count).</summary>
        private static void SlidingMax(float* row, int kernel, int dilation, float* maxima, int count)
        {
            var j = 0;
            for (; j + Vector256<float>.Count <= count; j += Vector256<float>.Count)
            {
                var m = Vector256.Load(row + j);
                for (var kw = 1; kw < kernel; kw++)
                {
                    m = Vector256.Max(m, Vector256.Load(row + j + (kw * dilation)));
                }

                Vector256.Store(m, maxima + j);
            }

            for (; j < count; j++)
            {
                var m = row[j];
                for (var kw = 1; kw < kernel; kw++)
                {
                    m = Math.Max(m, row[j + (kw * dilation)]);
                }

                maxima[j] = m;
            }
        }
    }
}
