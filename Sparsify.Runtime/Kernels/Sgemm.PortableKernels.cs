using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sparsify.Runtime.Kernels;

internal static unsafe partial class Sgemm
{
    /// <summary>6×16 block with 128-bit vectors (24 accumulators: made for NEON's 32 registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void KernelVector128(int kc, float* a, float* b, float* c, nint ldc, int rows, int cols, bool add, float* bias)
    {
        float* t = stackalloc float[MR * NR];
        for (int i = 0; i < rows; i++)
        {
            Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
            float* ap = a + i;
            float* bp = b;
            for (int p = 0; p < kc; p++, ap += MR, bp += NR)
            {
                Vector128<float> av = Vector128.Create(*ap);
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
    internal static void KernelScalar(int kc, float* a, float* b, float* c, nint ldc, int rows, int cols, bool add, float* bias)
    {
        float* t = stackalloc float[MR * NR];
        for (int i = 0; i < rows; i++)
        {
            float* ti = t + (i * NR);
            for (int j = 0; j < NR; j++)
            {
                ti[j] = 0f;
            }

            float* ap = a + i;
            float* bp = b;
            for (int p = 0; p < kc; p++, ap += MR, bp += NR)
            {
                float av = *ap;
                for (int j = 0; j < NR; j++)
                {
                    ti[j] += av * bp[j];
                }
            }
        }

        StorePartial(t, c, ldc, rows, cols, add, bias);
    }

    /// <summary>Writes the kept part of an MR×NR block of sums held in <paramref name="t"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
}
