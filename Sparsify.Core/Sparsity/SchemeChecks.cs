namespace Sparsify.Core.Sparsity;

/// <summary>Argument checks and arithmetic every scheme shares, so they fail and round alike.</summary>
internal static class SchemeChecks
{
    /// <summary>Checks the arguments of <see cref="ISparsityScheme.Prune"/>.</summary>
    public static void Validate(WeightMatrix matrix, double sparsity, SchemeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(settings);
        ValidateSparsity(sparsity, nameof(sparsity));
        settings.Validate();
        EnsureFinite(matrix);
    }

    /// <summary>Throws unless <paramref name="sparsity"/> is in [0, 1).</summary>
    public static void ValidateSparsity(double sparsity, string name, string? layerName = null)
    {
        if (!(sparsity >= 0 && sparsity < 1))
        {
            var where = layerName is null ? string.Empty : $" for layer '{layerName}'";
            throw new ArgumentOutOfRangeException(
                name, sparsity, LayerReports.Invariant($"sparsity{where} must be in [0, 1), the fraction of weights removed (e.g. 0.9 removes 90%); got {sparsity}"));
        }
    }

    /// <summary>
    /// Weights (or columns, rows) to keep out of <paramref name="count"/>: round((1 - s) × n), halves up,
    /// and at least one: a sparsity is below 1, so rounding never removes all of a layer (0.98 of 8
    /// columns keeps 1, not 0). The nudge makes a half that binary fractions miss by an ulp still round
    /// up ((1 - 0.9) × 25 is 2.4999999999999996).
    /// </summary>
    public static long KeepCount(long count, double sparsity) =>
        Math.Clamp((long)Math.Floor(((1 - sparsity) * count) + 0.5 + 1e-6), Math.Min(1, count), count);

    /// <summary>Throws <see cref="SparsifyModelException"/> at the first NaN or infinite weight: no magnitude order exists for it.</summary>
    public static void EnsureFinite(WeightMatrix matrix)
    {
        var values = matrix.Values;
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new SparsifyModelException(
                    LayerReports.Invariant($"weight at row {i / matrix.Columns}, column {i % matrix.Columns} is {values[i]}; weights must be finite to be pruned"),
                    nodeName: matrix.LayerName, opType: matrix.Layer.OpType);
            }
        }
    }

    /// <summary>A mask from a row-major keep array.</summary>
    public static SparsityMask MaskOf(WeightMatrix matrix, bool[] keep) => SparsityMask.FromFlags(matrix.Rows, matrix.Columns, keep);
}
