using System.Globalization;

namespace Sparsify.Core.Sparsity;

/// <summary>
/// Builds a <see cref="LayerSparsityReport"/> from a mask: spreads the kept weights over the P
/// partitions in the given layout, counts entries (with the padding entries relative indices need)
/// and checks them against the buffer. Shared by every scheme so all report the same way.
/// </summary>
internal static class LayerReports
{
    public static LayerSparsityReport Build(
        WeightMatrix matrix, SparsityMask mask, string scheme, double requested, SchemeSettings settings, PartitionLayout layout, IEnumerable<string>? schemeNotes = null)
    {
        var p = settings.PeCount;
        var partitionNonZeros = new long[p];
        var partitionEntries = new long[p];
        var notes = new List<string>(schemeNotes ?? []);
        long padding;
        int units;
        int paddedRows;
        int valuesPerEntry;
        if (layout == PartitionLayout.Rows)
        {
            valuesPerEntry = 1;
            paddedRows = 0;
            units = matrix.Rows;
            padding = CountRows(mask, settings.IndexBits, partitionNonZeros, partitionEntries);
        }
        else
        {
            valuesPerEntry = settings.GroupSize;
            var groups = ChannelGroups.Of(matrix, settings.GroupSize);
            units = groups.Count;
            paddedRows = ChannelGroups.PaddedRows(groups, settings.GroupSize);
            padding = CountGroups(mask, groups, settings.IndexBits, partitionNonZeros, partitionEntries);
            if (paddedRows > 0)
            {
                var perConvGroup = matrix.Rows / matrix.ConvGroups;
                var where = matrix.ConvGroups == 1
                    ? Invariant($"the {perConvGroup} rows: the last group")
                    : Invariant($"the {perConvGroup} rows of each of the {matrix.ConvGroups} conv groups: the last group of each");
                notes.Add(Invariant($"G={settings.GroupSize} does not divide {where} has {perConvGroup % settings.GroupSize} rows and is padded with zero rows ({paddedRows} in all), which cost storage and MACs but no accuracy"));
            }
        }

        var entryBits = settings.EntryBits(valuesPerEntry);
        var capacityBits = (long)settings.BufferBytesPerPe * 8;
        var entriesPerLoad = capacityBits / entryBits;
        if (entriesPerLoad == 0)
        {
            throw new SparsifyModelException(
                Invariant($"a PE buffer of BufferBytesPerPe={settings.BufferBytesPerPe} bytes cannot hold one entry of {entryBits} bits ({valuesPerEntry} value(s) of {settings.ValueBits} bits and a {settings.IndexBits}-bit index); BufferBytesPerPe must be at least {(entryBits + 7) / 8}"),
                nodeName: matrix.LayerName, opType: matrix.Layer.OpType);
        }

        var maxEntries = partitionEntries.Max();
        var passes = (int)Math.Max(1, (maxEntries + entriesPerLoad - 1) / entriesPerLoad);
        var bytesNeeded = (maxEntries * entryBits + 7) / 8;
        var used = Math.Min(p, units);
        if (used < p)
        {
            notes.Add(Invariant($"only {used} of {p} PEs hold weights ({units} {(layout == PartitionLayout.Rows ? "rows" : "groups")}): the others idle on this layer"));
        }

        if (passes > 1)
        {
            notes.Add(Invariant($"the fullest PE needs {bytesNeeded} bytes, more than its {settings.BufferBytesPerPe}-byte buffer: {passes} passes of at most {entriesPerLoad} entries each"));
        }

        return new LayerSparsityReport
        {
            LayerName = matrix.LayerName,
            OpType = matrix.Layer.OpType,
            Scheme = scheme,
            Rows = matrix.Rows,
            Columns = matrix.Columns,
            RequestedSparsity = requested,
            NonZeros = mask.NonZeros,
            Layout = layout,
            ValuesPerEntry = valuesPerEntry,
            PaddedRows = paddedRows,
            Partitions = p,
            PartitionsUsed = used,
            PartitionNonZeros = partitionNonZeros,
            LoadImbalance = Imbalance(partitionNonZeros, used),
            Entries = partitionEntries.Sum(),
            PaddingEntries = padding,
            EntryBits = entryBits,
            BufferBytesNeeded = bytesNeeded,
            BufferCapacityBytes = settings.BufferBytesPerPe,
            Passes = passes,
            Notes = notes,
        };
    }

    /// <summary>Max over mean of the used partitions' loads; 1 when nothing is kept.</summary>
    internal static double Imbalance(IReadOnlyList<long> loads, int used)
    {
        long total = 0;
        long max = 0;
        foreach (var load in loads)
        {
            total += load;
            max = Math.Max(max, load);
        }

        return total == 0 ? 1.0 : max / ((double)total / used);
    }

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A note that the scheme's granularity moved the sparsity, or null when it did not visibly.</summary>
    internal static string? Granularity(string unit, int count, double achieved, double requested)
    {
        var a = achieved.ToString("0.0000", CultureInfo.InvariantCulture);
        var r = requested.ToString("0.0000", CultureInfo.InvariantCulture);
        return a == r ? null : Invariant($"sparsity is set per {unit} (steps of 1/{count}): {a} achieved for {r} requested");
    }

    private static long CountRows(SparsityMask mask, int indexBits, long[] nonZeros, long[] entries)
    {
        var p = nonZeros.Length;
        long padding = 0;
        for (var r = 0; r < mask.Rows; r++)
        {
            long kept = 0;
            long rowPadding = 0;
            var next = 0;
            for (var c = 0; c < mask.Columns; c++)
            {
                if (mask.IsKept(r, c))
                {
                    rowPadding += RelativeIndexing.PaddingForGap(c - next, indexBits);
                    next = c + 1;
                    kept++;
                }
            }

            nonZeros[r % p] += kept;
            entries[r % p] += kept + rowPadding;
            padding += rowPadding;
        }

        return padding;
    }

    private static long CountGroups(SparsityMask mask, IReadOnlyList<ChannelGroup> groups, int indexBits, long[] nonZeros, long[] entries)
    {
        var p = nonZeros.Length;
        long padding = 0;
        foreach (var group in groups)
        {
            // The group stores one entry per column any of its rows keeps (for locality all rows agree).
            long columns = 0;
            long kept = 0;
            long groupPadding = 0;
            var next = 0;
            for (var c = 0; c < mask.Columns; c++)
            {
                var any = false;
                for (var r = group.FirstRow; r < group.FirstRow + group.RowCount; r++)
                {
                    if (mask.IsKept(r, c))
                    {
                        any = true;
                        kept++;
                    }
                }

                if (any)
                {
                    groupPadding += RelativeIndexing.PaddingForGap(c - next, indexBits);
                    next = c + 1;
                    columns++;
                }
            }

            nonZeros[group.Index % p] += kept;
            entries[group.Index % p] += columns + groupPadding;
            padding += groupPadding;
        }

        return padding;
    }
}
