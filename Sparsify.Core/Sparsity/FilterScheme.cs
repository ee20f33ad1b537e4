namespace Sparsify.Core.Sparsity;

/// <summary>
/// Filter (output channel / output neuron) removal as in SSL (Wen et al., NIPS 2016): whole rows are
/// kept or removed by their L2 norm; the layer keeps its round((1 - s) × rows) strongest rows (ties to
/// the lower row). Sparsity is exact to one row: the achieved value is a multiple of 1/rows (reported).
/// Reported in the row layout, where removed rows leave their PEs idle.
/// </summary>
/// <remarks>
/// The graph keeps its shape: a removed filter becomes a zero row, so its channel outputs its bias
/// alone (a constant, after the activation), and the next layer still reads that channel. Its
/// columns for the channel are not touched by this scheme; the next layer's own pruning (or folding
/// the constant into its bias) removes that work.
/// </remarks>
public sealed class FilterScheme : ISparsityScheme
{
    /// <inheritdoc />
    public string Name => "filter";

    /// <inheritdoc />
    public string Description => "filter removal (SSL): whole output channels or neurons removed by L2 norm";

    /// <inheritdoc />
    public SparsityControl Control => SparsityControl.Requested;

    /// <inheritdoc />
    public LayerPruning Prune(WeightMatrix matrix, double sparsity, SchemeSettings settings)
    {
        SchemeChecks.Validate(matrix, sparsity, settings);
        var rows = matrix.Rows;
        var columns = matrix.Columns;
        var values = matrix.Values;
        var scores = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            double sum = 0;
            foreach (var w in values.AsSpan(r * columns, columns))
            {
                sum += (double)w * w;
            }

            scores[r] = (float)sum;
        }

        var keptRows = new bool[rows];
        var kept = (int)SchemeChecks.KeepCount(rows, sparsity);
        TopK.SelectLargest(scores, kept, keptRows);
        var keep = new bool[values.Length];
        for (var r = 0; r < rows; r++)
        {
            keep.AsSpan(r * columns, columns).Fill(keptRows[r]);
        }

        var mask = SchemeChecks.MaskOf(matrix, keep);
        var notes = new List<string>
        {
            LayerReports.Invariant($"{rows - kept} of {rows} rows removed; their channels now output the bias alone and the next layer still reads them"),
        };
        if (LayerReports.Granularity("row", rows, mask.Sparsity, sparsity) is { } granularity)
        {
            notes.Add(granularity);
        }

        return new LayerPruning(matrix, mask, LayerReports.Build(matrix, mask, Name, sparsity, settings, PartitionLayout.Rows, notes));
    }
}
