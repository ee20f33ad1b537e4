using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

/// <summary>
/// The register-blocked inner loops of the table-driven bodies. A tap list (offsets into the layout,
/// and per tap the weights of the block's rows, <c>stride</c> floats apart per tap) is walked once per
/// sub-tile with every accumulator of the block in a register: one input load feeds all the rows.
/// </summary>
internal static unsafe partial class SparseTileKernels
{
    private const int Tile = SparseConvolution.TilePixels;

    /// <summary>Whether the 256-bit FMA kernels run on this machine.</summary>
    internal static readonly bool UseAvx2 = Fma.IsSupported && Avx2.IsSupported;

    /// <summary>
    /// How many taps ahead the kernels prefetch the input lines of: consecutive taps read other channels'
    /// planes, a pattern no hardware prefetcher follows, so without it each tap waits for its lines from L2
    /// or farther. Tap lists carry as many offsets past their last tap.
    /// </summary>
    internal const int PrefetchTaps = 16;

    /// <summary>Taps per pass over the row blocks of a sub-tile: about 8 KB of input lines, which stay in L1 for the next block.</summary>
    private const int TapsPerPass = 64;

    /// <summary>
    /// tile[r·64 + p] = Σ_k w[k·stride + r] · input[offsets[k] + p] for r in [0, rows) and p in [0, pixels)
    /// (pixels a multiple of 8 up to 64; the CSR case, one row, computes all 64). <paramref name="offsets"/>
    /// must be readable for <see cref="PrefetchTaps"/> entries past the last tap (their values may be anything).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Compute(float* input, int* offsets, int taps, float* weights, int stride, int rows, float* tile, int pixels = Tile)
    {
        if (!UseAvx2)
        {
            ComputeScalar(input, offsets, taps, weights, stride, rows, tile, pixels);
            return;
        }

        if (UseVector512)
        {
            Compute512(input, offsets, taps, weights, stride, rows, tile, pixels);
            return;
        }

        Compute256(input, offsets, taps, weights, stride, rows, tile, pixels);
    }

    /// <summary>As <see cref="Compute"/>, with the 256-bit kernels (AVX2 and FMA).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Compute256(float* input, int* offsets, int taps, float* weights, int stride, int rows, float* tile, int pixels = Tile)
    {
        // Sub-tile outermost: the row blocks of one sub-tile read the same input lines back to back (L1).
        // The pixels go as 24 + 24 + 16 (twelve accumulators hide the FMA latency better than eight),
        // a short last tile as many 24s as fit, then 16 and 8. Long tap lists go in passes of
        // TapsPerPass taps, every block over one pass before the next: the pass's input lines (two per
        // tap) stay in L1 for the second block instead of coming from L2 twice. A pass resumes from the
        // sums the last one stored, so each sum is the same chain of multiply-adds.
        var fourRowBlocks = rows / 4;
        var p = 0;
        for (; p + 24 <= pixels; p += 24)
        {
            var first = true;
            for (var t = 0; first || t < taps; t += TapsPerPass, first = false)
            {
                var n = Math.Min(TapsPerPass, taps - t);
                for (var block = 0; block < fourRowBlocks; block++)
                {
                    Rows4Wide(input + p, offsets + t, n, weights + ((long)t * stride) + (4 * block), stride, tile + (4 * block * Tile) + p, !first);
                }
            }
        }

        if (p + 16 <= pixels)
        {
            var first = true;
            for (var t = 0; first || t < taps; t += TapsPerPass, first = false)
            {
                var n = Math.Min(TapsPerPass, taps - t);
                for (var block = 0; block < fourRowBlocks; block++)
                {
                    Rows4(input + p, offsets + t, n, weights + ((long)t * stride) + (4 * block), stride, tile + (4 * block * Tile) + p, !first);
                }
            }

            p += 16;
        }

        if (p < pixels)
        {
            var first = true;
            for (var t = 0; first || t < taps; t += TapsPerPass, first = false)
            {
                var n = Math.Min(TapsPerPass, taps - t);
                for (var block = 0; block < fourRowBlocks; block++)
                {
                    Rows4Narrow(input + p, offsets + t, n, weights + ((long)t * stride) + (4 * block), stride, tile + (4 * block * Tile) + p, !first);
                }
            }
        }

        ComputeRestRows(input, offsets, taps, weights, stride, rows, tile, pixels);
    }

