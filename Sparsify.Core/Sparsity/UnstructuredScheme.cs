namespace Sparsify.Core.Sparsity;

/// <summary>
/// Magnitude pruning (Han et al., NIPS 2015): each layer keeps its round((1 - s) × n) largest |w|,
/// wherever they are; ties go to the lower row-major index. Exact sparsity; no regard for balance or
/// locality, which is what the other schemes are measured against. Reported in the row layout.
/// </summary>
public sealed class UnstructuredScheme : ISparsityScheme
{
    /// <inheritdoc />
    public string Name => "unstructured";

    /// <inheritdoc />
    public string Description => "magnitude pruning (Han 2015): keeps the largest |w| of each layer";

    /// <inheritdoc />
    public SparsityControl Control => SparsityControl.Requested;

    /// <inheritdoc />
    public LayerPruning Prune(WeightMatrix matrix, double sparsity, SchemeSettings settings)
    {
        SchemeChecks.Validate(matrix, sparsity, settings);
        var values = matrix.Values;
        var scores = new float[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            scores[i] = MathF.Abs(values[i]);
        }

        var keep = new bool[values.Length];
        TopK.SelectLargest(scores, (int)SchemeChecks.KeepCount(values.Length, sparsity), keep);
        var mask = SchemeChecks.MaskOf(matrix, keep);
        return new LayerPruning(matrix, mask, LayerReports.Build(matrix, mask, Name, sparsity, settings, PartitionLayout.Rows));
    }
}
