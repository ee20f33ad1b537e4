namespace Sparsify.Runtime.Formats;

/// <summary>
/// One layer's weight matrix (rows = output channels or features, columns = (ic, kh, kw) or input
/// features) in a compressed format: flat arrays only, so the same object can be written into a
/// weight blob at build time, read back at run time, copied to an accelerator and walked by a PE
/// model. Immutable; the arrays are owned by the layer and exposed read-only.
/// </summary>
/// <remarks>
/// Kept weights are those of the sparsity mask, including kept weights whose value is exactly 0.0;
/// <see cref="Decode()"/> gives them back bit for bit and +0.0 everywhere else.
/// This part (the layer types, decoding, <see cref="Write"/> and <see cref="Read"/>) uses the BCL only,
/// so it can move into a run-time assembly without the compiler's dependencies.
/// </remarks>
public abstract class EncodedLayer
{
    /// <summary>Bytes of the header in front of every serialized layer.</summary>
    public const int HeaderBytes = LayerSerializer.HeaderLength;

    private protected EncodedLayer(int rows, int columns)
    {
        Rows = rows;
        Columns = columns;
    }

    /// <summary>The layout of this layer.</summary>
    public abstract EncodedFormat Format { get; }

    /// <summary>Rows of the weight matrix (output channels or features).</summary>
    public int Rows { get; }

    /// <summary>Columns of the weight matrix (filter positions or input features).</summary>
    public int Columns { get; }

    /// <summary>Kept weights (the mask's count), including kept weights equal to 0.0.</summary>
    public abstract int NonZeros { get; }

    /// <summary>Index entries stored, padding entries included (for the group format: stored columns).</summary>
    public abstract int StoredEntries { get; }

    /// <summary>Values stored: kept weights plus padding values plus explicit zeros.</summary>
    public abstract int StoredValues { get; }

    /// <summary>Entries inserted only to bridge a gap wider than the relative index can express (0 for absolute indices).</summary>
    public abstract int PaddingEntries { get; }

    /// <summary>Stored values for weights the mask removed, other than padding (the group format's shared-column zeros; 0 otherwise).</summary>
    public virtual int ExplicitZeros => 0;

    /// <summary>How entry positions are written.</summary>
    public abstract IndexEncoding IndexEncoding { get; }

    /// <summary>Bits per stored index: 8, 16 or 32 for absolute indices, the configured width for relative ones.</summary>
    public abstract int IndexBits { get; }

    /// <summary>Partitions the format splits work into: rows (CSR), PEs (PE format) or groups (group format).</summary>
    public abstract int PartitionCount { get; }

    /// <summary>The partition parameter written in the header: 0 for CSR, P for the PE format, G for the group format.</summary>
    private protected abstract int PartitionParameter { get; }

    /// <summary><see cref="PartitionParameter"/> for the serializer.</summary>
    internal int PartitionParameterValue => PartitionParameter;

    /// <summary>Index entries of one partition (padding included); the spread of these is the load imbalance.</summary>
    public abstract int PartitionEntries(int partition);

    /// <summary>
    /// Bytes of one partition's indices and values (pointers excluded: they are control data, not the
    /// partition's weight buffer), with <paramref name="valueBytes"/> per value (4 for fp32, 2 for 16-bit).
    /// </summary>
    public abstract long PartitionBytes(int partition, int valueBytes);

    /// <summary>
    /// Exact bytes of the encoded arrays with <paramref name="valueBytes"/> per value (4 for fp32, 2 for
    /// 16-bit fixed point or half). With 4, <see cref="EncodedBytes.Total"/> is exactly the serialized
    /// payload, i.e. the bytes <see cref="Write"/> emits minus <see cref="HeaderBytes"/>.
    /// </summary>
    public abstract EncodedBytes CountBytes(int valueBytes);

    /// <summary>The dense row-major matrix: kept weights bit for bit, +0.0 elsewhere.</summary>
    public float[] Decode()
    {
        var dense = new float[Rows * Columns];
        DecodeInto(dense);
        return dense;
    }

    /// <summary>Writes the dense row-major matrix into <paramref name="dense"/> (exactly Rows*Columns long).</summary>
    public void DecodeInto(Span<float> dense)
    {
        if (dense.Length != Rows * Columns)
        {
            throw new ArgumentException($"the layer is {Rows}x{Columns} = {Rows * Columns} weights, the destination holds {dense.Length}", nameof(dense));
        }

        dense.Clear();
        Scatter(dense);
    }

    /// <summary>Writes this layer (header + payload, little-endian) at the stream's position.</summary>
    public void Write(Stream stream) => LayerSerializer.Write(this, PartitionParameter, stream);

    /// <summary>
    /// Reads one layer written by <see cref="Write"/> from the stream's position, leaving the stream
    /// just after it (so layers can follow one another in a blob).
    /// </summary>
    /// <exception cref="InvalidDataException">The data is truncated, corrupt, or of a newer format version.</exception>
    public static EncodedLayer Read(Stream stream) => LayerSerializer.Read(stream);

    /// <summary>Stores every stored value at its position of a zero-filled dense matrix.</summary>
    private protected abstract void Scatter(Span<float> dense);

    /// <summary>Writes the format's arrays, in the order and widths <see cref="CountBytes"/> counts.</summary>
    internal abstract void WritePayload(BinaryWriter writer);

    /// <summary>Throws unless a value width is one the accounting knows.</summary>
    private protected static void CheckValueBytes(int valueBytes)
    {
        if (valueBytes is not (2 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(valueBytes), valueBytes, "value bytes must be 4 (fp32) or 2 (16-bit)");
        }
    }

    /// <summary>Why a shape is unusable (not positive, or too large to decode into one array), or null.</summary>
    private protected static string? ShapeProblem(int rows, int columns)
    {
        if (rows <= 0 || columns <= 0)
        {
            return $"the shape {rows}x{columns} must be positive";
        }

        return (long)rows * columns > Array.MaxLength ? $"the shape {rows}x{columns} has more weights than one array holds" : null;
    }

    /// <summary>Why <paramref name="pointers"/> is unusable (wrong length, not starting at 0, decreasing, not ending at <paramref name="end"/>), or null.</summary>
    private protected static string? PointerProblem(ReadOnlySpan<int> pointers, int expectedLength, int end, string what)
    {
        if (pointers.Length != expectedLength)
        {
            return $"{what} pointers must have {expectedLength} entries, got {pointers.Length}";
        }

        if (pointers[0] != 0)
        {
            return $"{what} pointers must start at 0, got {pointers[0]}";
        }

        for (var i = 1; i < pointers.Length; i++)
        {
            if (pointers[i] < pointers[i - 1])
            {
                return $"{what} pointer {i} ({pointers[i]}) is below pointer {i - 1} ({pointers[i - 1]})";
            }
        }

        return pointers[^1] != end ? $"{what} pointers end at {pointers[^1]} but there are {end} entries" : null;
    }
}