    /// <summary>The rows past the last whole block of four: two, then one.</summary>
    private static void ComputeRestRows(float* input, int* offsets, int taps, float* weights, int stride, int rows, float* tile, int pixels)
    {
        var r = rows / 4 * 4;
        if (rows - r >= 2)
        {
            Rows2(input, offsets, taps, weights + r, stride, tile + (r * Tile), pixels);
            r += 2;
        }

        if (r < rows)
        {
            Rows1(input, offsets, taps, weights + r, stride, tile + (r * Tile));
        }
    }

    /// <summary>Four rows of 8 pixels (one vector): the end of a short last tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows4Narrow(float* input, int* offsets, int taps, float* w, int stride, float* tile, bool add)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        if (add)
        {
            (a0, a1, a2, a3) = (Avx.LoadVector256(tile), Avx.LoadVector256(tile + Tile), Avx.LoadVector256(tile + (2 * Tile)), Avx.LoadVector256(tile + (3 * Tile)));
        }

        var wk = w;
        for (int* o = offsets, end = offsets + taps; o < end; o++, wk += stride)
        {
            PrefetchTap(input + o[PrefetchTaps], 8);
            var v = Avx.LoadVector256(input + *o);
            a0 = Fma.MultiplyAdd(v, Avx.BroadcastScalarToVector256(wk), a0);
            a1 = Fma.MultiplyAdd(v, Avx.BroadcastScalarToVector256(wk + 1), a1);
            a2 = Fma.MultiplyAdd(v, Avx.BroadcastScalarToVector256(wk + 2), a2);
            a3 = Fma.MultiplyAdd(v, Avx.BroadcastScalarToVector256(wk + 3), a3);
        }

