namespace Sparsify.Core.Sparsity;

/// <summary>
/// One group of output channels that share a nonzero pattern: consecutive rows of the weight matrix
/// inside one conv group (rows of different conv groups read different inputs, so they never share).
/// </summary>
/// <param name="Index">The group's index over the whole layer; it goes to partition Index mod P.</param>
/// <param name="ConvGroup">The conv group the rows belong to (0 for an ungrouped layer).</param>
/// <param name="FirstRow">The first row of the group.</param>
/// <param name="RowCount">Real rows, at most G; fewer only for the last group of a conv group, which the group format pads.</param>
public readonly record struct ChannelGroup(int Index, int ConvGroup, int FirstRow, int RowCount);

/// <summary>
/// How a layer's rows are cut into groups of G for the locality scheme and the group format: each
/// conv group's rows are taken G at a time; when G does not divide a conv group's rows, the last group
/// of each conv group is short and is padded with zero rows to G when stored.
/// </summary>
public static class ChannelGroups
{
    /// <summary>The groups of <paramref name="matrix"/> for group size <paramref name="groupSize"/>, in row order.</summary>
    public static IReadOnlyList<ChannelGroup> Of(WeightMatrix matrix, int groupSize)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return Of(matrix.Rows, matrix.ConvGroups, groupSize);
    }

    /// <summary>The groups of a matrix of <paramref name="rows"/> rows in <paramref name="convGroups"/> conv groups.</summary>
    public static IReadOnlyList<ChannelGroup> Of(int rows, int convGroups, int groupSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(convGroups);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groupSize);
        if (rows % convGroups != 0)
        {
            throw new ArgumentException($"{convGroups} conv groups do not divide {rows} rows", nameof(convGroups));
        }

        var rowsPerConvGroup = rows / convGroups;
        var groups = new List<ChannelGroup>(convGroups * ((rowsPerConvGroup + groupSize - 1) / groupSize));
        for (var cg = 0; cg < convGroups; cg++)
        {
            for (var first = 0; first < rowsPerConvGroup; first += groupSize)
            {
                var count = Math.Min(groupSize, rowsPerConvGroup - first);
                groups.Add(new ChannelGroup(groups.Count, cg, cg * rowsPerConvGroup + first, count));
            }
        }

        return groups;
    }

    /// <summary>Zero rows the group format adds: G minus the rows of each short group.</summary>
    public static int PaddedRows(IReadOnlyList<ChannelGroup> groups, int groupSize)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var padded = 0;
        foreach (var g in groups)
        {
            padded += groupSize - g.RowCount;
        }

        return padded;
    }
}
