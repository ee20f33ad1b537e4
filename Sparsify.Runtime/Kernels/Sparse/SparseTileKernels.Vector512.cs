using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

/// <summary>
/// The 512-bit kernels, for machines whose runtime accelerates <see cref="Vector512{T}"/> (AVX-512; the
/// runtime leaves it off where 512-bit code lowers the clock). Same tap lists, same passes, same chain of
/// multiply-adds per sum as the 256-bit kernels, so the same results bit for bit; four rows of up to 64
/// pixels (16 accumulators of the 32 registers) per tap walk instead of 24.
/// </summary>
internal static unsafe partial class SparseTileKernels
{
    /// <summary>Whether <see cref="Compute"/> runs the 512-bit kernels on this machine.</summary>
    /// <remarks>Not written in terms of <see cref="UseAvx2"/>: the order of static initializers across the parts of a partial class is not defined.</remarks>
    internal static readonly bool UseVector512 = Vector512.IsHardwareAccelerated && Fma.IsSupported && Avx2.IsSupported;

    /// <summary>
    /// As <see cref="Compute"/>, with 512-bit vectors: the pixels go as 64, 48 or 32 at a time, a rest of
    /// 16 or 8 through the 256-bit kernels. Without hardware support it still computes the same sums (the
    /// runtime emulates the vectors, slowly): tests run it on any machine.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Compute512(float* input, int* offsets, int taps, float* weights, int stride, int rows, float* tile, int pixels = Tile)
    {
        var fourRowBlocks = rows / 4;
        var p = 0;
        while (pixels - p >= 32)
        {
            var width = Math.Min(Tile, (pixels - p) & ~15);
            delegate*<float*, int*, int, float*, int, float*, bool, void> kernel = width switch
            {
                64 => &Rows4x64,
                48 => &Rows4x48,
                _ => &Rows4x32,
            };
            Passes(kernel, input + p, offsets, taps, weights, stride, fourRowBlocks, tile + p);
            p += width;
        }

        if (pixels - p >= 16)
        {
            Passes(&Rows4, input + p, offsets, taps, weights, stride, fourRowBlocks, tile + p);
            p += 16;
        }

        if (p < pixels)
        {
            Passes(&Rows4Narrow, input + p, offsets, taps, weights, stride, fourRowBlocks, tile + p);
        }

        ComputeRestRows(input, offsets, taps, weights, stride, rows, tile, pixels);
    }

    /// <summary>Every four-row block over one pass of <see cref="TapsPerPass"/> taps before the next pass, as <see cref="Compute"/> does.</summary>
    private static void Passes(delegate*<float*, int*, int, float*, int, float*, bool, void> kernel, float* input, int* offsets, int taps, float* weights, int stride, int fourRowBlocks, float* tile)
    {
        var first = true;
        for (var t = 0; first || t < taps; t += TapsPerPass, first = false)
        {
            var n = Math.Min(TapsPerPass, taps - t);
            for (var block = 0; block < fourRowBlocks; block++)
            {
                kernel(input, offsets + t, n, weights + ((long)t * stride) + (4 * block), stride, tile + (4 * block * Tile), !first);
            }
        }
    }

    /// <summary>Four rows of 64 pixels (4 512-bit vectors): 16 accumulators, per tap 4 loads and 4 broadcasts for 16 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows4x64(float* input, int* offsets, int taps, float* w, int stride, float* tile, bool add)
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        if (add)
        {
            a00 = Vector512.Load(tile);
            a01 = Vector512.Load(tile + 16);
            a02 = Vector512.Load(tile + 32);
            a03 = Vector512.Load(tile + 48);
            a10 = Vector512.Load(tile + Tile);
            a11 = Vector512.Load(tile + Tile + 16);
            a12 = Vector512.Load(tile + Tile + 32);
            a13 = Vector512.Load(tile + Tile + 48);
            a20 = Vector512.Load(tile + (2 * Tile));
            a21 = Vector512.Load(tile + (2 * Tile) + 16);
            a22 = Vector512.Load(tile + (2 * Tile) + 32);
            a23 = Vector512.Load(tile + (2 * Tile) + 48);
            a30 = Vector512.Load(tile + (3 * Tile));
            a31 = Vector512.Load(tile + (3 * Tile) + 16);
            a32 = Vector512.Load(tile + (3 * Tile) + 32);
            a33 = Vector512.Load(tile + (3 * Tile) + 48);
        }

