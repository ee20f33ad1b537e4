namespace Sparsify.Core.Sparsity;

/// <summary>
/// The data locality-aware scheme of Li et al. (FCCM 2017). Output channels are cut into groups of
/// G (<see cref="ChannelGroups"/>: consecutive rows inside one conv group); the rows of a group keep
/// the <em>same</em> columns, so one fetched input feeds G multiply-accumulates. Columns are ranked per
/// group by the L2 norm of the group's weights in them (the quantity group lasso drives to zero), and
/// every group keeps the same number of columns, round((1 - s) × columns), so the groups, interleaved
/// over the P PEs (group g to PE g mod P), give every PE the same work up to one group:
/// max/mean ≤ 1 + 1/⌊groups/P⌋, and exactly 1 when P divides the group count and G the rows.
/// </summary>
/// <remarks>
/// Sparsity is exact to one column: the achieved value is a multiple of 1/columns (reported), since
/// uneven column counts would break the balance. When G does not divide a conv group's rows the last
/// group is short and stored padded with zero rows (reported). Each PE's compressed weights (G values
/// and one shared relative index per kept column) are checked against its buffer; a PE that needs more
/// runs the layer in several passes over column tiles (reported), and a buffer that cannot hold one
/// entry is an error.
/// </remarks>
public sealed class LocalityScheme : ISparsityScheme
{
    /// <inheritdoc />
    public string Name => "locality";

    /// <inheritdoc />
    public string Description => "data locality-aware (Li 2017): groups of G output channels share one column pattern, balanced over P PEs";

    /// <inheritdoc />
    public SparsityControl Control => SparsityControl.Requested;

    /// <inheritdoc />
    public LayerPruning Prune(WeightMatrix matrix, double sparsity, SchemeSettings settings)
    {
        SchemeChecks.Validate(matrix, sparsity, settings);
        var columns = matrix.Columns;
        var values = matrix.Values;
        var kept = (int)SchemeChecks.KeepCount(columns, sparsity);
        var keep = new bool[values.Length];
        var scores = new float[columns];
        var flags = new bool[columns];
        var sums = new double[columns];
        foreach (var group in ChannelGroups.Of(matrix, settings.GroupSize))
        {
            Array.Clear(sums);
            for (var r = group.FirstRow; r < group.FirstRow + group.RowCount; r++)
            {
                var row = values.AsSpan(r * columns, columns);
                for (var c = 0; c < columns; c++)
                {
                    sums[c] += (double)row[c] * row[c];
                }
            }

            // The squared norm orders columns as the norm does; no square root needed.
            for (var c = 0; c < columns; c++)
            {
                scores[c] = (float)sums[c];
            }

            TopK.SelectLargest(scores, kept, flags);
            for (var r = group.FirstRow; r < group.FirstRow + group.RowCount; r++)
            {
                flags.CopyTo(keep, r * columns);
            }
        }

        var mask = SchemeChecks.MaskOf(matrix, keep);
        var notes = new List<string>
        {
            LayerReports.Invariant($"every group of G={settings.GroupSize} keeps the same {kept} of {columns} columns: one input feeds {settings.GroupSize} MACs"),
        };
        if (LayerReports.Granularity("column", columns, mask.Sparsity, sparsity) is { } granularity)
        {
            notes.Add(granularity);
        }

        return new LayerPruning(matrix, mask, LayerReports.Build(matrix, mask, Name, sparsity, settings, PartitionLayout.Groups, notes));
    }
}
