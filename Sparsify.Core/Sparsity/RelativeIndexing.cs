namespace Sparsify.Core.Sparsity;

/// <summary>
/// Entry counting for relative indices (Deep Compression, EIE): each stored entry records how many
/// zeros precede it since the previous entry, in a fixed number of bits. A gap of 2^bits zeros or
/// more cannot be said in one index, so a padding entry (a stored zero, index 2^bits - 1) is inserted
/// for every 2^bits zeros; trailing zeros need nothing, the entry count ends the list.
/// </summary>
public static class RelativeIndexing
{
    /// <summary>Padding entries a gap of <paramref name="zeros"/> zeros needs with <paramref name="indexBits"/>-bit indices.</summary>
    public static long PaddingForGap(long zeros, int indexBits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(zeros);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(indexBits);
        return zeros >> indexBits;
    }

    /// <summary>
    /// Padding entries for kept positions <paramref name="sortedPositions"/> (strictly increasing, from
    /// position 0 of the list) with <paramref name="indexBits"/>-bit indices.
    /// </summary>
    public static long PaddingEntries(ReadOnlySpan<int> sortedPositions, int indexBits)
    {
        long padding = 0;
        var next = 0;
        foreach (var p in sortedPositions)
        {
            if (p < next)
            {
                throw new ArgumentException("positions must be strictly increasing", nameof(sortedPositions));
            }

            padding += PaddingForGap(p - next, indexBits);
            next = p + 1;
        }

        return padding;
    }
}
