using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

internal static unsafe partial class Sgemm
{
    /// <summary>
    /// 12×16 block with AVX-512F: one 512-bit accumulator per row, so each k step is one B load, twelve
    /// broadcasts and twelve FMAs, twice the multiply-adds per instruction of the 6×16 AVX2 kernel. Rows
    /// 0–5 come from micro-panel <paramref name="a0"/>, rows 6–11 from <paramref name="a1"/> (pass a0 again
    /// when rows ≤ 6). Each lane is the same chain of fused multiply-adds as in the 256-bit kernels, so the
    /// results are bitwise theirs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void KernelAvx512(int kc, float* a0, float* a1, float* b, float* c, nint ldc, int rows, int cols, bool add, float* bias)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        Vector512<float> b0;
        int p = kc;
        for (; p >= 2; p -= 2)
        {
            b0 = Vector512.LoadAligned(b + 0);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[0]), b0, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[1]), b0, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[2]), b0, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[3]), b0, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[4]), b0, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[5]), b0, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[0]), b0, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[1]), b0, c7);
            c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[2]), b0, c8);
            c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[3]), b0, c9);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[4]), b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[5]), b0, c11);

            b0 = Vector512.LoadAligned(b + 16);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[6]), b0, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[7]), b0, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[8]), b0, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[9]), b0, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[10]), b0, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[11]), b0, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[6]), b0, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[7]), b0, c7);
            c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[8]), b0, c8);
            c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[9]), b0, c9);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[10]), b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[11]), b0, c11);

            a0 += 2 * MR;
            a1 += 2 * MR;
            b += 2 * NR;
        }

        if (p > 0)
        {
            b0 = Vector512.LoadAligned(b + 0);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[0]), b0, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[1]), b0, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[2]), b0, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[3]), b0, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[4]), b0, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[5]), b0, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[0]), b0, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[1]), b0, c7);
            c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[2]), b0, c8);
            c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[3]), b0, c9);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[4]), b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[5]), b0, c11);
        }

        // A full panel stores whole vectors; a partial one (9 to 15 columns) through a mask.
        bool full = cols == NR;
        Vector512<float> mask = Vector512.LessThan(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create(cols)).AsSingle();
        StoreRow16(c, c0, mask, full, add, bias, 0);
        if (rows > 1)
        {
            StoreRow16(c + (1 * ldc), c1, mask, full, add, bias, 1);
        }

        if (rows > 2)
        {
            StoreRow16(c + (2 * ldc), c2, mask, full, add, bias, 2);
        }

        if (rows > 3)
        {
            StoreRow16(c + (3 * ldc), c3, mask, full, add, bias, 3);
        }

        if (rows > 4)
        {
            StoreRow16(c + (4 * ldc), c4, mask, full, add, bias, 4);
        }

        if (rows > 5)
        {
            StoreRow16(c + (5 * ldc), c5, mask, full, add, bias, 5);
        }

        if (rows > 6)
        {
            StoreRow16(c + (6 * ldc), c6, mask, full, add, bias, 6);
        }

        if (rows > 7)
        {
            StoreRow16(c + (7 * ldc), c7, mask, full, add, bias, 7);
        }

        if (rows > 8)
        {
            StoreRow16(c + (8 * ldc), c8, mask, full, add, bias, 8);
        }

        if (rows > 9)
        {
            StoreRow16(c + (9 * ldc), c9, mask, full, add, bias, 9);
        }

        if (rows > 10)
        {
            StoreRow16(c + (10 * ldc), c10, mask, full, add, bias, 10);
        }

        if (rows > 11)
        {
            StoreRow16(c + (11 * ldc), c11, mask, full, add, bias, 11);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow16(float* c, Vector512<float> v, Vector512<float> mask, bool full, bool add, float* bias, int row)
    {
        if (bias != null)
        {
            v += Vector512.Create(bias[row]);
        }

        if (add)
        {
            v += full ? Vector512.Load(c) : Avx512F.MaskLoad(c, mask, Vector512<float>.Zero);
        }

        if (full)
        {
            Vector512.Store(v, c);
        }
        else
        {
            Avx512F.MaskStore(c, mask, v);
        }
    }
}
