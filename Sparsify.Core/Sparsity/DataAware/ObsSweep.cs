using Sparsify.Runtime.Kernels;

namespace Sparsify.Core.Sparsity.DataAware;

/// <summary>
/// Chooses which weights of a block of columns to remove, from the weights as the sweep has updated
/// them so far and the OBS denominators of the block's columns. Each scheme's structure lives here.
/// </summary>
internal interface IObsSelector
{
    /// <summary>
    /// Columns the selector decides at once (a multiple of it starts each decision): N:M decides each
    /// block of M; 0 or less decides a whole sweep block at its start.
    /// </summary>
    int Width { get; }

    /// <summary>
    /// Called once per conv group before its sweep, with the refit weights (rows × n) and the full
    /// diagonal of H⁻¹: a selector can spread its removal count over the blocks of
    /// <paramref name="blockColumns"/> by this global ranking, instead of evenly.
    /// </summary>
    void Prepare(int convGroup, ReadOnlySpan<float> weights, int n, int prunable, ReadOnlySpan<float> inverseDiagonal, int blockColumns);

    /// <summary>
    /// Marks in <paramref name="remove"/> (rows × <paramref name="count"/>, row-major, cleared) the
    /// weights to remove among columns [<paramref name="first"/>, first + count) of one conv group:
    /// <paramref name="weights"/> holds the group's current weights of those columns
    /// (rows × count), <paramref name="denominators"/> each column's [H⁻¹]ⱼⱼ as the sweep sees it.
    /// Bias columns are never offered.
    /// </summary>
    void Select(int convGroup, int first, int count, ReadOnlySpan<float> weights, ReadOnlySpan<float> denominators, Span<bool> remove);
}

/// <summary>
/// The second-order sweep of SparseGPT (Frantar and Alistarh, ICML 2023) over one conv group's
/// weights: columns are visited left to right; a removed weight's error is spread over the columns
/// not yet visited through the upper Cholesky factor M of H⁻¹ (OBS's optimal update, row by row),
/// so later choices see weights that already compensate for earlier ones. The updates of a block of
/// columns reach the rest in one GEMM. The bias column (last) is never removed and absorbs its share.
/// </summary>
internal static class ObsSweep
{
    private const int BlockColumns = 128;

    /// <summary>
    /// Sweeps <paramref name="weights"/> (rows × n, row-major, updated in place; removed weights end
    /// at exactly 0) with the factor <paramref name="inverseFactor"/> (n × n, upper);
    /// <paramref name="prunable"/> columns (the first ones) may be removed. Returns the sweep's
    /// estimate of the added output error Σ w²/[H⁻¹]ⱼⱼ / 2, and marks the removed weights in
    /// <paramref name="removed"/> (rows × prunable).
    /// </summary>
    public static double Run(float[] weights, int rows, int n, int prunable, float[] inverseFactor, IObsSelector selector, int convGroup, bool[] removed, int threads)
    {
        var width = selector.Width <= 0 ? BlockColumns : selector.Width;
        var block = Math.Max(width, BlockColumns / width * width);
        var w1 = new float[rows * block];
        var err = new float[rows * block];
        var remove = new bool[rows * block];
        var denominators = new float[block];
        var inverseDiagonal = new float[n];
        for (var k = 0; k < n; k++)
        {
            var row = inverseFactor.AsSpan((int)((long)k * n), n);
            for (var j = k; j < n; j++)
            {
                inverseDiagonal[j] += row[j] * row[j];
            }
        }

        selector.Prepare(convGroup, weights.AsSpan(0, rows * n), n, prunable, inverseDiagonal, block);
        double loss = 0;
        for (var i1 = 0; i1 < n; i1 += block)
        {
            var count = Math.Min(block, n - i1);
            for (var r = 0; r < rows; r++)
            {
                weights.AsSpan((r * n) + i1, count).CopyTo(w1.AsSpan(r * count, count));
            }

            Array.Clear(remove);
            for (var j = 0; j < count; j++)
            {
                var d = inverseFactor[((long)(i1 + j) * n) + i1 + j];
                denominators[j] = d * d;
            }

            for (var i = 0; i < count; i++)
            {
                var column = i1 + i;
                if (i % width == 0 && column < prunable)
                {
                    var span = Math.Min(Math.Min(width, count - i), prunable - column);
                    SelectInBlock(selector, convGroup, column, i, span, count, rows, w1, denominators, remove);
                }

                var d = inverseFactor[((long)column * n) + column];
                var factorRow = inverseFactor.AsSpan((int)(((long)column * n) + i1), count);
                for (var r = 0; r < rows; r++)
                {
                    var row = w1.AsSpan(r * count, count);
                    var w = row[i];
                    if (!remove[(r * count) + i])
                    {
                        err[(r * count) + i] = 0;
                        continue;
                    }

                    var e = w / d;
                    loss += (double)e * e / 2;
                    err[(r * count) + i] = e;
                    for (var j = i + 1; j < count; j++)
                    {
                        row[j] -= e * factorRow[j];
                    }

                    row[i] = 0;
                    removed[(r * prunable) + column] = true;
                }
            }

            for (var r = 0; r < rows; r++)
            {
                w1.AsSpan(r * count, count).CopyTo(weights.AsSpan((r * n) + i1, count));
            }

            var rest = n - i1 - count;
            if (rest > 0)
            {
                for (var k = 0; k < rows * count; k++)
                {
                    err[k] = -err[k];
                }

                Gemm.Multiply(rows, rest, count, err, count, inverseFactor.AsSpan((int)(((long)i1 * n) + i1 + count)), n, weights.AsSpan(i1 + count), n, true, threads);
            }
        }

        return loss;
    }

    // Hands the selector the columns [i, i + span) of the block as their own rows × span matrix.
    private static void SelectInBlock(IObsSelector selector, int convGroup, int column, int i, int span, int count, int rows, float[] w1, float[] denominators, bool[] remove)
    {
        var weights = new float[rows * span];
        var flags = new bool[rows * span];
        for (var r = 0; r < rows; r++)
        {
            w1.AsSpan((r * count) + i, span).CopyTo(weights.AsSpan(r * span, span));
        }

        selector.Select(convGroup, column, span, weights, denominators.AsSpan(i, span), flags);
        for (var r = 0; r < rows; r++)
        {
            flags.AsSpan(r * span, span).CopyTo(remove.AsSpan((r * count) + i, span));
        }
    }
}
