namespace Sparsify.Runtime.Formats;

/// <summary>
/// The PE format of Deep Compression and EIE: row r goes to PE <c>r mod P</c>; each PE holds a stream
/// of (value, relative index) entries over its rows in order, the index counting the columns skipped
/// since the previous entry of the same row (see <see cref="IndexCodec"/> for the exact rule and the
/// padding entries a wide gap needs).
/// </summary>
/// <remarks>
/// Arrays are flat and PE-major: PE 0's stream, then PE 1's, and so on. Rows are listed in the same
/// PE-major order (PE p's local row k is matrix row <c>p + k*P</c>), so one monotone
/// <see cref="RowPointers"/> array of Rows + 1 entries gives every PE its row boundaries:
/// PE p's rows are positions [PeRowOffsets[p], PeRowOffsets[p + 1]) of that order, and its stream is
/// entries [RowPointers[PeRowOffsets[p]], RowPointers[PeRowOffsets[p + 1]]). The relative walk
/// restarts at every row, so a PE can begin any row from its pointer alone. A PE with no rows
/// (P larger than Rows) has an empty stream.
/// </remarks>
public sealed class PeLayer : EncodedLayer
{
    /// <summary>Largest PE count accepted; far above any real array, it stops a corrupt header from allocating without bound.</summary>
    public const int MaxPeCount = 1 << 16;

    private readonly int[] _rowPointers;
    private readonly int[] _indices;
    private readonly float[] _values;
    private readonly int[] _peRowOffsets;
    private readonly int _padding;

    /// <summary>Wraps arrays (taken, not copied) after checking they form a valid PE-format matrix.</summary>
    /// <param name="rows">Rows of the matrix.</param>
    /// <param name="columns">Columns of the matrix.</param>
    /// <param name="peCount">P, the number of PEs rows are interleaved over.</param>
    /// <param name="indexBits">Width of a relative index, 1 to 16.</param>
    /// <param name="rowPointers">Rows + 1 entry offsets, rows in PE-major order.</param>
    /// <param name="relativeIndices">Columns skipped before each entry, each at most 2^indexBits - 1.</param>
    /// <param name="values">The value of each entry (0 for padding entries).</param>
    /// <param name="paddingEntries">How many entries are padding.</param>
    /// <exception cref="ArgumentException">The arrays are inconsistent with each other or with the shape.</exception>
    public PeLayer(int rows, int columns, int peCount, int indexBits, int[] rowPointers, int[] relativeIndices, float[] values, int paddingEntries)
        : base(rows, columns)
    {
        ArgumentNullException.ThrowIfNull(rowPointers);
        ArgumentNullException.ThrowIfNull(relativeIndices);
        ArgumentNullException.ThrowIfNull(values);
        PeCount = peCount;
        IndexBits = indexBits;
        var problem = BasicProblem(rows, columns, peCount, indexBits);
        _peRowOffsets = problem is null ? RowOffsets(rows, peCount) : [];
        problem ??= Problem(rows, columns, indexBits, rowPointers, relativeIndices, values, paddingEntries);
        if (problem is not null)
        {
            throw new ArgumentException($"not a valid PE-format layer: {problem}");
        }

        _rowPointers = rowPointers;
        _indices = relativeIndices;
        _values = values;
        _padding = paddingEntries;
    }

    /// <inheritdoc />
    public override EncodedFormat Format => EncodedFormat.Pe;

    /// <summary>P: PEs the rows are interleaved over (row r on PE r mod P).</summary>
    public int PeCount { get; }

    /// <inheritdoc />
    public override int IndexBits { get; }

    /// <summary>Largest relative index, 2^IndexBits - 1, which is also the index of every padding entry.</summary>
    public int MaxRelativeIndex => IndexCodec.MaxRelative(IndexBits);

    /// <summary>Entry offsets of the rows in PE-major order (Rows + 1 entries).</summary>
    public ReadOnlySpan<int> RowPointers => _rowPointers;

    /// <summary>PE p's rows are the PE-major positions [PeRowOffsets[p], PeRowOffsets[p + 1]) (P + 1 entries; derived, not serialized).</summary>
    public ReadOnlySpan<int> PeRowOffsets => _peRowOffsets;

