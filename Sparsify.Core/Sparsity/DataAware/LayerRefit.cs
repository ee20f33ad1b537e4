using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Core.Sparsity.DataAware;

/// <summary>
/// One layer's data-aware pruning from its statistics, per conv group: the refit of the dense
/// weights to the dense outputs, u = w + (H + λI)⁻¹(C − H)·w (ridge towards w, so that where the
/// inputs did not change u = w), then the OBS sweep in the scheme's structure (filter: whole rows by
/// their output energy uᵀHu), written back into the layer's weights and bias.
/// </summary>
internal static class LayerRefit
{
    public static (LayerPruning Pruning, DataAwareLayerResult Result) Prune(
        ISparsityScheme scheme, LayerPruning magnitude, LayerStatistics statistics, SchemeSettings settings, double dampening, int threads)
    {
        var matrix = magnitude.Matrix;
        var sparsity = magnitude.Report.RequestedSparsity;
        SchemeChecks.Validate(matrix, sparsity, settings);
        var bias = WeightMatrix.BiasOf(matrix.Layer);
        var rowsPerGroup = matrix.Rows / matrix.ConvGroups;
        var columns = matrix.Columns;
        var n = statistics.Size;
        var selector = scheme.Name == "filter" ? null : ObsSelectors.For(scheme.Name, matrix, sparsity, settings)
            ?? throw new ArgumentException($"the {scheme.Name} scheme has no data-aware form", nameof(scheme));
        var removed = new bool[matrix.Values.Length];
        var refit = new float[matrix.ConvGroups][];
        var energy = new double[matrix.Rows];
        double error = 0, total = 0, lambda = 0;
        for (var g = 0; g < matrix.ConvGroups; g++)
        {
            var w = GroupWeights(matrix, bias, statistics.HasBias, g, n);

            var h = statistics.Gram[g];
            var inverse = DenseFactorization.InverseUpperFactor(h, n, dampening, threads, out lambda);
            var u = statistics.Cross is { } cross ? Refit(w, rowsPerGroup, n, h, cross[g], inverse, threads) : w;
            var hFloat = ToFloat(h);
            var start = (float[])u.Clone();
            RowEnergies(start, rowsPerGroup, n, hFloat, energy.AsSpan(g * rowsPerGroup, rowsPerGroup), threads);
            total += energy.AsSpan(g * rowsPerGroup, rowsPerGroup).ToArray().Sum();
            // Nothing to remove (a layer a fidelity plan keeps dense): the refit alone, no sweep.
            if (selector is not null && sparsity > 0)
            {
                var groupRemoved = new bool[(long)rowsPerGroup * columns];
                ObsSweep.Run(u, rowsPerGroup, n, columns, inverse, selector, g, groupRemoved, threads);
                if (magnitude.Report.Layout == PartitionLayout.Groups)
                {
                    var groups = ChannelGroups.Of(matrix, settings.GroupSize).Where(cg => cg.ConvGroup == g).Select(cg => (cg.FirstRow - (g * rowsPerGroup), cg.RowCount));
                    ExactRefit.SharedColumns(u, start, rowsPerGroup, n, columns, groupRemoved, hFloat, lambda, groups, threads);
                }

                groupRemoved.CopyTo(removed, g * rowsPerGroup * columns);
                for (var i = 0; i < start.Length; i++)
                {
                    start[i] = u[i] - start[i];
                }

                var change = new double[rowsPerGroup];
                RowEnergies(start, rowsPerGroup, n, hFloat, change, threads);
                error += change.Sum();
            }

            refit[g] = u;
        }

        if (selector is null && sparsity > 0)
        {
            error = RemoveRows(matrix, sparsity, statistics, refit, energy, removed);
        }

        WriteBack(matrix, statistics.HasBias, refit);

        // Exact zeros where removed: the sweep's last updates may leave rounding residue in no weight, but the mask is the contract.
        var mask = SparsityMask.FromFlags(matrix.Rows, columns, removed.Select(x => !x).ToArray());
        mask.Apply(matrix.Values);
        var relative = total > 0 ? error / total : 0;
        var notes = magnitude.Report.Notes
            .Append(LayerReports.Invariant($"data-aware: {statistics.Samples:N0} input samples, refit to the dense outputs; added output error {relative:0.####} of the output energy"))
            .ToArray();
        var report = LayerReports.Build(matrix, mask, scheme.Name, sparsity, settings, magnitude.Report.Layout, notes);
        return (new LayerPruning(matrix, mask, report), new DataAwareLayerResult(matrix.LayerName, statistics.Samples, relative, lambda));
    }

