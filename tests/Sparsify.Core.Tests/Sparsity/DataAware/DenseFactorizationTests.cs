using Sparsify.Core.Sparsity.DataAware;

namespace Sparsify.Core.Tests.Sparsity.DataAware;

[TestClass]
public sealed class DenseFactorizationTests
{
    // Sizes on both sides of the 128-column block and of the recursion's split.
    [TestMethod]
    [DataRow(1)]
    [DataRow(7)]
    [DataRow(128)]
    [DataRow(300)]
    public void CholeskyReproducesTheMatrix(int n)
    {
        var a = Spd(n, seed: n);
        var l = ToFloat(a);
        Assert.IsTrue(DenseFactorization.TryCholesky(l, n, 2));
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var k = 0; k < n; k++)
                {
                    sum += (double)l[(i * n) + k] * l[(j * n) + k];
                }

                Assert.AreEqual(a[(i * n) + j], sum, 1e-3 * (1 + Math.Abs(a[(i * n) + j])), $"({i}, {j})");
                if (j > i)
                {
                    Assert.AreEqual(0f, l[(i * n) + j]);
                }
            }
        }
    }

    [TestMethod]
    public void CholeskyRefusesAnIndefiniteMatrix()
    {
        var a = ToFloat(Spd(200, seed: 3));
        a[(150 * 200) + 150] = -1000;
        Assert.IsFalse(DenseFactorization.TryCholesky(a, 200, 1));
    }

    [TestMethod]
    [DataRow(5)]
    [DataRow(260)]
    public void InverseUpperFactorInvertsTheDampedMatrix(int n)
    {
        var h = Spd(n, seed: 11);
        var m = DenseFactorization.InverseUpperFactor(h, n, 0.01, 2, out var lambda);
        Assert.IsGreaterThan(0.0, lambda);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < i; j++)
            {
                Assert.AreEqual(0f, m[(i * n) + j], "M must be upper triangular");
            }
        }

        // (MᵀM)·(H + λI) = I.
        var inverse = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var k = 0; k < n; k++)
                {
                    sum += (double)m[(k * n) + i] * m[(k * n) + j];
                }

                inverse[(i * n) + j] = sum;
            }
        }

        for (var i = 0; i < n; i += Math.Max(1, n / 17))
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var k = 0; k < n; k++)
                {
                    sum += inverse[(i * n) + k] * (h[(k * n) + j] + (k == j ? lambda : 0));
                }

                Assert.AreEqual(i == j ? 1 : 0, sum, 2e-3, $"({i}, {j})");
            }
        }
    }

    [TestMethod]
    public void ARankDeficientMatrixStillGivesAFiniteFactor()
    {
        // Two identical columns and an all-zero one (a dead input): H is singular.
        const int n = 6;
        var x = new double[n];
        var h = new double[n * n];
        var random = new Random(5);
        for (var s = 0; s < 3; s++)
        {
            for (var i = 0; i < n; i++)
            {
                x[i] = i == 5 ? 0 : random.NextDouble();
            }

            x[1] = x[0];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    h[(i * n) + j] += x[i] * x[j];
                }
            }
        }

        var m = DenseFactorization.InverseUpperFactor(h, n, 0.01, 1, out _);
        Assert.IsTrue(m.All(float.IsFinite));
    }

    [TestMethod]
    public void AllZeroStatisticsFactor()
    {
        var m = DenseFactorization.InverseUpperFactor(new double[16], 4, 0.01, 1, out var lambda);
        Assert.IsTrue(m.All(float.IsFinite));
        Assert.AreEqual(0.01, lambda, 1e-12);
    }

    // A = B·Bᵀ / n + I: well conditioned, symmetric positive definite.
    private static double[] Spd(int n, int seed)
    {
        var random = new Random(seed);
        var b = new double[n * n];
        for (var i = 0; i < b.Length; i++)
        {
            b[i] = random.NextDouble() - 0.5;
        }

        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                double sum = 0;
                for (var k = 0; k < n; k++)
                {
                    sum += b[(i * n) + k] * b[(j * n) + k];
                }

                a[(i * n) + j] = a[(j * n) + i] = (sum / n) + (i == j ? 1 : 0);
            }
        }

        return a;
    }

    private static float[] ToFloat(double[] values) => values.Select(v => (float)v).ToArray();
}
