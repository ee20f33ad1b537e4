using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

internal static unsafe partial class Sgemm
{
    // Every micro-kernel computes a full MR×NR block from a packed A micro-panel (kc steps of MR
    // floats; rows past `rows` repeat the last row) and a packed B panel (kc steps of NR floats).
    // Only the first `rows` × `cols` results are stored, so each kept element is the same chain of
    // fused multiply-adds whatever the block's size, and partial blocks round exactly like full ones.
    // Epilogue: value = sum (+ bias[row]) (+ C), in that order, for full and partial blocks alike.

    /// <summary>6×16 block with AVX2 + FMA3: 12 accumulators, 2 B vectors and 1 broadcast of 16 YMM.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void KernelAvx2(int kc, float* a, float* b, float* c, nint ldc, int rows, int cols, bool add, float* bias)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector256<float> b0, b1, av;

        int p = kc;
        for (; p >= 4; p -= 4)
        {
            b0 = Avx.LoadAlignedVector256(b + 0);
            b1 = Avx.LoadAlignedVector256(b + 8);
            av = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(av, b0, c00);
            c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(av, b0, c10);
            c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(av, b0, c20);
            c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(av, b0, c30);
            c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(av, b0, c40);
            c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(av, b0, c50);
            c51 = Fma.MultiplyAdd(av, b1, c51);

            b0 = Avx.LoadAlignedVector256(b + 16);
            b1 = Avx.LoadAlignedVector256(b + 24);
            av = Vector256.Create(a[6]);
            c00 = Fma.MultiplyAdd(av, b0, c00);
            c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[7]);
            c10 = Fma.MultiplyAdd(av, b0, c10);
            c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[8]);
            c20 = Fma.MultiplyAdd(av, b0, c20);
            c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[9]);
            c30 = Fma.MultiplyAdd(av, b0, c30);
            c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[10]);
            c40 = Fma.MultiplyAdd(av, b0, c40);
            c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[11]);
            c50 = Fma.MultiplyAdd(av, b0, c50);
            c51 = Fma.MultiplyAdd(av, b1, c51);

            b0 = Avx.LoadAlignedVector256(b + 32);
            b1 = Avx.LoadAlignedVector256(b + 40);
            av = Vector256.Create(a[12]);
            c00 = Fma.MultiplyAdd(av, b0, c00);
            c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[13]);
            c10 = Fma.MultiplyAdd(av, b0, c10);
            c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[14]);
            c20 = Fma.MultiplyAdd(av, b0, c20);
            c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[15]);
            c30 = Fma.MultiplyAdd(av, b0, c30);
            c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[16]);
            c40 = Fma.MultiplyAdd(av, b0, c40);
            c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[17]);
            c50 = Fma.MultiplyAdd(av, b0, c50);
            c51 = Fma.MultiplyAdd(av, b1, c51);

            b0 = Avx.LoadAlignedVector256(b + 48);
            b1 = Avx.LoadAlignedVector256(b + 56);
            av = Vector256.Create(a[18]);
            c00 = Fma.MultiplyAdd(av, b0, c00);
            c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[19]);
            c10 = Fma.MultiplyAdd(av, b0, c10);
            c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[20]);
            c20 = Fma.MultiplyAdd(av, b0, c20);
            c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[21]);
            c30 = Fma.MultiplyAdd(av, b0, c30);
            c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[22]);
            c40 = Fma.MultiplyAdd(av, b0, c40);
            c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[23]);
            c50 = Fma.MultiplyAdd(av, b0, c50);
            c51 = Fma.MultiplyAdd(av, b1, c51);

            a += 4 * MR;
            b += 4 * NR;
        }

        for (; p > 0; p--)
        {
            b0 = Avx.LoadAlignedVector256(b + 0);
            b1 = Avx.LoadAlignedVector256(b + 8);
            av = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(av, b0, c00);
            c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(av, b0, c10);
            c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(av, b0, c20);
            c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(av, b0, c30);
            c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(av, b0, c40);
            c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(av, b0, c50);
            c51 = Fma.MultiplyAdd(av, b1, c51);

            a += MR;
            b += NR;
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

        // Partial block: masked stores of the first `cols` columns of the first `rows` rows.
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

    /// <summary>As <see cref="StoreRow256"/> for the lanes set in the masks only (others untouched).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRowMasked(float* c, Vector256<float> lo, Vector256<float> hi, Vector256<float> maskLo, Vector256<float> maskHi, bool add, float* bias, int row)
    {
        if (bias != null)
        {
            Vector256<float> bv = Vector256.Create(bias[row]);
            lo += bv;
            hi += bv;
        }

        if (add)
        {
            lo += Avx.MaskLoad(c, maskLo);
            hi += Avx.MaskLoad(c + 8, maskHi);
        }

        Avx.MaskStore(c, maskLo, lo);
        Avx.MaskStore(c + 8, maskHi, hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow256(float* c, Vector256<float> lo, Vector256<float> hi, bool add, float* bias, int row)
    {
        if (bias != null)
        {
            Vector256<float> bv = Vector256.Create(bias[row]);
            lo += bv;
            hi += bv;
        }

        if (add)
        {
            lo += Vector256.Load(c);
            hi += Vector256.Load(c + 8);
        }

        Vector256.Store(lo, c);
        Vector256.Store(hi, c + 8);
    }
}