        var wk = w;
        for (int* o = offsets, end = offsets + taps; o < end; o++, wk += stride)
        {
            var s = input + *o;
            PrefetchLines(input + o[PrefetchTaps], 64);
            var v0 = Vector512.Load(s);
            var v1 = Vector512.Load(s + 16);
            var v2 = Vector512.Load(s + 32);
            var v3 = Vector512.Load(s + 48);
            var b0 = Vector512.Create(wk[0]);
            a00 = Vector512.FusedMultiplyAdd(v0, b0, a00);
            a01 = Vector512.FusedMultiplyAdd(v1, b0, a01);
            a02 = Vector512.FusedMultiplyAdd(v2, b0, a02);
            a03 = Vector512.FusedMultiplyAdd(v3, b0, a03);
            var b1 = Vector512.Create(wk[1]);
            a10 = Vector512.FusedMultiplyAdd(v0, b1, a10);
            a11 = Vector512.FusedMultiplyAdd(v1, b1, a11);
            a12 = Vector512.FusedMultiplyAdd(v2, b1, a12);
            a13 = Vector512.FusedMultiplyAdd(v3, b1, a13);
            var b2 = Vector512.Create(wk[2]);
            a20 = Vector512.FusedMultiplyAdd(v0, b2, a20);
            a21 = Vector512.FusedMultiplyAdd(v1, b2, a21);
            a22 = Vector512.FusedMultiplyAdd(v2, b2, a22);
            a23 = Vector512.FusedMultiplyAdd(v3, b2, a23);
            var b3 = Vector512.Create(wk[3]);
            a30 = Vector512.FusedMultiplyAdd(v0, b3, a30);
            a31 = Vector512.FusedMultiplyAdd(v1, b3, a31);
            a32 = Vector512.FusedMultiplyAdd(v2, b3, a32);
            a33 = Vector512.FusedMultiplyAdd(v3, b3, a33);
        }

