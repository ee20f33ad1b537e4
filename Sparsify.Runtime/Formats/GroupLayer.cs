namespace Sparsify.Runtime.Formats;

/// <summary>
/// The locality scheme's group format: rows in groups of G consecutive output channels, one index
/// list per group shared by its rows, and for each stored column the group's values side by side
/// (column-major inside the group), so one index feeds G multiply-accumulates.
/// </summary>
/// <remarks>
/// Group g covers rows [g*G, g*G + h) with height h = G, except the last group, which holds the
/// remaining Rows mod G rows when G does not divide Rows (it is not padded to G: no phantom output
/// channels; kernels take the height from <see cref="GroupHeight"/>).
/// Group g's entries are [GroupPointers[g], GroupPointers[g + 1]); entry e of group g (local number
/// k = e - GroupPointers[g]) has its h values at Values[ValuePointers[g] + k*h + lane], lane = row - g*G.
/// A column kept by any row of the group is stored for all h rows; rows that do not keep it hold
/// +0.0, counted as <see cref="EncodedLayer.ExplicitZeros"/> (none for masks of the locality scheme,
/// whose groups share one pattern). Indices are absolute columns or relative gaps with padding
/// (see <see cref="IndexCodec"/>); a padding entry carries h zero values. The relative walk
/// restarts at each group.
/// </remarks>
public sealed partial class GroupLayer : EncodedLayer
{
    private readonly int[] _groupPointers;
    private readonly int[] _valuePointers;
    private readonly int[] _indices;
    private readonly float[] _values;
    private readonly int _nonZeros;
    private readonly int _padding;
    private readonly int _explicitZeros;

    /// <summary>Wraps arrays (taken, not copied) after checking they form a valid group-format matrix.</summary>
    /// <param name="rows">Rows of the matrix.</param>
    /// <param name="columns">Columns of the matrix.</param>
    /// <param name="groupSize">G, rows per group.</param>
    /// <param name="encoding">Absolute columns or relative gaps.</param>
    /// <param name="indexBits">Relative: 1 to 16; absolute: the narrowest of 8, 16, 32 holding Columns - 1.</param>
    /// <param name="groupPointers">Groups + 1 entry offsets.</param>
    /// <param name="indices">One column (or gap) per entry.</param>
    /// <param name="values">Height values per entry, column-major inside each group.</param>
    /// <param name="nonZeros">Kept weights among the values.</param>
    /// <param name="paddingEntries">Entries that are relative-index padding.</param>
    /// <param name="explicitZeros">Values stored for weights the mask removed, padding excluded.</param>
    /// <exception cref="ArgumentException">The arrays are inconsistent with each other or with the shape.</exception>
    public GroupLayer(
        int rows, int columns, int groupSize, IndexEncoding encoding, int indexBits,
        int[] groupPointers, int[] indices, float[] values, int nonZeros, int paddingEntries, int explicitZeros)
        : base(rows, columns)
    {
        ArgumentNullException.ThrowIfNull(groupPointers);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(values);
        GroupSize = groupSize;
        IndexEncoding = encoding;
        IndexBits = indexBits;
        var problem = BasicProblem(rows, columns, groupSize, encoding, indexBits);
        GroupCount = problem is null ? (int)(((long)rows + groupSize - 1) / groupSize) : 0;
        problem ??= PointerProblem(groupPointers, GroupCount + 1, indices.Length, "group");
        _valuePointers = [];
        if (problem is null)
        {
            (_valuePointers, problem) = ComputeValuePointers(rows, groupSize, groupPointers, values.Length);
        }

        _groupPointers = groupPointers;
        _indices = indices;
        _values = values;
        _nonZeros = nonZeros;
        _padding = paddingEntries;
        _explicitZeros = explicitZeros;
        problem ??= EntryProblem();
        if (problem is not null)
        {
            throw new ArgumentException($"not a valid group-format layer: {problem}");
        }
    }

    /// <inheritdoc />
    public override EncodedFormat Format => EncodedFormat.Group;

