namespace Sparsify.Core.Sparsity;

/// <summary>
/// Takes the zeros the model already has (pruned during training, or by an earlier Sparsify run):
/// the mask keeps exactly the nonzero weights and the requested sparsity is ignored. When every group
/// of G rows (<see cref="ChannelGroups"/>) shares one pattern, as after <c>locality</c> pruning and
/// masked fine-tuning, the layer is reported in the group layout, else in the row layout.
/// </summary>
public sealed class KeepScheme : ISparsityScheme
{
    /// <inheritdoc />
    public string Name => "keep";

    /// <inheritdoc />
    public string Description => "keeps the zeros the model already has (the requested sparsity is ignored)";

    /// <inheritdoc />
    public SparsityControl Control => SparsityControl.FromModel;

    /// <inheritdoc />
    public LayerPruning Prune(WeightMatrix matrix, double sparsity, SchemeSettings settings)
    {
        SchemeChecks.Validate(matrix, sparsity, settings);
        var mask = SparsityMask.FromNonZeros(matrix);
        var grouped = settings.GroupSize > 1 && SharesGroupPatterns(mask, ChannelGroups.Of(matrix, settings.GroupSize));
        var notes = new List<string>
        {
            grouped
                ? LayerReports.Invariant($"the model's zeros share one pattern in every group of G={settings.GroupSize}: group layout")
                : LayerReports.Invariant($"the model's zeros do not share one pattern in every group of G={settings.GroupSize}: row layout"),
        };
        return new LayerPruning(matrix, mask, LayerReports.Build(matrix, mask, Name, sparsity, settings, grouped ? PartitionLayout.Groups : PartitionLayout.Rows, notes));
    }

    /// <summary>Whether the rows of every group keep the same columns.</summary>
    public static bool SharesGroupPatterns(SparsityMask mask, IReadOnlyList<ChannelGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(groups);
        foreach (var group in groups)
        {
            for (var r = group.FirstRow + 1; r < group.FirstRow + group.RowCount; r++)
            {
                for (var c = 0; c < mask.Columns; c++)
                {
                    if (mask.IsKept(r, c) != mask.IsKept(group.FirstRow, c))
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }
}
