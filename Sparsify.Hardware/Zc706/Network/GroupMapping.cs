using Sparsify.Hardware.Zc706.Config;

namespace Sparsify.Hardware.Zc706.Network;

/// <summary>
/// One group of up to G output channels (rows) as a PE stores it: the union of its rows' nonzero
/// columns (a row missing a column of the union stores an explicit zero there), plus the padding
/// entries that relative indices need where a gap overflows the index width.
/// </summary>
/// <param name="FirstRow">The first row of the group.</param>
/// <param name="Height">Rows in the group (G, or fewer at the end of a conv group).</param>
/// <param name="Columns">The union of the rows' nonzero columns, ascending.</param>
/// <param name="Entries">Entries the PE reads (one per cycle): <see cref="Columns"/> plus padding.</param>
/// <param name="NonZeros">True nonzeros in the group (at most Height × Columns.Length).</param>
/// <param name="Pe">The PE the group is assigned to.</param>
public sealed record RowGroup(int FirstRow, int Height, int[] Columns, int Entries, long NonZeros, int Pe);

/// <summary>How one Conv or fully connected layer's weights are spread over the PEs.</summary>
/// <param name="ConvGroups">Per conv group (1 unless grouped), its row groups.</param>
/// <param name="EntryBits">Bits of one stored entry (G values plus an index unless stored dense).</param>
public sealed record LayerMapping(IReadOnlyList<IReadOnlyList<RowGroup>> ConvGroups, int EntryBits)
{
    /// <summary>Per conv group, entries each PE reads for one output tile.</summary>
    public long[][] EntriesPerPe(int peCount) => ConvGroups.Select(groups =>
    {
        var perPe = new long[peCount];
        foreach (var g in groups)
        {
            perPe[g.Pe] += g.Entries;
        }

        return perPe;
    }).ToArray();

    /// <summary>True nonzeros held by each PE over the whole layer.</summary>
    public long[] NonZerosPerPe(int peCount)
    {
        var perPe = new long[peCount];
        foreach (var g in ConvGroups.SelectMany(c => c))
        {
            perPe[g.Pe] += g.NonZeros;
        }

        return perPe;
    }

    /// <summary>Stored bytes of the layer's weights (entries × entry bits, rounded up to bytes).</summary>
    public long StoredBytes => (ConvGroups.SelectMany(c => c).Sum(g => (long)g.Entries) * EntryBits + 7) / 8;
}

/// <summary>
/// Builds <see cref="LayerMapping"/>: row groups of G consecutive output channels within each conv
/// group, dealt to PEs round-robin (group k of a conv group to PE k mod P), which is how the locality
/// scheme balanced them.
/// </summary>
public static class GroupMapper
{
    /// <summary>Maps a Conv or fully connected layer onto the array.</summary>
    public static LayerMapping Map(ArrayLayer layer, Zc706Config config)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(config);
        var w = layer.Weights ?? throw new ArgumentException($"layer '{layer.Name}' has no weights to map", nameof(layer));
        if (layer.Group < 1 || w.Rows % layer.Group != 0)
        {
            throw new ArgumentException($"layer '{layer.Name}': {w.Rows} rows do not split into {layer.Group} conv groups", nameof(layer));
        }

        var dense = w.StoredDense || config.DenseOnly;
        var rowsPerConvGroup = w.Rows / layer.Group;
        var stamp = dense ? [] : new int[w.Columns];
        var stampValue = 0;
        var all = dense ? Enumerable.Range(0, w.Columns).ToArray() : [];
        var convGroups = new List<IReadOnlyList<RowGroup>>(layer.Group);
        for (var cg = 0; cg < layer.Group; cg++)
        {
            var groups = new List<RowGroup>();
            for (int first = cg * rowsPerConvGroup, k = 0; first < (cg + 1) * rowsPerConvGroup; first += config.GroupSize, k++)
            {
                var height = Math.Min(config.GroupSize, ((cg + 1) * rowsPerConvGroup) - first);
                var nonZeros = 0L;
                int[] columns;
                if (dense)
                {
                    columns = all;
                    nonZeros = CountNonZeros(w, first, height);
                }
                else
                {
                    stampValue++;
                    var union = new List<int>();
                    for (var r = first; r < first + height; r++)
                    {
                        foreach (var c in RowNonZeros(w, r))
                        {
                            nonZeros++;
                            if (stamp[c] != stampValue)
                            {
                                stamp[c] = stampValue;
                                union.Add(c);
                            }
                        }
                    }

                    union.Sort();
                    columns = [.. union];
                }

                var entries = columns.Length + (dense ? 0 : Padding(columns, config.IndexBits));
                groups.Add(new RowGroup(first, height, columns, entries, nonZeros, k % config.PeCount));
            }

            convGroups.Add(groups);
        }

        return new LayerMapping(convGroups, config.EntryBits(w.StoredDense));
    }

    /// <summary>Padding entries relative indices of <paramref name="bits"/> bits need for ascending <paramref name="columns"/>: gap >> bits per step.</summary>
    public static int Padding(IReadOnlyList<int> columns, int bits)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var padding = 0;
        var previous = -1;
        foreach (var c in columns)
        {
            padding += (c - previous - 1) >> bits;
            previous = c;
        }

        return padding;
    }

    private static long CountNonZeros(LayerWeights w, int first, int height)
    {
        if (w.Values is null)
        {
            return w.RowColumns is null ? (long)height * w.Columns : w.RowColumns.Skip(first).Take(height).Sum(r => (long)r.Length);
        }

        var count = 0L;
        foreach (var v in w.Values.AsSpan(first * w.Columns, height * w.Columns))
        {
            count += v != 0 ? 1 : 0;
        }

        return count;
    }

    private static IEnumerable<int> RowNonZeros(LayerWeights w, int row)
    {
        if (w.Values is null)
        {
            return w.RowColumns?[row] ?? Enumerable.Range(0, w.Columns);
        }

        return NonZeroColumns(w.Values, row * w.Columns, w.Columns);
    }

    private static List<int> NonZeroColumns(float[] values, int start, int length)
    {
        var result = new List<int>();
        var span = values.AsSpan(start, length);
        for (var c = 0; c < span.Length; c++)
        {
            if (span[c] != 0)
            {
                result.Add(c);
            }
        }

        return result;
    }
}