        a00.Store(tile);
        a01.Store(tile + 16);
        a02.Store(tile + 32);
        a03.Store(tile + 48);
        a10.Store(tile + Tile);
        a11.Store(tile + Tile + 16);
        a12.Store(tile + Tile + 32);
        a13.Store(tile + Tile + 48);
        a20.Store(tile + (2 * Tile));
        a21.Store(tile + (2 * Tile) + 16);
        a22.Store(tile + (2 * Tile) + 32);
        a23.Store(tile + (2 * Tile) + 48);
        a30.Store(tile + (3 * Tile));
        a31.Store(tile + (3 * Tile) + 16);
        a32.Store(tile + (3 * Tile) + 32);
        a33.Store(tile + (3 * Tile) + 48);
    }

    /// <summary>Four rows of 48 pixels (3 512-bit vectors): 12 accumulators, per tap 3 loads and 4 broadcasts for 12 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows4x48(float* input, int* offsets, int taps, float* w, int stride, float* tile, bool add)
    {
        Vector512<float> a00 = default, a01 = default, a02 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default;
        if (add)
        {
            a00 = Vector512.Load(tile);
            a01 = Vector512.Load(tile + 16);
            a02 = Vector512.Load(tile + 32);
            a10 = Vector512.Load(tile + Tile);
            a11 = Vector512.Load(tile + Tile + 16);
            a12 = Vector512.Load(tile + Tile + 32);
            a20 = Vector512.Load(tile + (2 * Tile));
            a21 = Vector512.Load(tile + (2 * Tile) + 16);
            a22 = Vector512.Load(tile + (2 * Tile) + 32);
            a30 = Vector512.Load(tile + (3 * Tile));
            a31 = Vector512.Load(tile + (3 * Tile) + 16);
            a32 = Vector512.Load(tile + (3 * Tile) + 32);
        }

        var wk = w;
        for (int* o = offsets, end = offsets + taps; o < end; o++, wk += stride)
        {
            var s = input + *o;
            PrefetchLines(input + o[PrefetchTaps], 48);
            var v0 = Vector512.Load(s);
            var v1 = Vector512.Load(s + 16);
            var v2 = Vector512.Load(s + 32);
            var b0 = Vector512.Create(wk[0]);
            a00 = Vector512.FusedMultiplyAdd(v0, b0, a00);
            a01 = Vector512.FusedMultiplyAdd(v1, b0, a01);
            a02 = Vector512.FusedMultiplyAdd(v2, b0, a02);
            var b1 = Vector512.Create(wk[1]);
            a10 = Vector512.FusedMultiplyAdd(v0, b1, a10);
            a11 = Vector512.FusedMultiplyAdd(v1, b1, a11);
            a12 = Vector512.FusedMultiplyAdd(v2, b1, a12);
            var b2 = Vector512.Create(wk[2]);
            a20 = Vector512.FusedMultiplyAdd(v0, b2, a20);
            a21 = Vector512.FusedMultiplyAdd(v1, b2, a21);
            a22 = Vector512.FusedMultiplyAdd(v2, b2, a22);
            var b3 = Vector512.Create(wk[3]);
            a30 = Vector512.FusedMultiplyAdd(v0, b3, a30);
            a31 = Vector512.FusedMultiplyAdd(v1, b3, a31);
            a32 = Vector512.FusedMultiplyAdd(v2, b3, a32);
        }

        a00.Store(tile);
        a01.Store(tile + 16);
        a02.Store(tile + 32);
        a10.Store(tile + Tile);
        a11.Store(tile + Tile + 16);
        a12.Store(tile + Tile + 32);
        a20.Store(tile + (2 * Tile));
        a21.Store(tile + (2 * Tile) + 16);
        a22.Store(tile + (2 * Tile) + 32);
        a30.Store(tile + (3 * Tile));
        a31.Store(tile + (3 * Tile) + 16);
        a32.Store(tile + (3 * Tile) + 32);
    }

    /// <summary>Four rows of 32 pixels (2 512-bit vectors): 8 accumulators, per tap 2 loads and 4 broadcasts for 8 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows4x32(float* input, int* offsets, int taps, float* w, int stride, float* tile, bool add)
    {
        Vector512<float> a00 = default, a01 = default;
        Vector512<float> a10 = default, a11 = default;
        Vector512<float> a20 = default, a21 = default;
        Vector512<float> a30 = default, a31 = default;
        if (add)
        {
            a00 = Vector512.Load(tile);
            a01 = Vector512.Load(tile + 16);
            a10 = Vector512.Load(tile + Tile);
            a11 = Vector512.Load(tile + Tile + 16);
            a20 = Vector512.Load(tile + (2 * Tile));
            a21 = Vector512.Load(tile + (2 * Tile) + 16);
            a30 = Vector512.Load(tile + (3 * Tile));
            a31 = Vector512.Load(tile + (3 * Tile) + 16);
        }

        var wk = w;
        for (int* o = offsets, end = offsets + taps; o < end; o++, wk += stride)
        {
            var s = input + *o;
            PrefetchLines(input + o[PrefetchTaps], 32);
            var v0 = Vector512.Load(s);
            var v1 = Vector512.Load(s + 16);
            var b0 = Vector512.Create(wk[0]);
            a00 = Vector512.FusedMultiplyAdd(v0, b0, a00);
            a01 = Vector512.FusedMultiplyAdd(v1, b0, a01);
            var b1 = Vector512.Create(wk[1]);
            a10 = Vector512.FusedMultiplyAdd(v0, b1, a10);
            a11 = Vector512.FusedMultiplyAdd(v1, b1, a11);
            var b2 = Vector512.Create(wk[2]);
            a20 = Vector512.FusedMultiplyAdd(v0, b2, a20);
            a21 = Vector512.FusedMultiplyAdd(v1, b2, a21);
            var b3 = Vector512.Create(wk[3]);
            a30 = Vector512.FusedMultiplyAdd(v0, b3, a30);
            a31 = Vector512.FusedMultiplyAdd(v1, b3, a31);
        }

        a00.Store(tile);
        a01.Store(tile + 16);
        a10.Store(tile + Tile);
        a11.Store(tile + Tile + 16);
        a20.Store(tile + (2 * Tile));
        a21.Store(tile + (2 * Tile) + 16);
        a30.Store(tile + (3 * Tile));
        a31.Store(tile + (3 * Tile) + 16);
    }

    /// <summary>Prefetches every line of <paramref name="floats"/> floats from <paramref name="at"/> (never faults).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchLines(float* at, int floats)
    {
        for (var i = 0; i < floats; i += 16)
        {
            Sse.Prefetch0(at + i);
        }

        Sse.Prefetch0(at + floats - 1);
    }
}
