namespace Sparsify.Runtime.Formats;

/// <summary>
/// Compressed sparse rows, one row per output channel: <see cref="RowPointers"/> (int32, Rows + 1),
/// absolute <see cref="ColumnIndices"/> and fp32 <see cref="Values"/>, one entry per kept weight.
/// </summary>
/// <remarks>
/// Column indices are held as <c>int</c> (what kernels index with) but counted and serialized at
/// <see cref="IndexBits"/>: the narrowest of 8, 16 or 32 bits that holds <c>Columns - 1</c>.
/// Within a row the columns strictly increase.
/// </remarks>
public sealed class CsrLayer : EncodedLayer
{
    private readonly int[] _rowPointers;
    private readonly int[] _columnIndices;
    private readonly float[] _values;

    /// <summary>Wraps arrays (taken, not copied) after checking they form a valid CSR matrix.</summary>
    /// <exception cref="ArgumentException">The arrays are inconsistent with each other or with the shape.</exception>
    public CsrLayer(int rows, int columns, int[] rowPointers, int[] columnIndices, float[] values)
        : base(rows, columns)
    {
        ArgumentNullException.ThrowIfNull(rowPointers);
        ArgumentNullException.ThrowIfNull(columnIndices);
        ArgumentNullException.ThrowIfNull(values);
        if (Problem(rows, columns, rowPointers, columnIndices, values) is { } problem)
        {
            throw new ArgumentException($"not a valid CSR layer: {problem}");
        }

        _rowPointers = rowPointers;
        _columnIndices = columnIndices;
        _values = values;
    }

    /// <inheritdoc />
    public override EncodedFormat Format => EncodedFormat.Csr;

    /// <summary>Where each row's entries start; row r holds entries [RowPointers[r], RowPointers[r + 1]).</summary>
    public ReadOnlySpan<int> RowPointers => _rowPointers;

    /// <summary>The column of each entry.</summary>
    public ReadOnlySpan<int> ColumnIndices => _columnIndices;

    /// <summary>The value of each entry.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <inheritdoc />
    public override int NonZeros => _values.Length;

    /// <inheritdoc />
    public override int StoredEntries => _values.Length;

    /// <inheritdoc />
    public override int StoredValues => _values.Length;

    /// <inheritdoc />
    public override int PaddingEntries => 0;

    /// <inheritdoc />
    public override IndexEncoding IndexEncoding => IndexEncoding.Absolute;

    /// <inheritdoc />
    public override int IndexBits => IndexCodec.AbsoluteBits(Columns);

    /// <inheritdoc />
    public override int PartitionCount => Rows;

    /// <inheritdoc />
    private protected override int PartitionParameter => 0;

    /// <inheritdoc />
    public override int PartitionEntries(int partition) => _rowPointers[partition + 1] - _rowPointers[partition];

    /// <inheritdoc />
    public override long PartitionBytes(int partition, int valueBytes)
    {
        CheckValueBytes(valueBytes);
        return (long)PartitionEntries(partition) * ((IndexBits / 8) + valueBytes);
    }

    /// <inheritdoc />
    public override EncodedBytes CountBytes(int valueBytes)
    {
        CheckValueBytes(valueBytes);
        return new EncodedBytes(
            Pointers: 4L * _rowPointers.Length,
            Indices: (long)_columnIndices.Length * (IndexBits / 8),
            Values: (long)_values.Length * valueBytes);
    }

    /// <inheritdoc />
    private protected override void Scatter(Span<float> dense)
    {
        for (var r = 0; r < Rows; r++)
        {
            var rowStart = r * Columns;
            for (var k = _rowPointers[r]; k < _rowPointers[r + 1]; k++)
            {
                dense[rowStart + _columnIndices[k]] = _values[k];
            }
        }
    }

    /// <inheritdoc />
    internal override void WritePayload(BinaryWriter writer)
    {
        PayloadIo.WriteInt32s(writer, _rowPointers);
        PayloadIo.WriteAbsolute(writer, _columnIndices, IndexBits);
        PayloadIo.WriteSingles(writer, _values);
    }

    /// <summary>Reads the payload written by <see cref="WritePayload"/>.</summary>
    internal static CsrLayer ReadPayload(in LayerHeader header, ref PayloadReader reader)
    {
        LayerSerializer.ExpectIndices(header, IndexEncoding.Absolute, IndexCodec.AbsoluteBits(header.Columns));
        var rowPointers = reader.ReadInt32s(header.Rows + 1, "row pointers");
        var columnIndices = reader.ReadAbsolute(header.StoredEntries, header.IndexBits, "column indices");
        var values = reader.ReadSingles(header.StoredEntries, "values");
        try
        {
            return new CsrLayer(header.Rows, header.Columns, rowPointers, columnIndices, values);
        }
        catch (ArgumentException e)
        {
            throw LayerSerializer.Corrupt(e.Message, e);
        }
    }

    private static string? Problem(int rows, int columns, int[] rowPointers, int[] columnIndices, float[] values)
    {
        if (ShapeProblem(rows, columns) is { } shape)
        {
            return shape;
        }

        if (columnIndices.Length != values.Length)
        {
            return $"{columnIndices.Length} column indices but {values.Length} values";
        }

        if (PointerProblem(rowPointers, rows + 1, values.Length, "row") is { } pointers)
        {
            return pointers;
        }

        for (var r = 0; r < rows; r++)
        {
            var previous = -1;
            for (var k = rowPointers[r]; k < rowPointers[r + 1]; k++)
            {
                var c = columnIndices[k];
                if (c <= previous || c >= columns)
                {
                    return $"row {r} entry {k}: column {c} is out of range or not after column {previous}";
                }

                previous = c;
            }
        }

        return null;
    }
}
