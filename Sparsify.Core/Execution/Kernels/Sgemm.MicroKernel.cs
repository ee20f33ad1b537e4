using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Core.Execution.Kernels;

internal static unsafe partial class Sgemm
{
    // Every micro-kernel computes a full MR×NR block: rows past `rows` re-read the last valid row of A
    // (their results are dropped) and packed B is zero past column n. So each kept element is the same
    // chain of operations whatever the block's size, and partial blocks round exactly like full ones.
    // Epilogue: value = sum (+ bias[row]) (+ C), in that order, for full and partial blocks alike.

    /// <summary>6×16 block with AVX2 + FMA3: 12 accumulators, 2 B vectors and 1 broadcast of 16 YMM.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void KernelAvx2(int kc, float* a, nint lda, float* b, float* c, nint ldc, int rows, int cols, bool add, float* bias)
    {
        float* a0 = a;
        float* a1 = rows > 1 ? a0 + lda : a0;
        float* a2 = rows > 2 ? a1 + lda : a1;
        float* a3 = rows > 3 ? a2 + lda : a2;
        float* a4 = rows > 4 ? a3 + lda : a3;
        float* a5 = rows > 5 ? a4 + lda : a4;

        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;

        nint p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            Vector256<float> b0 = Avx.LoadAlignedVector256(b);
            Vector256<float> b1 = Avx.LoadAlignedVector256(b + 8);
            Vector256<float> av = Vector256.Create(a0[p]);
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
            b += 32;
        }

        if (p < kc)
        {
            Vector256<float> b0 = Avx.LoadAlignedVector256(b);
            Vector256<float> b1 = Avx.LoadAlignedVector256(b + 8);
            Vector256<float> av = Vector256.Create(a0[p]);
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

        float* t = stackalloc float[MR * NR];
        Vector256.Store(c00, t);
        Vector256.Store(c01, t + 8);
        Vector256.Store(c10, t + 16);
        Vector256.Store(c11, t + 24);
        Vector256.Store(c20, t + 32);
        Vector256.Store(c21, t + 40);
        Vector256.Store(c30, t + 48);
        Vector256.Store(c31, t + 56);
        Vector256.Store(c40, t + 64);
        Vector256.Store(c41, t + 72);
        Vector256.Store(c50, t + 80);
        Vector256.Store(c51, t + 88);
        StorePartial(t, c, ldc, rows, cols, add, bias);
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

    /// <summary>Writes the kept part of an MR×NR block of sums held in <paramref name="t"/>.</summary>
    private static void StorePartial(float* t, float* c, nint ldc, int rows, int cols, bool add, float* bias)
    {
        for (int i = 0; i < rows; i++, t += NR, c += ldc)
        {
            float bv = bias == null ? 0f : bias[i];
            for (int j = 0; j < cols; j++)
            {
                float v = t[j];
                if (bias != null)
                {
                    v += bv;
                }

                if (add)
                {
                    v += c[j];
                }

                c[j] = v;
            }
        }
    }

    /// <summary>6×16 block with 128-bit vectors (24 accumulators: made for NEON's 32 registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void KernelVector128(int kc, float* a, nint lda, float* b, float* c, nint ldc, int rows, int cols, bool add, float* bias)
    {
        float* t = stackalloc float[MR * NR];
        for (int i = 0; i < rows; i++)
        {
            float* ai = a + (i * lda);
            Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
            float* bp = b;
            for (nint p = 0; p < kc; p++, bp += NR)
            {
                Vector128<float> av = Vector128.Create(ai[p]);
                s0 = Vector128.MultiplyAddEstimate(av, Vector128.Load(bp), s0);
                s1 = Vector128.MultiplyAddEstimate(av, Vector128.Load(bp + 4), s1);
                s2 = Vector128.MultiplyAddEstimate(av, Vector128.Load(bp + 8), s2);
                s3 = Vector128.MultiplyAddEstimate(av, Vector128.Load(bp + 12), s3);
            }

            Vector128.Store(s0, t + (i * NR));
            Vector128.Store(s1, t + (i * NR) + 4);
            Vector128.Store(s2, t + (i * NR) + 8);
            Vector128.Store(s3, t + (i * NR) + 12);
        }

        StorePartial(t, c, ldc, rows, cols, add, bias);
    }

    /// <summary>Portable scalar block, for machines without usable vectors.</summary>
    internal static void KernelScalar(int kc, float* a, nint lda, float* b, float* c, nint ldc, int rows, int cols, bool add, float* bias)
    {
        float* t = stackalloc float[MR * NR];
        for (int i = 0; i < rows; i++)
        {
            float* ai = a + (i * lda);
            float* ti = t + (i * NR);
            for (int j = 0; j < NR; j++)
            {
                ti[j] = 0f;
            }

            float* bp = b;
            for (nint p = 0; p < kc; p++, bp += NR)
            {
                float av = ai[p];
                for (int j = 0; j < NR; j++)
                {
                    ti[j] += av * bp[j];
                }
            }
        }

        StorePartial(t, c, ldc, rows, cols, add, bias);
    }
}
