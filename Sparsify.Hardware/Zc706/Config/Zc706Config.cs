using System.Globalization;
using System.Text.Json.Serialization;

namespace Sparsify.Hardware.Zc706.Config;

/// <summary>
/// One configuration of the sparse PE array on the ZC706. Every default is an assumption written down
/// here and in docs/hardware.md; the array shape and buffers match the defaults the sparsity schemes
/// shape weights for (16 PEs, G = 8, 8-bit relative indices, 8 BRAM36 of weights per PE).
/// </summary>
/// <remarks>
/// <para>The array: <see cref="PeCount"/> PEs, each with <see cref="GroupSize"/> × <see cref="PixelsPerPe"/>
/// 16-bit MAC units (one DSP48E1 each). A PE owns whole groups of G output channels that share one
/// nonzero column pattern; each cycle it reads one entry (a relative index and G weights) and one
/// input value for each of its <see cref="PixelsPerPe"/> output positions, so one fetched input
/// feeds G MACs. Input tiles are fetched from DDR once and broadcast into every PE's local input buffer.</para>
/// </remarks>
public sealed record Zc706Config
{
    /// <summary>A configuration name for reports.</summary>
    public string Name { get; init; } = "zc706-sparse";

    /// <summary>Fabric clock (default 150 MHz: Qiu et al. closed timing at 150 MHz on this device with 780 DSPs; published designs reach 150–200 MHz).</summary>
    public double ClockMHz { get; init; } = 150;

    /// <summary>Processing elements (default 16: divides the group count of every AlexNet and VGG-16 layer but VGG's first block).</summary>
    public int PeCount { get; init; } = 16;

    /// <summary>G: output channels a PE computes together, sharing one pattern (default 8).</summary>
    public int GroupSize { get; init; } = 8;

    /// <summary>Output positions (consecutive in one output row) each PE computes at once (default 4).</summary>
    public int PixelsPerPe { get; init; } = 4;

    /// <summary>Bytes of one PE's weight buffer (default 36,864 = 8 BRAM36).</summary>
    public int WeightBufferBytesPerPe { get; init; } = 36_864;

    /// <summary>Bytes of one PE's local copy of the input tile (default 36,864 = 8 BRAM36; local so each PE reads its own columns).</summary>
    public int InputBufferBytesPerPe { get; init; } = 36_864;

    /// <summary>Bytes of one PE's 32-bit partial-sum buffer (default 18,432 = 4 BRAM36).</summary>
    public int OutputBufferBytesPerPe { get; init; } = 18_432;

    /// <summary>
    /// Sustained DDR3 bandwidth the array's DMA reaches, GB/s (default 4.2: the PL reaches the PS DDR3
    /// through four 64-bit AXI HP ports, 4.8 GB/s raw at 150 MHz; 4.2 assumes about 88% efficiency on long bursts).
    /// </summary>
    public double DdrBandwidthGBps { get; init; } = 4.2;

    /// <summary>Bytes per DDR burst (default 128 = 16 beats × 64 bits, the AXI3 maximum).</summary>
    public int BurstBytes { get; init; } = 128;

    /// <summary>Fabric cycles lost per burst to address and response handshakes (default 2; outstanding transactions hide the rest of the latency).</summary>
    public int BurstOverheadCycles { get; init; } = 2;

    /// <summary>Bits per stored weight and activation value (default 16).</summary>
    public int ValueBits { get; init; } = 16;

    /// <summary>Bits per relative index of a sparse entry (default 8; a longer gap stores a padding entry).</summary>
    public int IndexBits { get; init; } = 8;

    /// <summary>Bits per partial sum kept on chip or spilled to DDR (default 32).</summary>
    public int PartialSumBits { get; init; } = 32;

    /// <summary>Cycles to fill and drain the MAC pipeline at each synchronisation point (default 12: BRAM read 2, DSP48E1 multiply-accumulate 4, G-lane output path 6).</summary>
    public int PipelineDepth { get; init; } = 12;

    /// <summary>Elements per cycle of the post-processing unit that runs pooling, LRN and Softmax on chip (default 16, one per PE).</summary>
    public int PostProcessLanes { get; init; } = 16;

    /// <summary>Whether weight, input and output transfers overlap compute (ping-pong halves of each buffer; default true).</summary>
    public bool DoubleBuffering { get; init; } = true;

    /// <summary>Number format of the functional model (default <see cref="Arithmetic.Fixed16"/>).</summary>
    public Arithmetic Arithmetic { get; init; } = Arithmetic.Fixed16;

    /// <summary>Fraction bits of activations in 16-bit mode (default 8: Q7.8, range ±128, step 1/256).</summary>
    public int ActivationFractionBits { get; init; } = 8;

    /// <summary>Fraction bits of weights in 16-bit mode (default 14: Q1.14, range ±2).</summary>
    public int WeightFractionBits { get; init; } = 14;