    /// <summary>
    /// The output error the layer's data-aware pruning adds at each of <paramref name="sparsities"/>,
    /// relative to its output energy, on inputs as the dense network feeds it; the weights are not changed.
    /// </summary>
    public static IReadOnlyList<SensitivityPoint> ErrorCurve(
        ISparsityScheme scheme, WeightMatrix matrix, LayerStatistics statistics, SchemeSettings settings, IReadOnlyList<double> sparsities, double dampening, int threads) =>
        Variants(scheme, matrix, statistics, settings, sparsities, dampening, threads, _ => false).Select(v => v.Point).ToArray();

    /// <summary>
    /// As <see cref="ErrorCurve"/>, and the swept weights of each sparsity for which
    /// <paramref name="keepWeights"/> holds (removed weights exactly zero), to be put in with <see cref="WriteBack"/>.
    /// </summary>
    public static IReadOnlyList<LayerVariant> Variants(
        ISparsityScheme scheme, WeightMatrix matrix, LayerStatistics statistics, SchemeSettings settings, IReadOnlyList<double> sparsities, double dampening, int threads,
        Func<double, bool> keepWeights)
    {
        var bias = WeightMatrix.BiasOf(matrix.Layer);
        var rowsPerGroup = matrix.Rows / matrix.ConvGroups;
        var columns = matrix.Columns;
        var n = statistics.Size;
        var groups = new (float[] Weights, float[] Inverse, float[] Gram)[matrix.ConvGroups];
        double total = 0;
        for (var g = 0; g < matrix.ConvGroups; g++)
        {
            var w = GroupWeights(matrix, bias, statistics.HasBias, g, n);

            var gram = ToFloat(statistics.Gram[g]);
            groups[g] = (w, DenseFactorization.InverseUpperFactor(statistics.Gram[g], n, dampening, threads, out _), gram);
            var energies = new double[rowsPerGroup];
            RowEnergies(w, rowsPerGroup, n, gram, energies, threads);
            total += energies.Sum();
        }

        var variants = new List<LayerVariant>();
        foreach (var sparsity in sparsities)
        {
            var selector = ObsSelectors.For(scheme.Name, matrix, sparsity, settings)!;
            var keep = keepWeights(sparsity);
            var weights = keep ? new float[groups.Length][] : null;
            double error = 0;
            long removedCount = 0;
            for (var g = 0; g < groups.Length; g++)
            {
                var (w, inverse, gram) = groups[g];
                var u = (float[])w.Clone();
                var removed = new bool[(long)rowsPerGroup * columns];
                ObsSweep.Run(u, rowsPerGroup, n, columns, inverse, selector, g, removed, threads);
                removedCount += removed.LongCount(x => x);
                if (weights is not null)
                {
                    var swept = (float[])u.Clone();
                    for (var r = 0; r < rowsPerGroup; r++)
                    {
                        for (var c = 0; c < columns; c++)
                        {
                            if (removed[((long)r * columns) + c])
                            {
                                swept[((long)r * n) + c] = 0;
                            }
                        }
                    }

                    weights[g] = swept;
                }

                for (var i = 0; i < u.Length; i++)
                {
                    u[i] -= w[i];
                }

                var change = new double[rowsPerGroup];
                RowEnergies(u, rowsPerGroup, n, gram, change, threads);
                error += change.Sum();
            }

            variants.Add(new LayerVariant(new SensitivityPoint(sparsity, (double)removedCount / matrix.Values.Length, total > 0 ? error / total : 0), weights));
        }

        return variants;
    }

    /// <summary>Writes per-conv-group rows (weights, then the bias column when <paramref name="hasBias"/>) into the layer.</summary>
    public static void WriteBack(WeightMatrix matrix, bool hasBias, float[][] rows)
    {
        var bias = WeightMatrix.BiasOf(matrix.Layer);
        var rowsPerGroup = matrix.Rows / matrix.ConvGroups;
        var columns = matrix.Columns;
        for (var g = 0; g < matrix.ConvGroups; g++)
        {
            var n = rows[g].Length / rowsPerGroup;
            for (var r = 0; r < rowsPerGroup; r++)
            {
                var row = (g * rowsPerGroup) + r;
                rows[g].AsSpan(r * n, columns).CopyTo(matrix.Values.AsSpan(row * columns, columns));
                if (hasBias)
                {
                    bias![row] = rows[g][(r * n) + columns];
                }
            }
        }
    }

