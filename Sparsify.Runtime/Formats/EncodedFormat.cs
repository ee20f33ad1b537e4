namespace Sparsify.Runtime.Formats;

/// <summary>
/// Which compressed layout an <see cref="EncodedLayer"/> uses. The numeric value is the format id
/// written into a serialized layer's header, so existing values must never change.
/// </summary>
public enum EncodedFormat
{
    /// <summary>Compressed sparse rows: one row per output channel, absolute column indices.</summary>
    Csr = 1,

    /// <summary>
    /// The PE format of Deep Compression / EIE: rows interleaved over P processing elements, each PE a
    /// stream of (value, fixed-width relative index) with padding entries where a gap overflows.
    /// </summary>
    Pe = 2,

    /// <summary>
    /// The locality scheme's group format: G consecutive output channels share one index list, and
    /// each stored column carries the G values of the group contiguously.
    /// </summary>
    Group = 3,
}

/// <summary>How the column positions of stored entries are written.</summary>
public enum IndexEncoding
{
    /// <summary>
    /// The column itself, at the narrowest of 8, 16 or 32 bits that holds <c>Columns - 1</c>.
    /// Needs no padding; a kernel can jump straight to any entry.
    /// </summary>
    Absolute = 0,

    /// <summary>
    /// The number of columns skipped since the previous entry of the same row (or group), in a fixed
    /// number of bits; a gap too wide for the bits is bridged by padding entries whose values are
    /// zero. Smaller indices, which is what a PE's local buffer wants; decoding is sequential.
    /// </summary>
    Relative = 1,
}
