using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

internal static unsafe partial class Sgemm
{
    /// <summary>
    /// Supplies B to the GEMM one packed panel at a time: rows pc..pc+kc of columns
    /// panel·NR..panel·NR+NR-1, written as kc rows of <see cref="NR"/> floats (row r of the panel at
    /// dst + r·NR), zero past column n. dst is 64-byte aligned. Implementations must be safe to call
    /// from several threads at once and must write the same values whatever the calling thread.
    /// </summary>
    internal interface IPanelSource
    {
        void PackPanel(int panel, int pc, int kc, float* dst);
    }

    /// <summary>Row-major B: B[r, j] at b[r·ldb + j].</summary>
    internal readonly struct RowMajorB(float* b, int ldb, int n, SimdLevel level) : IPanelSource
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void PackPanel(int panel, int pc, int kc, float* dst)
        {
            int col = panel * NR;
            float* src = b + ((nint)pc * ldb) + col;
            int cols = Math.Min(NR, n - col);
            if (cols == NR)
            {
                for (int r = 0; r < kc; r++, src += ldb, dst += NR)
                {
                    Copy16(src, dst, level);
                }

                return;
            }

            for (int r = 0; r < kc; r++, src += ldb, dst += NR)
            {
                int j = 0;
                for (; j < cols; j++)
                {
                    dst[j] = src[j];
                }

                for (; j < NR; j++)
                {
                    dst[j] = 0f;
                }
            }
        }
    }

    /// <summary>B given transposed: B[r, j] at bt[j·ldbt + r] (Bᵀ row-major).</summary>
    internal readonly struct TransposedB(float* bt, int ldbt, int n) : IPanelSource
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void PackPanel(int panel, int pc, int kc, float* dst)
        {
            int col = panel * NR;
            int cols = Math.Min(NR, n - col);
            for (int j = 0; j < NR; j++)
            {
                if (j < cols)
                {
                    float* src = bt + ((nint)(col + j) * ldbt) + pc;
                    for (int r = 0; r < kc; r++)
                    {
                        dst[(r * NR) + j] = src[r];
                    }
                }
                else
                {
                    for (int r = 0; r < kc; r++)
                    {
                        dst[(r * NR) + j] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs one A micro-panel: rows 0..rows-1 (rows ≤ MR; missing rows repeat the last one) of the
    /// block at <paramref name="a"/> (row stride lda), columns 0..kc-1, as kc steps of MR floats.
    /// The AVX2 path writes up to 2 floats past MR·kc (the next micro-panel or slack absorbs them).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackA(float* a, nint lda, int rows, int kc, float* dst, SimdLevel level)
    {
        float* r0 = a;
        float* r1 = rows > 1 ? r0 + lda : r0;
        float* r2 = rows > 2 ? r1 + lda : r1;
        float* r3 = rows > 3 ? r2 + lda : r2;
        float* r4 = rows > 4 ? r3 + lda : r3;
        float* r5 = rows > 5 ? r4 + lda : r4;
        int p = 0;
        if (level >= SimdLevel.Avx2Fma)
        {
            // 8 columns at a time: an 8×8 transpose of the 6 rows and two zero rows, each transposed
            // row stored 6 floats after the previous one (its last 2 floats are overwritten next).
            for (; p + 8 <= kc; p += 8, dst += 8 * MR)
            {
                Vector256<float> t0 = Avx.UnpackLow(Vector256.Load(r0 + p), Vector256.Load(r1 + p));
                Vector256<float> t1 = Avx.UnpackHigh(Vector256.Load(r0 + p), Vector256.Load(r1 + p));
                Vector256<float> t2 = Avx.UnpackLow(Vector256.Load(r2 + p), Vector256.Load(r3 + p));
                Vector256<float> t3 = Avx.UnpackHigh(Vector256.Load(r2 + p), Vector256.Load(r3 + p));
                Vector256<float> t4 = Avx.UnpackLow(Vector256.Load(r4 + p), Vector256.Load(r5 + p));
                Vector256<float> t5 = Avx.UnpackHigh(Vector256.Load(r4 + p), Vector256.Load(r5 + p));
                Vector256<float> zero = Vector256<float>.Zero;
                Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44);
                Vector256<float> s1 = Avx.Shuffle(t0, t2, 0xEE);
                Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44);
                Vector256<float> s3 = Avx.Shuffle(t1, t3, 0xEE);
                Vector256<float> s4 = Avx.Shuffle(t4, zero, 0x44);
                Vector256<float> s5 = Avx.Shuffle(t4, zero, 0xEE);
                Vector256<float> s6 = Avx.Shuffle(t5, zero, 0x44);
                Vector256<float> s7 = Avx.Shuffle(t5, zero, 0xEE);
                Vector256.Store(Avx.Permute2x128(s0, s4, 0x20), dst);
                Vector256.Store(Avx.Permute2x128(s1, s5, 0x20), dst + 6);
                Vector256.Store(Avx.Permute2x128(s2, s6, 0x20), dst + 12);
                Vector256.Store(Avx.Permute2x128(s3, s7, 0x20), dst + 18);
                Vector256.Store(Avx.Permute2x128(s0, s4, 0x31), dst + 24);
                Vector256.Store(Avx.Permute2x128(s1, s5, 0x31), dst + 30);
                Vector256.Store(Avx.Permute2x128(s2, s6, 0x31), dst + 36);
                Vector256.Store(Avx.Permute2x128(s3, s7, 0x31), dst + 42);
            }
        }

        for (; p < kc; p++, dst += MR)
        {
            dst[0] = r0[p];
            dst[1] = r1[p];
            dst[2] = r2[p];
            dst[3] = r3[p];
            dst[4] = r4[p];
            dst[5] = r5[p];
        }
    }

    /// <summary>Copies 16 floats.</summary>
    internal static void Copy16(float* src, float* dst, SimdLevel level)
    {
        if (level >= SimdLevel.Avx2Fma)
        {
            Vector256.Store(Vector256.Load(src), dst);
            Vector256.Store(Vector256.Load(src + 8), dst + 8);
        }
        else if (level == SimdLevel.Vector128)
        {
            Vector128.Store(Vector128.Load(src), dst);
            Vector128.Store(Vector128.Load(src + 4), dst + 4);
            Vector128.Store(Vector128.Load(src + 8), dst + 8);
            Vector128.Store(Vector128.Load(src + 12), dst + 12);
        }
        else
        {
            for (int j = 0; j < 16; j++)
            {
                dst[j] = src[j];
            }
        }
    }
}
