using System.Runtime.Intrinsics;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Kernels;

[TestClass]
public sealed unsafe class SgemmTests
{
    /// <summary>Every instruction set this machine can run: the portable paths are tested everywhere.</summary>
    internal static IEnumerable<SimdLevel> Levels()
    {
        yield return SimdLevel.Scalar;
        if (Vector128.IsHardwareAccelerated)
        {
            yield return SimdLevel.Vector128;
        }

        if (Sgemm.BestLevel >= SimdLevel.Avx2Fma)
        {
            yield return SimdLevel.Avx2Fma;
        }

        if (Sgemm.BestLevel == SimdLevel.Avx512)
        {
            yield return SimdLevel.Avx512;
        }
    }

    internal static float[] RandomArray(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    /// <summary>|actual − expected| ≤ 1e-5 · max(1, max |expected|) everywhere.</summary>
    internal static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        double scale = 1;
        foreach (double e in expected)
        {
            scale = Math.Max(scale, Math.Abs(e));
        }

        double tolerance = 1e-5 * scale;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (tolerance {tolerance}).");
            }
        }
    }

    /// <summary>Naive reference in double; C keeps its values outside the m×n window.</summary>
    private static double[] Reference(int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c, int ldc, bool accumulate, float[]? bias)
    {
        var result = new double[c.Length];
        for (int i = 0; i < c.Length; i++)
        {
            result[i] = c[i];
        }

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += (double)a[(i * lda) + p] * b[(p * ldb) + j];
                }

                sum += bias is null ? 0 : bias[i];
                result[(i * ldc) + j] = accumulate ? result[(i * ldc) + j] + sum : sum;
            }
        }

        return result;
    }

    private static float[] Run(int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c, int ldc, bool accumulate, float[]? bias, int dop, SimdLevel level)
    {
        var result = (float[])c.Clone();
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = result)
        fixed (float* pBias = bias)
        {
            Sgemm.Multiply(m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, bias is null ? null : pBias, dop, level);
        }

        return result;
    }

    private static void Check(int m, int n, int k, int padA, int padB, int padC, bool accumulate, bool withBias, int dop)
    {
        int lda = k + padA, ldb = n + padB, ldc = n + padC;
        float[] a = RandomArray(Math.Max(1, m * lda), 1 + m);
        float[] b = RandomArray(Math.Max(1, k * ldb), 2 + n);
        float[] c = RandomArray(Math.Max(1, m * ldc), 3 + k);
        float[]? bias = withBias ? RandomArray(m, 4) : null;
        double[] expected = Reference(m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias);
        foreach (SimdLevel level in Levels())
        {
            float[] actual = Run(m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, dop, level);
            AssertClose(expected, actual, $"m={m} n={n} k={k} lda={lda} ldb={ldb} ldc={ldc} acc={accumulate} bias={withBias} dop={dop} {level}");
        }
    }

    [TestMethod]
    public void RemaindersOfEveryDimension()
    {
        int[] sizes = [1, 2, 3, 5, 7, 17, 33];
        foreach (int m in sizes)
        {
            foreach (int n in sizes)
            {
                foreach (int k in sizes)
                {
                    Check(m, n, k, 0, 0, 0, accumulate: false, withBias: false, dop: 1);
                }
            }
        }
    }

    [TestMethod]
    [DataRow(6, 16, 256)]
    [DataRow(12, 32, 257)]
    [DataRow(13, 47, 600)]
    [DataRow(150, 40, 64)]
    [DataRow(64, 196, 97)]
    [DataRow(1, 300, 513)]
    [DataRow(301, 1, 19)]
    [DataRow(2, 3, 9000)]
    [DataRow(7, 9, 8449)]
    public void LargerShapesAndSeveralKBlocks(int m, int n, int k)
    {
        Check(m, n, k, 0, 0, 0, accumulate: false, withBias: false, dop: 1);
        Check(m, n, k, 0, 0, 0, accumulate: false, withBias: false, dop: 2);
    }

    [TestMethod]
    [DataRow(7, 19, 33, false)]
    [DataRow(7, 19, 33, true)]
    [DataRow(20, 50, 300, true)]
    public void AccumulateAndBias(int m, int n, int k, bool withBias)
    {
        Check(m, n, k, 0, 0, 0, accumulate: true, withBias, dop: 1);
        Check(m, n, k, 0, 0, 0, accumulate: false, withBias, dop: 1);
    }

    [TestMethod]
    [DataRow(5, 17, 9, 3, 5, 7)]
    [DataRow(13, 33, 300, 1, 16, 2)]
    [DataRow(1, 1, 1, 10, 10, 10)]
    public void LeadingDimensionsLargerThanWidths(int m, int n, int k, int padA, int padB, int padC)
    {
        Check(m, n, k, padA, padB, padC, accumulate: false, withBias: false, dop: 1);
        Check(m, n, k, padA, padB, padC, accumulate: true, withBias: false, dop: 2);
    }

    [TestMethod]
    public void EmptyInnerDimensionGivesZeroOrKeepsC()
    {
        Check(3, 5, 0, 0, 0, 0, accumulate: false, withBias: false, dop: 1);
        Check(3, 5, 0, 0, 0, 0, accumulate: true, withBias: true, dop: 1);
        Check(0, 5, 4, 0, 0, 0, accumulate: false, withBias: false, dop: 1);
        Check(3, 0, 4, 0, 0, 0, accumulate: false, withBias: false, dop: 1);
    }

    [TestMethod]
    [DataRow(47, 131, 301)]
    [DataRow(300, 49, 40)]
    [DataRow(64, 1000, 9)]
    public void ThreadCountDoesNotChangeBits(int m, int n, int k)
    {
        float[] a = RandomArray(m * k, 11);
        float[] b = RandomArray(k * n, 12);
        float[] c = RandomArray(m * n, 13);
        float[] bias = RandomArray(m, 14);
        foreach (SimdLevel level in new[] { SimdLevel.Scalar, Sgemm.BestLevel }.Distinct())
        {
            float[] one = Run(m, n, k, a, k, b, n, c, n, accumulate: true, bias, dop: 1, level);
            foreach (int dop in new[] { 2, 3, 4 })
            {
                float[] more = Run(m, n, k, a, k, b, n, c, n, accumulate: true, bias, dop, level);
                CollectionAssert.AreEqual(one, more, $"dop {dop} {level}");
            }
        }
    }

    [TestMethod]
    [DataRow(6, 16, 1)]
    [DataRow(13, 45, 7)]
    [DataRow(64, 300, 147)]
    [DataRow(250, 70, 600)]
    public void TheWideKernelGivesTheBitsOfTheNarrowOnes(int m, int n, int k)
    {
        if (Sgemm.BestLevel != SimdLevel.Avx512)
        {
            Assert.Inconclusive("this machine has no fast 512-bit vectors");
        }

        float[] a = RandomArray(m * k, 21);
        float[] b = RandomArray(k * n, 22);
        float[] c = RandomArray(m * n, 23);
        float[] bias = RandomArray(m, 24);
        foreach (var accumulate in new[] { false, true })
        {
            foreach (var rowBias in new[] { null, bias })
            {
                CollectionAssert.AreEqual(
                    Run(m, n, k, a, k, b, n, c, n, accumulate, rowBias, dop: 2, SimdLevel.Avx2Fma),
                    Run(m, n, k, a, k, b, n, c, n, accumulate, rowBias, dop: 2, SimdLevel.Avx512),
                    $"accumulate {accumulate}, bias {rowBias is not null}");
            }
        }
    }

    [TestMethod]
    public void PublicOverloadMatchesReference()
    {
        const int m = 9, n = 21, k = 40;
        float[] a = RandomArray(m * k, 21);
        float[] b = RandomArray(k * n, 22);
        float[] c = new float[m * n];
        double[] expected = Reference(m, n, k, a, k, b, n, c, n, accumulate: false, bias: null);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Sgemm.Multiply(m, n, k, pa, k, pb, n, pc, n, accumulate: false, maxDegreeOfParallelism: 0);
        }

        AssertClose(expected, c, "public overload");
    }
}
