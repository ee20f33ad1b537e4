using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

internal static unsafe partial class Sgemm
{
    /// <summary>
    /// 12×8 block with AVX2 + FMA3 for a panel with at most 8 columns left (n mod 16 ≤ 8): same work
    /// per cycle as 6×16, half the columns. Rows 0–5 come from micro-panel <paramref name="a0"/>, rows
    /// 6–11 from <paramref name="a1"/> (pass a0 again when rows ≤ 6); B is read with its 16-float stride.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void KernelAvx2Narrow(int kc, float* a0, float* a1, float* b, float* c, nint ldc, int rows, int cols, bool add, float* bias)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector256<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        Vector256<float> b0;
        int p = kc;
        for (; p >= 2; p -= 2)
        {
            b0 = Avx.LoadAlignedVector256(b + 0);
            c0 = Fma.MultiplyAdd(Vector256.Create(a0[0]), b0, c0);
            c1 = Fma.MultiplyAdd(Vector256.Create(a0[1]), b0, c1);
            c2 = Fma.MultiplyAdd(Vector256.Create(a0[2]), b0, c2);
            c3 = Fma.MultiplyAdd(Vector256.Create(a0[3]), b0, c3);
            c4 = Fma.MultiplyAdd(Vector256.Create(a0[4]), b0, c4);
            c5 = Fma.MultiplyAdd(Vector256.Create(a0[5]), b0, c5);
            c6 = Fma.MultiplyAdd(Vector256.Create(a1[0]), b0, c6);
            c7 = Fma.MultiplyAdd(Vector256.Create(a1[1]), b0, c7);
            c8 = Fma.MultiplyAdd(Vector256.Create(a1[2]), b0, c8);
            c9 = Fma.MultiplyAdd(Vector256.Create(a1[3]), b0, c9);
            c10 = Fma.MultiplyAdd(Vector256.Create(a1[4]), b0, c10);
            c11 = Fma.MultiplyAdd(Vector256.Create(a1[5]), b0, c11);

            b0 = Avx.LoadAlignedVector256(b + 16);
            c0 = Fma.MultiplyAdd(Vector256.Create(a0[6]), b0, c0);
            c1 = Fma.MultiplyAdd(Vector256.Create(a0[7]), b0, c1);
            c2 = Fma.MultiplyAdd(Vector256.Create(a0[8]), b0, c2);
            c3 = Fma.MultiplyAdd(Vector256.Create(a0[9]), b0, c3);
            c4 = Fma.MultiplyAdd(Vector256.Create(a0[10]), b0, c4);
            c5 = Fma.MultiplyAdd(Vector256.Create(a0[11]), b0, c5);
            c6 = Fma.MultiplyAdd(Vector256.Create(a1[6]), b0, c6);
            c7 = Fma.MultiplyAdd(Vector256.Create(a1[7]), b0, c7);
            c8 = Fma.MultiplyAdd(Vector256.Create(a1[8]), b0, c8);
            c9 = Fma.MultiplyAdd(Vector256.Create(a1[9]), b0, c9);
            c10 = Fma.MultiplyAdd(Vector256.Create(a1[10]), b0, c10);
            c11 = Fma.MultiplyAdd(Vector256.Create(a1[11]), b0, c11);

            a0 += 2 * MR;
            a1 += 2 * MR;
            b += 2 * NR;
        }

        if (p > 0)
        {
            b0 = Avx.LoadAlignedVector256(b + 0);
            c0 = Fma.MultiplyAdd(Vector256.Create(a0[0]), b0, c0);
            c1 = Fma.MultiplyAdd(Vector256.Create(a0[1]), b0, c1);
            c2 = Fma.MultiplyAdd(Vector256.Create(a0[2]), b0, c2);
            c3 = Fma.MultiplyAdd(Vector256.Create(a0[3]), b0, c3);
            c4 = Fma.MultiplyAdd(Vector256.Create(a0[4]), b0, c4);
            c5 = Fma.MultiplyAdd(Vector256.Create(a0[5]), b0, c5);
            c6 = Fma.MultiplyAdd(Vector256.Create(a1[0]), b0, c6);
            c7 = Fma.MultiplyAdd(Vector256.Create(a1[1]), b0, c7);
            c8 = Fma.MultiplyAdd(Vector256.Create(a1[2]), b0, c8);
            c9 = Fma.MultiplyAdd(Vector256.Create(a1[3]), b0, c9);
            c10 = Fma.MultiplyAdd(Vector256.Create(a1[4]), b0, c10);
            c11 = Fma.MultiplyAdd(Vector256.Create(a1[5]), b0, c11);
        }

        Vector256<float> mask = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(cols)).AsSingle();
        StoreRowMasked8(c, c0, mask, add, bias, 0);
        if (rows > 1)
        {
            StoreRowMasked8(c + ldc, c1, mask, add, bias, 1);
        }

        if (rows > 2)
        {
            StoreRowMasked8(c + (2 * ldc), c2, mask, add, bias, 2);
        }

        if (rows > 3)
        {
            StoreRowMasked8(c + (3 * ldc), c3, mask, add, bias, 3);
        }

        if (rows > 4)
        {
            StoreRowMasked8(c + (4 * ldc), c4, mask, add, bias, 4);
        }

        if (rows > 5)
        {
            StoreRowMasked8(c + (5 * ldc), c5, mask, add, bias, 5);
        }

        if (rows > 6)
        {
            StoreRowMasked8(c + (6 * ldc), c6, mask, add, bias, 6);
        }

        if (rows > 7)
        {
            StoreRowMasked8(c + (7 * ldc), c7, mask, add, bias, 7);
        }

        if (rows > 8)
        {
            StoreRowMasked8(c + (8 * ldc), c8, mask, add, bias, 8);
        }

        if (rows > 9)
        {
            StoreRowMasked8(c + (9 * ldc), c9, mask, add, bias, 9);
        }

        if (rows > 10)
        {
            StoreRowMasked8(c + (10 * ldc), c10, mask, add, bias, 10);
        }

        if (rows > 11)
        {
            StoreRowMasked8(c + (11 * ldc), c11, mask, add, bias, 11);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRowMasked8(float* c, Vector256<float> v, Vector256<float> mask, bool add, float* bias, int row)
    {
        if (bias != null)
        {
            v += Vector256.Create(bias[row]);
        }

        if (add)
        {
            v += Avx.MaskLoad(c, mask);
        }

        Avx.MaskStore(c, mask, v);
    }
}
