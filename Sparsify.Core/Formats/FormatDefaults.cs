namespace Sparsify.Core.Formats;

/// <summary>
/// Defaults of the encoders: the ZC706 PE array's figures from <see cref="Sparsity.PeArrayDefaults"/>,
/// so format bytes and the schemes' buffer reports count the same entries.
/// </summary>
public static class FormatDefaults
{
    /// <summary>G: output channels per group, which share one index list and one input fetch.</summary>
    public const int GroupSize = Sparsity.PeArrayDefaults.GroupSize;

    /// <summary>P: processing elements the PE format interleaves rows over.</summary>
    public const int PeCount = Sparsity.PeArrayDefaults.PeCount;

    /// <summary>Bits of a relative index (see <see cref="Sparsity.PeArrayDefaults.IndexBits"/> for why not EIE's 4).</summary>
    public const int RelativeIndexBits = Sparsity.PeArrayDefaults.IndexBits;

    /// <summary>Bytes of a value in the hardware's 16-bit fixed-point (or half) form, for the accounting.</summary>
    public const int Bytes16 = 2;

    /// <summary>Bytes of an fp32 value.</summary>
    public const int BytesFp32 = 4;
}
