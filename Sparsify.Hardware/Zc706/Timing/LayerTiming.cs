namespace Sparsify.Hardware.Zc706.Timing;

/// <summary>DDR bytes one layer moves, by kind.</summary>
/// <param name="Weights">Compressed weights read (more than once when the loop order re-reads them).</param>
/// <param name="Inputs">Input rows read (halo rows of adjacent bands read twice).</param>
/// <param name="Outputs">Outputs written (16-bit).</param>
/// <param name="PartialSums">Partial sums spilled and read back when they do not fit on chip.</param>
/// <param name="Residuals">A folded residual read (16-bit) as the output path adds it.</param>
public sealed record DdrTraffic(long Weights, long Inputs, long Outputs, long PartialSums, long Residuals)
{
    /// <summary>No traffic.</summary>
    public static DdrTraffic None { get; } = new(0, 0, 0, 0, 0);

    /// <summary>All bytes.</summary>
    public long Total => Weights + Inputs + Outputs + PartialSums + Residuals;

    /// <summary>The sum of two traffics.</summary>
    public DdrTraffic Plus(DdrTraffic other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Weights + other.Weights, Inputs + other.Inputs, Outputs + other.Outputs, PartialSums + other.PartialSums, Residuals + other.Residuals);
    }
}

/// <summary>
/// The cycle model's account of one layer. <see cref="TotalCycles"/> = <see cref="ComputeCycles"/> +
/// <see cref="StallCycles"/> + <see cref="FillDrainCycles"/> + <see cref="MemoryCycles"/>.
/// </summary>
/// <param name="Layer">Layer name.</param>
/// <param name="Op">Operation (ONNX-style name).</param>
/// <param name="OnArray">Whether it ran on the PE array (else the post-processing unit, or nowhere).</param>
/// <param name="DenseMacs">MACs of the dense layer.</param>
/// <param name="NonZeroMacs">MACs on true nonzero weights (the work the sparse model needs).</param>
/// <param name="ComputeCycles">Cycles the PEs do useful work on average (the balanced share).</param>
/// <param name="StallCycles">Cycles lost to imbalance: PEs waiting for the most loaded one at each synchronisation.</param>
/// <param name="FillDrainCycles">Pipeline fill and drain at each synchronisation point.</param>
/// <param name="MemoryCycles">DDR transfer cycles not hidden behind compute.</param>
/// <param name="TotalCycles">The layer's cycles.</param>
/// <param name="DdrCycles">All DDR transfer cycles, hidden or not.</param>
/// <param name="Traffic">DDR bytes by kind.</param>
/// <param name="MemoryBound">Whether DDR transfers take longer than compute per step.</param>
/// <param name="Utilisation">Nonzero MACs / (MAC units × total cycles).</param>
/// <param name="Passes">Weight-buffer loads per band (input-channel chunks).</param>
/// <param name="Bands">Output-row bands (input tiles).</param>
/// <param name="LoopOrder">Which loop order the layer uses: <c>resident</c>, <c>channels-outer</c> or <c>rows-outer</c>.</param>
/// <param name="NonZerosPerPe">True nonzeros held by each PE (empty off the array).</param>
/// <param name="Imbalance">Most loaded PE's entries over the mean, minus 1 (0 when perfectly balanced).</param>
public sealed record LayerTiming(
    string Layer, string Op, bool OnArray, long DenseMacs, long NonZeroMacs,
    long ComputeCycles, long StallCycles, long FillDrainCycles, long MemoryCycles, long TotalCycles, long DdrCycles,
    DdrTraffic Traffic, bool MemoryBound, double Utilisation, int Passes, int Bands, string LoopOrder,
    IReadOnlyList<long> NonZerosPerPe, double Imbalance)
{
    /// <summary>The ops the plan folded into the layer's output path, in order (<c>Add</c>, <c>Relu</c>).</summary>
    public IReadOnlyList<string> Fused { get; init; } = [];

    /// <summary>The op with what is folded into it, for tables: <c>Conv+Add+Relu</c>.</summary>
    public string Label => Fused.Count == 0 ? Op : $"{Op}+{string.Join('+', Fused)}";
}
