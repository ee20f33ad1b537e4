namespace Sparsify.Core.Sparsity;

/// <summary>How a layer's kept weights are laid out over the PE partitions.</summary>
public enum PartitionLayout
{
    /// <summary>Row r goes to partition r mod P (EIE, ESE); an entry is one value and a relative column index.</summary>
    Rows,

    /// <summary>
    /// Group g of <see cref="ChannelGroups"/> goes to partition g mod P; an entry is one kept column of the
    /// group: G values (one per channel, padding rows stored as zeros) and one shared relative index.
    /// </summary>
    Groups,
}

/// <summary>
/// What a scheme did to one layer and how the result fits the PE array: sparsity, balance across
/// partitions and whether each partition's compressed weights fit its buffer.
/// </summary>
public sealed record LayerSparsityReport
{
    /// <summary>The layer's name.</summary>
    public required string LayerName { get; init; }

    /// <summary>The layer's op type (<c>Conv</c> or <c>Gemm</c>).</summary>
    public required string OpType { get; init; }

    /// <summary>The scheme that chose the mask (or <c>dense</c> for a layer left whole).</summary>
    public required string Scheme { get; init; }

    /// <summary>Rows of the weight matrix (output channels or features).</summary>
    public required int Rows { get; init; }

    /// <summary>Columns of the weight matrix (filter positions or input features).</summary>
    public required int Columns { get; init; }

    /// <summary>Weights of the layer (rows × columns).</summary>
    public long Weights => (long)Rows * Columns;

    /// <summary>The sparsity asked for.</summary>
    public required double RequestedSparsity { get; init; }

    /// <summary>Weights kept.</summary>
    public required long NonZeros { get; init; }

    /// <summary>Fraction of weights removed.</summary>
    public double Sparsity => Weights == 0 ? 0 : 1.0 - (double)NonZeros / Weights;

    /// <summary>How the kept weights are spread over the partitions.</summary>
    public required PartitionLayout Layout { get; init; }

    /// <summary>Values per stored entry: G for <see cref="PartitionLayout.Groups"/>, 1 otherwise.</summary>
    public required int ValuesPerEntry { get; init; }

    /// <summary>Zero rows added so that every group has G rows (group layout only).</summary>
    public required int PaddedRows { get; init; }

    /// <summary>P, the partitions (PEs) the layer is spread over.</summary>
    public required int Partitions { get; init; }

    /// <summary>Partitions that hold at least one row or group: fewer than P when the layer is small.</summary>
    public required int PartitionsUsed { get; init; }

    /// <summary>Kept weights in each of the P partitions (padding rows not counted).</summary>
    public required IReadOnlyList<long> PartitionNonZeros { get; init; }

    /// <summary>
    /// Max / mean kept weights over the used partitions (1 = perfectly balanced): the time every PE
    /// waits for the busiest. Idle partitions show in <see cref="PartitionsUsed"/>, not here.
    /// </summary>
    public required double LoadImbalance { get; init; }

    /// <summary>Entries stored, padding entries included, over all partitions.</summary>
    public required long Entries { get; init; }

    /// <summary>Padding entries stored where a gap between kept columns overflows the index width.</summary>
    public required long PaddingEntries { get; init; }

    /// <summary>Bits of one entry: values × value bits + index bits.</summary>
    public required long EntryBits { get; init; }

    /// <summary>Bytes the fullest partition's compressed weights need.</summary>
    public required long BufferBytesNeeded { get; init; }

    /// <summary>Bytes of one PE's weight buffer.</summary>
    public required long BufferCapacityBytes { get; init; }

    /// <summary>
    /// Buffer loads the fullest partition needs when its entry stream is cut into buffer-sized pieces
    /// of whole entries (column tiles); 1 when the layer fits in one load.
    /// </summary>
    public required int Passes { get; init; }

    /// <summary>Whether every partition's weights fit its buffer at once.</summary>
    public bool FitsInBuffer => Passes <= 1;

    /// <summary>What the reader should know: padding, granularity, idle PEs, passes.</summary>
    public required IReadOnlyList<string> Notes { get; init; }
}