    /// <summary>Columns skipped before each entry.</summary>
    public ReadOnlySpan<int> RelativeIndices => _indices;

    /// <summary>The value of each entry; padding entries hold 0.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <inheritdoc />
    public override int NonZeros => _values.Length - _padding;

    /// <inheritdoc />
    public override int StoredEntries => _values.Length;

    /// <inheritdoc />
    public override int StoredValues => _values.Length;

    /// <inheritdoc />
    public override int PaddingEntries => _padding;

    /// <inheritdoc />
    public override IndexEncoding IndexEncoding => IndexEncoding.Relative;

    /// <inheritdoc />
    public override int PartitionCount => PeCount;

    /// <inheritdoc />
    private protected override int PartitionParameter => PeCount;

    /// <summary>The matrix row at PE-major position <paramref name="position"/>.</summary>
    public int RowAt(int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, Rows);

        // PEs below Rows mod P hold ceil(Rows / P) rows, the others one fewer (all the same when it divides).
        var longRows = (Rows + PeCount - 1) / PeCount;
        var extra = Rows % PeCount;
        var boundary = extra == 0 ? Rows : extra * longRows;
        var pe = position < boundary ? position / longRows : extra + ((position - boundary) / (longRows - 1));
        return pe + ((position - _peRowOffsets[pe]) * PeCount);
    }

    /// <summary>The PE-major position of matrix row <paramref name="row"/>: index it into <see cref="RowPointers"/>.</summary>
    public int PositionOf(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        return _peRowOffsets[row % PeCount] + (row / PeCount);
    }

    /// <summary>
    /// The column of every entry (padding entries included: their values are zero), for kernels that
    /// want random access rather than the sequential relative walk.
    /// </summary>
    public int[] AbsoluteColumns()
    {
        var columns = new int[_indices.Length];
        for (var position = 0; position < Rows; position++)
        {
            var column = -1;
            for (var e = _rowPointers[position]; e < _rowPointers[position + 1]; e++)
            {
                column += _indices[e] + 1;
                columns[e] = column;
            }
        }

        return columns;
    }

    /// <summary>The entries [start, end) of PE <paramref name="pe"/>'s stream.</summary>
    public (int Start, int End) PeEntries(int pe) => (_rowPointers[_peRowOffsets[pe]], _rowPointers[_peRowOffsets[pe + 1]]);

    /// <inheritdoc />
    public override int PartitionEntries(int partition)
    {
        var (start, end) = PeEntries(partition);
        return end - start;
    }

    /// <inheritdoc />
    public override long PartitionBytes(int partition, int valueBytes)
    {
        CheckValueBytes(valueBytes);
        var entries = PartitionEntries(partition);
        return IndexCodec.PackedBytes(entries, IndexBits) + ((long)entries * valueBytes);
    }

    /// <inheritdoc />
    public override EncodedBytes CountBytes(int valueBytes)
    {
        CheckValueBytes(valueBytes);
        long indexBytes = 0;
        for (var p = 0; p < PeCount; p++)
        {
            indexBytes += IndexCodec.PackedBytes(PartitionEntries(p), IndexBits);
        }

        return new EncodedBytes(4L * _rowPointers.Length, indexBytes, (long)_values.Length * valueBytes);
    }

    /// <inheritdoc />
    private protected override void Scatter(Span<float> dense)
    {
        for (var p = 0; p < PeCount; p++)
        {
            for (var position = _peRowOffsets[p]; position < _peRowOffsets[p + 1]; position++)
            {
                var rowStart = (p + ((position - _peRowOffsets[p]) * PeCount)) * Columns;
                var column = -1;
                for (var e = _rowPointers[position]; e < _rowPointers[position + 1]; e++)
                {
                    column += _indices[e] + 1;
                    dense[rowStart + column] = _values[e];
                }
            }
        }
    }

    /// <inheritdoc />
    internal override void WritePayload(BinaryWriter writer)
    {
        PayloadIo.WriteInt32s(writer, _rowPointers);
        for (var p = 0; p < PeCount; p++)
        {
            var (start, end) = PeEntries(p);
            PayloadIo.WritePacked(writer, _indices.AsSpan(start, end - start), IndexBits);
        }

        PayloadIo.WriteSingles(writer, _values);
    }

    /// <summary>Reads the payload written by <see cref="WritePayload"/>.</summary>
    internal static PeLayer ReadPayload(in LayerHeader header, ref PayloadReader reader)
    {
        LayerSerializer.ExpectIndices(header, IndexEncoding.Relative, header.IndexBits);
        if (BasicProblem(header.Rows, header.Columns, header.Parameter, header.IndexBits) is { } basic)
        {
            throw LayerSerializer.Corrupt($"PE layer: {basic}");
        }

        // Pointers are checked before they size the per-PE index runs.
        var rowPointers = reader.ReadInt32s(header.Rows + 1, "row pointers");
        if (PointerProblem(rowPointers, header.Rows + 1, header.StoredEntries, "row") is { } pointers)
        {
            throw LayerSerializer.Corrupt($"PE layer: {pointers}");
        }

        var offsets = RowOffsets(header.Rows, header.Parameter);
        var indices = new int[header.StoredEntries];
        for (var p = 0; p < header.Parameter; p++)
        {
            var start = rowPointers[offsets[p]];
            reader.ReadPacked(indices.AsSpan(start, rowPointers[offsets[p + 1]] - start), header.IndexBits, $"indices of PE {p}");
        }

        var values = reader.ReadSingles(header.StoredEntries, "values");
        try
        {
            return new PeLayer(header.Rows, header.Columns, header.Parameter, header.IndexBits, rowPointers, indices, values, header.PaddingEntries);
        }
        catch (ArgumentException e)
        {
            throw LayerSerializer.Corrupt(e.Message, e);
        }
    }

    /// <summary>PE p holds rows p, p + P, ...: ceil((Rows - p) / P) of them.</summary>
    private static int[] RowOffsets(int rows, int peCount)
    {
        var offsets = new int[peCount + 1];
        for (var p = 0; p < peCount; p++)
        {
            offsets[p + 1] = offsets[p] + (p < rows ? ((rows - 1 - p) / peCount) + 1 : 0);
        }

        return offsets;
    }

    private static string? BasicProblem(int rows, int columns, int peCount, int indexBits)
    {
        if (ShapeProblem(rows, columns) is { } shape)
        {
            return shape;
        }

        if (peCount is < 1 or > MaxPeCount)
        {
            return $"PE count {peCount} must be 1 to {MaxPeCount}";
        }

        return indexBits is < IndexCodec.MinRelativeBits or > IndexCodec.MaxRelativeBits
            ? $"relative index bits {indexBits} must be {IndexCodec.MinRelativeBits} to {IndexCodec.MaxRelativeBits}"
            : null;
    }

    private static string? Problem(int rows, int columns, int indexBits, int[] rowPointers, int[] indices, float[] values, int padding)
    {
        if (indices.Length != values.Length)
        {
            return $"{indices.Length} relative indices but {values.Length} values";
        }

        if (PointerProblem(rowPointers, rows + 1, values.Length, "row") is { } pointers)
        {
            return pointers;
        }

        var max = IndexCodec.MaxRelative(indexBits);
        var paddingCandidates = 0;
        for (var position = 0; position < rows; position++)
        {
            var column = -1;
            for (var e = rowPointers[position]; e < rowPointers[position + 1]; e++)
            {
                var index = indices[e];
                if (index < 0 || index > max)
                {
                    return $"entry {e}: relative index {index} outside 0..{max}";
                }

                column += index + 1;
                if (column >= columns)
                {
                    return $"entry {e} (row position {position}) walks to column {column}, past the last column {columns - 1}";
                }

                if (index == max && BitConverter.SingleToInt32Bits(values[e]) == 0)
                {
                    paddingCandidates++;
                }
            }
        }

        // A padding entry has the largest index and value +0.0; a kept +0.0 at that gap looks the same,
        // so this bounds the count rather than fixing it.
        return padding < 0 || padding > paddingCandidates
            ? $"{padding} padding entries claimed but only {paddingCandidates} entries have index {max} and value 0"
            : null;
    }
}