    // u = w + M·ᵀM·(C − H)·w per row, i.e. U = W + W·(C − H)ᵀ·Mᵀ·M with W rows × n.
    private static float[] Refit(float[] w, int rows, int n, double[] h, double[] cross, float[] inverse, int threads)
    {
        var difference = new float[(long)n * n];
        for (var i = 0; i < difference.Length; i++)
        {
            difference[i] = (float)(cross[i] - h[i]);
        }

        var differenceT = new float[(long)n * n];
        DenseFactorization.Transpose(difference, n, n, n, differenceT, n);
        var inverseT = difference;
        DenseFactorization.Transpose(inverse, n, n, n, inverseT, n);
        var t1 = new float[(long)rows * n];
        var t2 = new float[(long)rows * n];
        Gemm.Multiply(rows, n, n, w, n, differenceT, n, t1, n, false, threads);
        Gemm.Multiply(rows, n, n, t1, n, inverseT, n, t2, n, false, threads);
        var u = (float[])w.Clone();
        Gemm.Multiply(rows, n, n, t2, n, inverse, n, u, n, true, threads);
        return u;
    }

    // Filter: keeps the rows of most output energy; a removed row keeps only a bias, the mean of its dense output.
    private static double RemoveRows(WeightMatrix matrix, double sparsity, LayerStatistics statistics, float[][] refit, double[] energy, bool[] removed)
    {
        var rowsPerGroup = matrix.Rows / matrix.ConvGroups;
        var n = statistics.Size;
        var keep = new bool[matrix.Rows];
        TopK.SelectLargest(energy.Select(e => (float)Math.Max(0, e)).ToArray(), (int)SchemeChecks.KeepCount(matrix.Rows, sparsity), keep);
        double error = 0;
        for (var row = 0; row < matrix.Rows; row++)
        {
            if (keep[row])
            {
                continue;
            }

            error += energy[row];
            int g = row / rowsPerGroup, r = row % rowsPerGroup;
            removed.AsSpan(row * matrix.Columns, matrix.Columns).Fill(true);
            var u = refit[g].AsSpan(r * n, n);
            if (statistics.HasBias)
            {
                // The bias alone: the mean output of the refit row, Σ xᵀ·u / N, read off H's constant row.
                var gram = statistics.Gram[g];
                double sum = 0;
                for (var j = 0; j < n; j++)
                {
                    sum += gram[((long)(n - 1) * n) + j] * u[j];
                }

                u.Clear();
                u[n - 1] = (float)(sum / gram[((long)n * n) - 1]);
            }
            else
            {
                u.Clear();
            }
        }

        return error;
    }

    // energies[r] = w_rᵀ·H·w_r.
    private static void RowEnergies(float[] w, int rows, int n, float[] h, Span<double> energies, int threads)
    {
        var wh = new float[(long)rows * n];
        Gemm.Multiply(rows, n, n, w, n, h, n, wh, n, false, threads);
        for (var r = 0; r < rows; r++)
        {
            double sum = 0;
            for (var j = 0; j < n; j++)
            {
                sum += (double)wh[(r * n) + j] * w[(r * n) + j];
            }

            energies[r] = sum;
        }
    }

    // One conv group's rows as the statistics see them: the weights, then the bias as the last column.
    private static float[] GroupWeights(WeightMatrix matrix, float[]? bias, bool hasBias, int group, int n)
    {
        var rowsPerGroup = matrix.Rows / matrix.ConvGroups;
        var columns = matrix.Columns;
        var w = new float[(long)rowsPerGroup * n];
        for (var r = 0; r < rowsPerGroup; r++)
        {
            var row = (group * rowsPerGroup) + r;
            matrix.Values.AsSpan(row * columns, columns).CopyTo(w.AsSpan(r * n, columns));
            if (hasBias)
            {
                w[(r * n) + columns] = bias![row];
            }
        }

        return w;
    }

    private static float[] ToFloat(double[] values)
    {
        var result = new float[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = (float)values[i];
        }

        return result;
    }
}
