namespace Sparsify.Core.Sparsity;

/// <summary>
/// The one place the ZC706 (XC7Z045) PE-array defaults live: the sparsity schemes, the compressed
/// formats and the hardware model all read them from here, so the weights are shaped for the array
/// they will run on. Every number is a default, not a limit: <see cref="SchemeSettings"/> and the
/// hardware model's configuration override them.
/// </summary>
/// <remarks>
/// <para><b>The array.</b> <see cref="PeCount"/> = 16 PEs, each computing <see cref="GroupSize"/> = 8
/// output channels for <see cref="PixelsPerPe"/> = 4 output positions at once: 16 × 8 × 4 =
/// <see cref="MacUnits"/> = 512 16-bit multiply-accumulates per cycle, one DSP48E1 each (a DSP48E1
/// multiplies 25 × 18 bits, so a 16-bit MAC is one DSP), i.e. 57% of the XC7Z045's 900 DSPs. That
/// leaves headroom for timing closure at 150–200 MHz (Qiu et al. reached 780 DSPs at 150 MHz with a
/// dense design) and DSPs for address generation; the hardware model's design-space exploration
/// sweeps the rest.</para>
/// <para><b>Why 16 PEs of 8 channels, not 64.</b> The locality scheme hands whole groups of G output
/// channels to PEs, so a layer is balanced only if its group count is a multiple of the PE count.
/// With G = 8, AlexNet's conv2…conv5 have 32, 48, 48 and 32 groups and VGG-16's layers 8, 16, 32 or
/// 64: 16 divides all of them but VGG's first block (and 512 of fc6/fc7; fc8's 125 groups are within
/// 3% of balanced), whereas 64 PEs would leave half the array idle on conv2/conv5 and a quarter on
/// conv3/conv4. The DSPs that
/// a larger PE count would have used are instead spent on 4 output positions per PE, which reuse each
/// fetched weight entry 4 times and cost no balance.</para>
/// <para><b>Why G = 8.</b> Every output-channel count per conv group in AlexNet (96, 128, 192, 384,
/// 4096, 1000) and VGG-16 (64 … 4096, 1000) is a multiple of 8, so no group is padded. One fetched
/// input feeds 8 MACs (8x reuse of input bandwidth), while a group of 8 filters sharing one pattern is
/// fine enough that group lasso can drive it to zero at little accuracy cost (SSL prunes at this
/// granularity); 16 would make 1000-class layers pad and halve conv1's group count.</para>
/// <para><b>Storage.</b> Values are 16-bit fixed point (<see cref="ValueBits"/>), as in Qiu et al.
/// (FPGA 2016) on the same board. Indices are relative (zeros skipped since the previous entry) and
/// <see cref="IndexBits"/> = 8 wide rather than EIE's 4: a group-format entry carries G = 8 values
/// (128 bits), so 4 more index bits cost 3%, while a 4-bit index overflows (and stores a padding
/// entry of 8 zero values) on every gap of 16 or more columns; at 93% sparsity about a third of the
/// gaps are that long, and a removed input channel of a 5×5 or 11×11 filter is a gap of 25 or 121.
/// An entry is then 136 bits = 17 bytes, byte-aligned.</para>
/// <para><b>Buffers.</b> Each PE holds its weights in <see cref="WeightBufferBram36PerPe"/> = 8 BRAM36
/// (<see cref="WeightBufferBytesPerPe"/> = 36,864 bytes; 2,168 group entries, i.e. 17,344 nonzeros),
/// 128 BRAM36 in all, 23% of the 545 on the chip, leaving 417 for input tiles and output partial sums,
/// which need more. At the per-layer sparsity of SSL AlexNet every sparse conv layer's share fits one
/// PE buffer in one load (conv3, the largest: about 61,000 nonzeros, about 8 KB per PE), with room to
/// double-buffer the next layer's weights; the fully connected layers (7.8 MB for fc6 at 90%) cannot
/// fit on chip at all and are streamed in passes, which the schemes report.</para>
/// </remarks>
public static class PeArrayDefaults
{
    /// <summary>DSP48E1 slices of the XC7Z045 (ZC706).</summary>
    public const int Xc7z045Dsp = 900;

    /// <summary>BRAM36 blocks of the XC7Z045 (19.1 Mb in all).</summary>
    public const int Xc7z045Bram36 = 545;

    /// <summary>Bytes in one BRAM36: 36 Kib including the parity bits, which a 72-bit-wide port uses as data.</summary>
    public const int Bram36Bytes = 36 * 1024 / 8;

    /// <summary>G: output channels a PE computes together, sharing one nonzero column pattern, so one fetched input feeds G MACs.</summary>
    public const int GroupSize = 8;

    /// <summary>P: processing elements; weight groups (or rows) are interleaved over them.</summary>
    public const int PeCount = 16;

    /// <summary>Output positions each PE computes at once, each with its own input and the same weights (hardware model only; the schemes do not depend on it).</summary>
    public const int PixelsPerPe = 4;

    /// <summary>Multiply-accumulate units (one DSP48E1 each): <see cref="PeCount"/> × <see cref="GroupSize"/> × <see cref="PixelsPerPe"/>.</summary>
    public const int MacUnits = PeCount * GroupSize * PixelsPerPe;

    /// <summary>BRAM36 blocks holding one PE's compressed weights.</summary>
    public const int WeightBufferBram36PerPe = 8;

    /// <summary>One PE's weight buffer: <see cref="WeightBufferBram36PerPe"/> × <see cref="Bram36Bytes"/> = 36,864 bytes.</summary>
    public const int WeightBufferBytesPerPe = WeightBufferBram36PerPe * Bram36Bytes;

    /// <summary>Bits per stored weight value (16-bit fixed point).</summary>
    public const int ValueBits = 16;

    /// <summary>Bits per relative index (zeros skipped since the previous entry; a longer gap stores a padding entry).</summary>
    public const int IndexBits = 8;

    /// <summary>M of the N:M pattern, the block length (4, as the 2:4 pattern of sparse tensor cores).</summary>
    public const int NmBlock = 4;
}
