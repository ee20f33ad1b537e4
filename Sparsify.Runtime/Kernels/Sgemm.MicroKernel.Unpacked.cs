using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

internal static unsafe partial class Sgemm
{
    // A read in place through its row stride (no packing): for tiles with few column panels, where
    // packing A would cost more than it saves. Rows past `rows` re-read the last real row. The
    // arithmetic per element is the same chain as the packed kernels', so results are identical.

    /// <summary>6×16 block, A unpacked (row stride <paramref name="lda"/>), AVX2 + FMA3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void KernelAvx2Unpacked(int kc, float* a, nint lda, float* b, float* c, nint ldc, int rows, int cols, bool add, float* bias)
    {
        float* a0 = a;
        float* a1 = rows > 1 ? a0 + lda : a0;
        float* a2 = rows > 2 ? a1 + lda : a1;
        float* a3 = rows > 3 ? a2 + lda : a2;
        float* a4 = rows > 4 ? a3 + lda : a3;
        float* a5 = rows > 5 ? a4 + lda : a4;
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector256<float> b0, b1, av;
        nint p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            b0 = Avx.LoadAlignedVector256(b + 0);
            b1 = Avx.LoadAlignedVector256(b + 8);
            av = Vector256.Create(a0[p]);
            c00 = Fma.MultiplyAdd(av, b0, c00);
            c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a1[p]);
            c10 = Fma.MultiplyAdd(av, b0, c10);
            c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a2[p]);
            c20 = Fma.MultiplyAdd(av, b0, c20);
            c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a3[p]);
            c30 = Fma.MultiplyAdd(av, b0, c30);
            c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a4[p]);
            c40 = Fma.MultiplyAdd(av, b0, c40);
            c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a5[p]);
            c50 = Fma.MultiplyAdd(av, b0, c50);
            c51 = Fma.MultiplyAdd(av, b1, c51);

            b0 = Avx.LoadAlignedVector256(b + 16);
            b1 = Avx.LoadAlignedVector256(b + 24);
            av = Vector256.Create(a0[p + 1]);
            c00 = Fma.MultiplyAdd(av, b0, c00);
            c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a1[p + 1]);
            c10 = Fma.MultiplyAdd(av, b0, c10);
            c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a2[p + 1]);
            c20 = Fma.MultiplyAdd(av, b0, c20);
            c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a3[p + 1]);
            c30 = Fma.MultiplyAdd(av, b0, c30);
            c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a4[p + 1]);
            c40 = Fma.MultiplyAdd(av, b0, c40);
            c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a5[p + 1]);
            c50 = Fma.MultiplyAdd(av, b0, c50);
            c51 = Fma.MultiplyAdd(av, b1, c51);

            b += 2 * NR;
        }

        if (p < kc)
        {
            b0 = Avx.LoadAlignedVector256(b + 0);
            b1 = Avx.LoadAlignedVector256(b + 8);
            av = Vector256.Create(a0[p]);
            c00 = Fma.MultiplyAdd(av, b0, c00);
            c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a1[p]);
            c10 = Fma.MultiplyAdd(av, b0, c10);
            c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a2[p]);
            c20 = Fma.MultiplyAdd(av, b0, c20);
            c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a3[p]);
            c30 = Fma.MultiplyAdd(av, b0, c30);
            c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a4[p]);
            c40 = Fma.MultiplyAdd(av, b0, c40);
            c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a5[p]);
            c50 = Fma.MultiplyAdd(av, b0, c50);
            c51 = Fma.MultiplyAdd(av, b1, c51);
        }

        if (rows == MR && cols == NR)
        {
            StoreRow256(c, c00, c01, add, bias, 0);
            StoreRow256(c + ldc, c10, c11, add, bias, 1);
            StoreRow256(c + (2 * ldc), c20, c21, add, bias, 2);
            StoreRow256(c + (3 * ldc), c30, c31, add, bias, 3);
            StoreRow256(c + (4 * ldc), c40, c41, add, bias, 4);
            StoreRow256(c + (5 * ldc), c50, c51, add, bias, 5);
            return;
        }

        Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        Vector256<float> maskLo = Vector256.LessThan(lane, Vector256.Create(cols)).AsSingle();
        Vector256<float> maskHi = Vector256.LessThan(lane, Vector256.Create(cols - 8)).AsSingle();
        StoreRowMasked(c, c00, c01, maskLo, maskHi, add, bias, 0);
        if (rows > 1)
        {
            StoreRowMasked(c + ldc, c10, c11, maskLo, maskHi, add, bias, 1);
        }

        if (rows > 2)
        {
            StoreRowMasked(c + (2 * ldc), c20, c21, maskLo, maskHi, add, bias, 2);
        }

        if (rows > 3)
        {
            StoreRowMasked(c + (3 * ldc), c30, c31, maskLo, maskHi, add, bias, 3);
        }

        if (rows > 4)
        {
            StoreRowMasked(c + (4 * ldc), c40, c41, maskLo, maskHi, add, bias, 4);
        }

        if (rows > 5)
        {
            StoreRowMasked(c + (5 * ldc), c50, c51, maskLo, maskHi, add, bias, 5);
        }
    }

    /// <summary>
    /// 6×8 block, A unpacked, for a panel with at most 8 columns left. Six accumulator chains cannot
    /// hide FMA latency fully (about 75% of peak), still better than computing 16 columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void KernelAvx2UnpackedNarrow(int kc, float* a, nint lda, float* b, float* c, nint ldc, int rows, int cols, bool add, float* bias)
    {
        float* a0 = a;
        float* a1 = rows > 1 ? a0 + lda : a0;
        float* a2 = rows > 2 ? a1 + lda : a1;
        float* a3 = rows > 3 ? a2 + lda : a2;
        float* a4 = rows > 4 ? a3 + lda : a3;
        float* a5 = rows > 5 ? a4 + lda : a4;
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector256<float> b0;
        nint p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            b0 = Avx.LoadAlignedVector256(b + 0);
            c0 = Fma.MultiplyAdd(Vector256.Create(a0[p]), b0, c0);
            c1 = Fma.MultiplyAdd(Vector256.Create(a1[p]), b0, c1);
            c2 = Fma.MultiplyAdd(Vector256.Create(a2[p]), b0, c2);
            c3 = Fma.MultiplyAdd(Vector256.Create(a3[p]), b0, c3);
            c4 = Fma.MultiplyAdd(Vector256.Create(a4[p]), b0, c4);
            c5 = Fma.MultiplyAdd(Vector256.Create(a5[p]), b0, c5);

            b0 = Avx.LoadAlignedVector256(b + 16);
            c0 = Fma.MultiplyAdd(Vector256.Create(a0[p + 1]), b0, c0);
            c1 = Fma.MultiplyAdd(Vector256.Create(a1[p + 1]), b0, c1);
            c2 = Fma.MultiplyAdd(Vector256.Create(a2[p + 1]), b0, c2);
            c3 = Fma.MultiplyAdd(Vector256.Create(a3[p + 1]), b0, c3);
            c4 = Fma.MultiplyAdd(Vector256.Create(a4[p + 1]), b0, c4);
            c5 = Fma.MultiplyAdd(Vector256.Create(a5[p + 1]), b0, c5);

            b0 = Avx.LoadAlignedVector256(b + 32);
            c0 = Fma.MultiplyAdd(Vector256.Create(a0[p + 2]), b0, c0);
            c1 = Fma.MultiplyAdd(Vector256.Create(a1[p + 2]), b0, c1);
            c2 = Fma.MultiplyAdd(Vector256.Create(a2[p + 2]), b0, c2);
            c3 = Fma.MultiplyAdd(Vector256.Create(a3[p + 2]), b0, c3);
            c4 = Fma.MultiplyAdd(Vector256.Create(a4[p + 2]), b0, c4);
            c5 = Fma.MultiplyAdd(Vector256.Create(a5[p + 2]), b0, c5);

            b0 = Avx.LoadAlignedVector256(b + 48);
            c0 = Fma.MultiplyAdd(Vector256.Create(a0[p + 3]), b0, c0);
            c1 = Fma.MultiplyAdd(Vector256.Create(a1[p + 3]), b0, c1);
            c2 = Fma.MultiplyAdd(Vector256.Create(a2[p + 3]), b0, c2);
            c3 = Fma.MultiplyAdd(Vector256.Create(a3[p + 3]), b0, c3);
            c4 = Fma.MultiplyAdd(Vector256.Create(a4[p + 3]), b0, c4);
            c5 = Fma.MultiplyAdd(Vector256.Create(a5[p + 3]), b0, c5);

            b += 4 * NR;
        }

        for (; p < kc; p++)
        {
            b0 = Avx.LoadAlignedVector256(b + 0);
            c0 = Fma.MultiplyAdd(Vector256.Create(a0[p]), b0, c0);
            c1 = Fma.MultiplyAdd(Vector256.Create(a1[p]), b0, c1);
            c2 = Fma.MultiplyAdd(Vector256.Create(a2[p]), b0, c2);
            c3 = Fma.MultiplyAdd(Vector256.Create(a3[p]), b0, c3);
            c4 = Fma.MultiplyAdd(Vector256.Create(a4[p]), b0, c4);
            c5 = Fma.MultiplyAdd(Vector256.Create(a5[p]), b0, c5);

            b += NR;
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
    }
}