    /// <summary>
    /// Whether the array is a plain dense one (no index decoders, every column computed): the
    /// configuration of the dense anchor. A sparse array computes dense-stored layers too, just without indices.
    /// </summary>
    public bool DenseOnly { get; init; }

    /// <summary>The default sparse array (528 DSP48E1, 336 BRAM36 at 150 MHz).</summary>
    public static Zc706Config Default { get; } = new();

    /// <summary>
    /// The dense anchor: a 16-bit array of 780 DSP48E1 at 150 MHz as Qiu et al. (FPGA 2016) built on
    /// this board: 12 PEs × 4 channels × 16 positions = 768 MACs, plus one address DSP per PE; buffers
    /// sized to their 486 BRAM36 (8 + 15 + 16 per PE, plus 18 for DMA FIFOs).
    /// </summary>
    public static Zc706Config Qiu2016Dense { get; } = new()
    {
        Name = "qiu2016-dense",
        PeCount = 12,
        GroupSize = 4,
        PixelsPerPe = 16,
        WeightBufferBytesPerPe = 36_864,
        InputBufferBytesPerPe = 69_120,
        OutputBufferBytesPerPe = 73_728,
        DenseOnly = true,
    };

    /// <summary>MAC units per PE: <see cref="GroupSize"/> × <see cref="PixelsPerPe"/>.</summary>
    [JsonIgnore]
    public int MacsPerPe => GroupSize * PixelsPerPe;

    /// <summary>MAC units of the array.</summary>
    [JsonIgnore]
    public int MacUnits => PeCount * MacsPerPe;

    /// <summary>Bits of one weight entry: G values plus, unless stored dense, one relative index.</summary>
    public int EntryBits(bool storedDense) => (GroupSize * ValueBits) + (storedDense || DenseOnly ? 0 : IndexBits);

    /// <summary>DDR bytes per fabric cycle at full sustained bandwidth.</summary>
    [JsonIgnore]
    public double DdrBytesPerCycle => DdrBandwidthGBps * 1e9 / (ClockMHz * 1e6);

    /// <summary>Peak throughput in GOPS (two operations per MAC).</summary>
    [JsonIgnore]
    public double PeakGops => 2.0 * MacUnits * ClockMHz / 1000.0;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first parameter out of range. Nothing is
    /// clamped. The device budget is checked separately (<see cref="Resources.ResourceModel.CheckBudget"/>).
    /// </summary>
    public void Validate()
    {
        Positive(ClockMHz, nameof(ClockMHz));
        Positive(PeCount, nameof(PeCount));
        Positive(GroupSize, nameof(GroupSize));
        Positive(PixelsPerPe, nameof(PixelsPerPe));
        Positive(WeightBufferBytesPerPe, nameof(WeightBufferBytesPerPe));
        Positive(InputBufferBytesPerPe, nameof(InputBufferBytesPerPe));
        Positive(OutputBufferBytesPerPe, nameof(OutputBufferBytesPerPe));
        Positive(DdrBandwidthGBps, nameof(DdrBandwidthGBps));
        Positive(BurstBytes, nameof(BurstBytes));
        Positive(PipelineDepth, nameof(PipelineDepth));
        Positive(PostProcessLanes, nameof(PostProcessLanes));
        if (BurstOverheadCycles < 0)
        {
            throw Bad(nameof(BurstOverheadCycles), BurstOverheadCycles, "must be zero or more");
        }

        if (ValueBits != 16)
        {
            throw Bad(nameof(ValueBits), ValueBits, "must be 16: the array's datapath and its DSP48E1 mapping are 16-bit");
        }

        if (IndexBits is < 1 or > 16)
        {
            throw Bad(nameof(IndexBits), IndexBits, "must be in [1, 16]");
        }

        if (PartialSumBits is not (16 or 32 or 48))
        {
            throw Bad(nameof(PartialSumBits), PartialSumBits, "must be 16, 32 or 48");
        }

        if (ActivationFractionBits is < 0 or > 15)
        {
            throw Bad(nameof(ActivationFractionBits), ActivationFractionBits, "must be in [0, 15]");
        }

        if (WeightFractionBits is < 0 or > 15)
        {
            throw Bad(nameof(WeightFractionBits), WeightFractionBits, "must be in [0, 15]");
        }

        if (!Enum.IsDefined(Arithmetic))
        {
            throw Bad(nameof(Arithmetic), Arithmetic, "is not a known arithmetic");
        }
    }

    private static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw Bad(name, value, "must be a positive finite number");
        }
    }

    private static ArgumentException Bad(string name, object value, string rule) =>
        new(string.Create(CultureInfo.InvariantCulture, $"ZC706 configuration: {name} = {value} {rule}"), name);
}