    /// <summary>G: rows per group (the last group may hold fewer, see <see cref="GroupHeight"/>).</summary>
    public int GroupSize { get; }

    /// <summary>Groups: ceil(Rows / G).</summary>
    public int GroupCount { get; }

    /// <inheritdoc />
    public override IndexEncoding IndexEncoding { get; }

    /// <inheritdoc />
    public override int IndexBits { get; }

    /// <summary>Entry offsets of the groups (GroupCount + 1).</summary>
    public ReadOnlySpan<int> GroupPointers => _groupPointers;

    /// <summary>Value offsets of the groups (GroupCount + 1; derived, not serialized).</summary>
    public ReadOnlySpan<int> ValuePointers => _valuePointers;

    /// <summary>Absolute columns or relative gaps, one per entry.</summary>
    public ReadOnlySpan<int> Indices => _indices;

    /// <summary>Height values per entry, the values of one column adjacent.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <inheritdoc />
    public override int NonZeros => _nonZeros;

    /// <inheritdoc />
    public override int StoredEntries => _indices.Length;

    /// <inheritdoc />
    public override int StoredValues => _values.Length;

    /// <inheritdoc />
    public override int PaddingEntries => _padding;

    /// <inheritdoc />
    public override int ExplicitZeros => _explicitZeros;

    /// <inheritdoc />
    public override int PartitionCount => GroupCount;

    /// <inheritdoc />
    private protected override int PartitionParameter => GroupSize;

    /// <summary>Rows in group <paramref name="group"/>: G, or Rows mod G for a short last group.</summary>
    public int GroupHeight(int group) => Height(Rows, GroupSize, group);

    /// <summary>The column of every entry (padding entries included: their values are zero), whatever the encoding.</summary>
    public int[] AbsoluteColumns()
    {
        var columns = new int[_indices.Length];
        for (var g = 0; g < GroupCount; g++)
        {
            var column = -1;
            for (var e = _groupPointers[g]; e < _groupPointers[g + 1]; e++)
            {
                column = IndexEncoding == IndexEncoding.Absolute ? _indices[e] : column + _indices[e] + 1;
                columns[e] = column;
            }
        }

        return columns;
    }

    /// <inheritdoc />
    public override int PartitionEntries(int partition) => _groupPointers[partition + 1] - _groupPointers[partition];

    /// <inheritdoc />
    public override long PartitionBytes(int partition, int valueBytes)
    {
        CheckValueBytes(valueBytes);
        return IndexBytes(PartitionEntries(partition)) + ((long)(_valuePointers[partition + 1] - _valuePointers[partition]) * valueBytes);
    }

    /// <inheritdoc />
    public override EncodedBytes CountBytes(int valueBytes)
    {
        CheckValueBytes(valueBytes);
        long indexBytes = 0;
        for (var g = 0; g < GroupCount; g++)
        {
            indexBytes += IndexBytes(PartitionEntries(g));
        }

        return new EncodedBytes(4L * _groupPointers.Length, indexBytes, (long)_values.Length * valueBytes);
    }

    /// <inheritdoc />
    private protected override void Scatter(Span<float> dense)
    {
        var columns = AbsoluteColumns();
        for (var g = 0; g < GroupCount; g++)
        {
            var height = GroupHeight(g);
            var firstRow = g * GroupSize;
            for (var e = _groupPointers[g]; e < _groupPointers[g + 1]; e++)
            {
                var v = _valuePointers[g] + ((e - _groupPointers[g]) * height);
                for (var lane = 0; lane < height; lane++)
                {
                    dense[((firstRow + lane) * Columns) + columns[e]] = _values[v + lane];
                }
            }
        }
    }

    private static int Height(int rows, int groupSize, int group) => (int)Math.Min(groupSize, rows - ((long)group * groupSize));

    private long IndexBytes(int entries) => IndexEncoding == IndexEncoding.Absolute
        ? (long)entries * (IndexBits / 8)
        : IndexCodec.PackedBytes(entries, IndexBits);
}
