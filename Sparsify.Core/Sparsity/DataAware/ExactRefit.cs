using Sparsify.Runtime.Kernels;

namespace Sparsify.Core.Sparsity.DataAware;

/// <summary>
/// The exact least-squares weights for a chosen mask where rows share it (a locality group): with the
/// removed columns P at zero, the kept ones S minimise (v − u)ᵀH(v − u), so
/// (H_SS + λI)·v_S = (H·u)_S + λ·u_S, one Cholesky factorisation per group for its G rows. The sweep
/// only compensates columns to the right of each removal; this solve is the optimum for the mask it chose.
/// </summary>
internal static class ExactRefit
{
    /// <summary>
    /// Replaces the kept weights of each group of <paramref name="groups"/> (rows relative to the
    /// conv group) in <paramref name="weights"/> (rows × n) by their optimum for target rows
    /// <paramref name="target"/>; <paramref name="removed"/> (rows × prunable) marks the mask.
    /// Groups whose system does not factor keep the sweep's weights.
    /// </summary>
    public static void SharedColumns(
        float[] weights, float[] target, int rows, int n, int prunable, bool[] removed, float[] gram, double lambda,
        IEnumerable<(int FirstRow, int RowCount)> groups, int threads)
    {
        var hu = new float[(long)rows * n];
        Gemm.Multiply(rows, n, n, target, n, gram, n, hu, n, false, threads);
        foreach (var (firstRow, rowCount) in groups)
        {
            var kept = Enumerable.Range(0, n).Where(c => c >= prunable || !removed[(firstRow * prunable) + c]).ToArray();
            var k = kept.Length;
            var system = new float[(long)k * k];
            for (var i = 0; i < k; i++)
            {
                var row = (long)kept[i] * n;
                for (var j = 0; j <= i; j++)
                {
                    system[((long)i * k) + j] = gram[row + kept[j]];
                }

                system[((long)i * k) + i] += (float)lambda;
            }

            if (!DenseFactorization.TryCholesky(system, k, threads))
            {
                continue;
            }

            var upper = new float[(long)k * k];
            DenseFactorization.Transpose(system, k, k, k, upper, k);
            var rhs = new double[k];
            for (var r = firstRow; r < firstRow + rowCount; r++)
            {
                for (var i = 0; i < k; i++)
                {
                    rhs[i] = hu[((long)r * n) + kept[i]] + (lambda * target[((long)r * n) + kept[i]]);
                }

                Solve(system, upper, k, rhs);
                if (!rhs.All(double.IsFinite))
                {
                    continue;
                }

                for (var i = 0; i < k; i++)
                {
                    weights[((long)r * n) + kept[i]] = (float)rhs[i];
                }
            }
        }
    }

    // L·Lᵀ·x = b in place: forward substitution with L, backward with Lᵀ (both read by rows).
    private static void Solve(float[] l, float[] lt, int k, double[] b)
    {
        for (var i = 0; i < k; i++)
        {
            var s = b[i];
            var row = (long)i * k;
            for (var j = 0; j < i; j++)
            {
                s -= l[row + j] * b[j];
            }

            b[i] = s / l[row + i];
        }

        for (var i = k - 1; i >= 0; i--)
        {
            var s = b[i];
            var row = (long)i * k;
            for (var j = i + 1; j < k; j++)
            {
                s -= lt[row + j] * b[j];
            }

            b[i] = s / lt[row + i];
        }
    }
}