        Avx.Store(tile, a0);
        Avx.Store(tile + Tile, a1);
        Avx.Store(tile + (2 * Tile), a2);
        Avx.Store(tile + (3 * Tile), a3);
    }

    /// <summary>Four rows of 16 pixels (two vectors): 8 accumulators, per tap 2 loads and 4 broadcasts for 8 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows4(float* input, int* offsets, int taps, float* w, int stride, float* tile, bool add)
    {
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector256<float> a20 = default, a21 = default, a30 = default, a31 = default;
        if (add)
        {
            (a00, a01, a10, a11) = (Avx.LoadVector256(tile), Avx.LoadVector256(tile + 8), Avx.LoadVector256(tile + Tile), Avx.LoadVector256(tile + Tile + 8));
            (a20, a21, a30, a31) = (Avx.LoadVector256(tile + (2 * Tile)), Avx.LoadVector256(tile + (2 * Tile) + 8), Avx.LoadVector256(tile + (3 * Tile)), Avx.LoadVector256(tile + (3 * Tile) + 8));
        }

        var wk = w;
        for (int* o = offsets, end = offsets + taps; o < end; o++, wk += stride)
        {
            var s = input + *o;
            PrefetchTap(input + o[PrefetchTaps], 16);
            var v0 = Avx.LoadVector256(s);
            var v1 = Avx.LoadVector256(s + 8);
            var b = Vector256.Create(wk[0]);
            a00 = Fma.MultiplyAdd(v0, b, a00);
            a01 = Fma.MultiplyAdd(v1, b, a01);
            b = Vector256.Create(wk[1]);
            a10 = Fma.MultiplyAdd(v0, b, a10);
            a11 = Fma.MultiplyAdd(v1, b, a11);
            b = Vector256.Create(wk[2]);
            a20 = Fma.MultiplyAdd(v0, b, a20);
            a21 = Fma.MultiplyAdd(v1, b, a21);
            b = Vector256.Create(wk[3]);
            a30 = Fma.MultiplyAdd(v0, b, a30);
            a31 = Fma.MultiplyAdd(v1, b, a31);
        }

        Avx.Store(tile, a00);
        Avx.Store(tile + 8, a01);
        Avx.Store(tile + Tile, a10);
        Avx.Store(tile + Tile + 8, a11);
        Avx.Store(tile + (2 * Tile), a20);
        Avx.Store(tile + (2 * Tile) + 8, a21);
        Avx.Store(tile + (3 * Tile), a30);
        Avx.Store(tile + (3 * Tile) + 8, a31);
    }

    /// <summary>Four rows of 24 pixels (three vectors): 12 accumulators, per tap 3 loads and 4 broadcasts for 12 FMAs (all 16 vector registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows4Wide(float* input, int* offsets, int taps, float* w, int stride, float* tile, bool add)
    {
        Vector256<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
        Vector256<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
        if (add)
        {
            (a00, a01, a02) = (Avx.LoadVector256(tile), Avx.LoadVector256(tile + 8), Avx.LoadVector256(tile + 16));
            (a10, a11, a12) = (Avx.LoadVector256(tile + Tile), Avx.LoadVector256(tile + Tile + 8), Avx.LoadVector256(tile + Tile + 16));
            (a20, a21, a22) = (Avx.LoadVector256(tile + (2 * Tile)), Avx.LoadVector256(tile + (2 * Tile) + 8), Avx.LoadVector256(tile + (2 * Tile) + 16));
            (a30, a31, a32) = (Avx.LoadVector256(tile + (3 * Tile)), Avx.LoadVector256(tile + (3 * Tile) + 8), Avx.LoadVector256(tile + (3 * Tile) + 16));
        }

        var wk = w;
        for (int* o = offsets, end = offsets + taps; o < end; o++, wk += stride)
        {
            var s = input + *o;
            PrefetchTap(input + o[PrefetchTaps], 24);

            var v0 = Avx.LoadVector256(s);
            var v1 = Avx.LoadVector256(s + 8);
            var v2 = Avx.LoadVector256(s + 16);
            var b = Avx.BroadcastScalarToVector256(wk);
            a00 = Fma.MultiplyAdd(v0, b, a00);
            a01 = Fma.MultiplyAdd(v1, b, a01);
            a02 = Fma.MultiplyAdd(v2, b, a02);
            b = Avx.BroadcastScalarToVector256(wk + 1);
            a10 = Fma.MultiplyAdd(v0, b, a10);
            a11 = Fma.MultiplyAdd(v1, b, a11);
            a12 = Fma.MultiplyAdd(v2, b, a12);
            b = Avx.BroadcastScalarToVector256(wk + 2);
            a20 = Fma.MultiplyAdd(v0, b, a20);
            a21 = Fma.MultiplyAdd(v1, b, a21);
            a22 = Fma.MultiplyAdd(v2, b, a22);
            b = Avx.BroadcastScalarToVector256(wk + 3);
            a30 = Fma.MultiplyAdd(v0, b, a30);
            a31 = Fma.MultiplyAdd(v1, b, a31);
            a32 = Fma.MultiplyAdd(v2, b, a32);
        }

        Avx.Store(tile, a00);
        Avx.Store(tile + 8, a01);
        Avx.Store(tile + 16, a02);
        Avx.Store(tile + Tile, a10);
        Avx.Store(tile + Tile + 8, a11);
        Avx.Store(tile + Tile + 16, a12);
        Avx.Store(tile + (2 * Tile), a20);
        Avx.Store(tile + (2 * Tile) + 8, a21);
        Avx.Store(tile + (2 * Tile) + 16, a22);
        Avx.Store(tile + (3 * Tile), a30);
        Avx.Store(tile + (3 * Tile) + 8, a31);
        Avx.Store(tile + (3 * Tile) + 16, a32);
    }

    /// <summary>Two rows, 32 pixels (four vectors) at a time, up to the first multiple of 32 at or past <paramref name="pixels"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows2(float* input, int* offsets, int taps, float* w, int stride, float* tile, int pixels)
    {
        for (var p = 0; p < pixels; p += 32)
        {
            Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default;
            Vector256<float> a10 = default, a11 = default, a12 = default, a13 = default;
            var x = input + p;
            var wk = w;
            for (int* o = offsets, end = offsets + taps; o < end; o++, wk += stride)
            {
                var s = x + *o;
                var v0 = Avx.LoadVector256(s);
                var v1 = Avx.LoadVector256(s + 8);
                var v2 = Avx.LoadVector256(s + 16);
                var v3 = Avx.LoadVector256(s + 24);
                var b = Vector256.Create(wk[0]);
                a00 = Fma.MultiplyAdd(v0, b, a00);
                a01 = Fma.MultiplyAdd(v1, b, a01);
                a02 = Fma.MultiplyAdd(v2, b, a02);
                a03 = Fma.MultiplyAdd(v3, b, a03);
                b = Vector256.Create(wk[1]);
                a10 = Fma.MultiplyAdd(v0, b, a10);
                a11 = Fma.MultiplyAdd(v1, b, a11);
                a12 = Fma.MultiplyAdd(v2, b, a12);
                a13 = Fma.MultiplyAdd(v3, b, a13);
            }

            var t = tile + p;
            Avx.Store(t, a00);
            Avx.Store(t + 8, a01);
            Avx.Store(t + 16, a02);
            Avx.Store(t + 24, a03);
            Avx.Store(t + Tile, a10);
            Avx.Store(t + Tile + 8, a11);
            Avx.Store(t + Tile + 16, a12);
            Avx.Store(t + Tile + 24, a13);
        }
    }

    /// <summary>One row, the whole tile (eight vectors) at once: the CSR case.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows1(float* input, int* offsets, int taps, float* w, int stride, float* tile)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector256<float> a4 = default, a5 = default, a6 = default, a7 = default;
        var wk = w;
        for (int* o = offsets, end = offsets + taps; o < end; o++, wk += stride)
        {
            var s = input + *o;
            var b = Vector256.Create(*wk);
            a0 = Fma.MultiplyAdd(Avx.LoadVector256(s), b, a0);
            a1 = Fma.MultiplyAdd(Avx.LoadVector256(s + 8), b, a1);
            a2 = Fma.MultiplyAdd(Avx.LoadVector256(s + 16), b, a2);
            a3 = Fma.MultiplyAdd(Avx.LoadVector256(s + 24), b, a3);
            a4 = Fma.MultiplyAdd(Avx.LoadVector256(s + 32), b, a4);
            a5 = Fma.MultiplyAdd(Avx.LoadVector256(s + 40), b, a5);
            a6 = Fma.MultiplyAdd(Avx.LoadVector256(s + 48), b, a6);
            a7 = Fma.MultiplyAdd(Avx.LoadVector256(s + 56), b, a7);
        }

        Avx.Store(tile, a0);
        Avx.Store(tile + 8, a1);
        Avx.Store(tile + 16, a2);
        Avx.Store(tile + 24, a3);
        Avx.Store(tile + 32, a4);
        Avx.Store(tile + 40, a5);
        Avx.Store(tile + 48, a6);
        Avx.Store(tile + 56, a7);
    }

    /// <summary>Prefetches the lines of <paramref name="floats"/> floats from <paramref name="at"/> (a prefetch never faults, whatever the address).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTap(float* at, int floats)
    {
        Sse.Prefetch0(at);
        Sse.Prefetch0(at + floats - 1);
    }

    /// <summary>Any machine: the same sums, one multiply-add at a time.</summary>
    internal static void ComputeScalar(float* input, int* offsets, int taps, float* weights, int stride, int rows, float* tile, int pixels = Tile)
    {
        for (var r = 0; r < rows; r++)
        {
            new Span<float>(tile + (r * Tile), pixels).Clear();
        }

        for (var k = 0; k < taps; k++)
        {
            var s = input + offsets[k];
            for (var r = 0; r < rows; r++)
            {
                var w = weights[(k * stride) + r];
                var t = tile + (r * Tile);
                for (var p = 0; p < pixels; p++)
                {
                    t[p] = MathF.FusedMultiplyAdd(w, s[p], t[p]);
                }
            }
        }
    }
}
