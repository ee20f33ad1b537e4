using Sparsify.Core.Sparsity;

namespace Sparsify.Training;

/// <summary>
/// Group lasso (SSL, Wen et al. 2016) on the locality scheme's groups: for every group of G
/// consecutive output channels (<see cref="ChannelGroups"/>, never straddling conv groups) and every
/// column of the weight matrix (an (in-channel, kh, kw) position or an input feature), the G weights
/// form one lasso group. The penalty λ·Σ‖w_g‖₂ drives whole columns of a group to zero together,
/// which is exactly the zero pattern the locality scheme keeps.
/// </summary>
public static class GroupLasso
{
    /// <summary>λ·Σ_g ‖w_g‖₂ over the groups of <paramref name="matrix"/>.</summary>
    public static double Penalty(WeightMatrix matrix, int groupSize, double lambda)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        double total = 0;
        var norms = new double[matrix.Columns];
        foreach (var group in ChannelGroups.Of(matrix, groupSize))
        {
            ColumnNorms(matrix.Values, matrix.Columns, group, norms);
            total += norms.Sum();
        }

        return lambda * total;
    }

    /// <summary>The penalty's gradient: λ·w / ‖w_g‖₂ for each weight of a group with nonzero norm, 0 otherwise.</summary>
    public static float[] Gradient(WeightMatrix matrix, int groupSize, double lambda)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var gradient = new float[matrix.Values.Length];
        var norms = new double[matrix.Columns];
        foreach (var group in ChannelGroups.Of(matrix, groupSize))
        {
            ColumnNorms(matrix.Values, matrix.Columns, group, norms);
            for (var r = group.FirstRow; r < group.FirstRow + group.RowCount; r++)
            {
                for (var c = 0; c < matrix.Columns; c++)
                {
                    var i = (r * matrix.Columns) + c;
                    gradient[i] = norms[c] > 0 ? (float)(lambda * matrix.Values[i] / norms[c]) : 0f;
                }
            }
        }

        return gradient;
    }

    /// <summary>
    /// The proximal step of <paramref name="threshold"/>·Σ‖w_g‖₂ (threshold = learning rate × λ), in
    /// place: w_g ← w_g · max(0, 1 − threshold/‖w_g‖₂). Groups whose norm is at most the threshold
    /// become exactly zero. Returns the number of such groups.
    /// </summary>
    public static int Shrink(WeightMatrix matrix, int groupSize, double threshold)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        var norms = new double[matrix.Columns];
        var zeroed = 0;
        foreach (var group in ChannelGroups.Of(matrix, groupSize))
        {
            zeroed += ShrinkGroup(matrix.Values, matrix.Columns, group, threshold, norms);
        }

        return zeroed;
    }

    /// <summary>Shrinks every column of one channel group; <paramref name="norms"/> is scratch of Columns length.</summary>
    internal static int ShrinkGroup(Span<float> values, int columns, ChannelGroup group, double threshold, double[] norms)
    {
        ColumnNorms(values, columns, group, norms);
        var zeroed = 0;
        for (var c = 0; c < columns; c++)
        {
            // Reuse the norms array for the scale factors.
            var factor = norms[c] > threshold ? 1.0 - (threshold / norms[c]) : 0.0;
            norms[c] = factor;
            if (factor == 0.0)
            {
                zeroed++;
            }
        }

        for (var r = group.FirstRow; r < group.FirstRow + group.RowCount; r++)
        {
            var row = values.Slice(r * columns, columns);
            for (var c = 0; c < columns; c++)
            {
                // A zero factor writes +0 exactly, not -0 or a denormal.
                row[c] = norms[c] == 0.0 ? 0f : (float)(row[c] * norms[c]);
            }
        }

        return zeroed;
    }

    /// <summary>‖w_g‖₂ of every column of one channel group, accumulated in double in row order.</summary>
    internal static void ColumnNorms(ReadOnlySpan<float> values, int columns, ChannelGroup group, double[] norms)
    {
        Array.Clear(norms, 0, columns);
        for (var r = group.FirstRow; r < group.FirstRow + group.RowCount; r++)
        {
            var row = values.Slice(r * columns, columns);
            for (var c = 0; c < columns; c++)
            {
                norms[c] += (double)row[c] * row[c];
            }
        }

        for (var c = 0; c < columns; c++)
        {
            norms[c] = Math.Sqrt(norms[c]);
        }
    }
}
