namespace Sparsify.Runtime.Formats;

/// <summary>
/// Index widths, relative-index walking and bit packing shared by the formats, the encoders and the
/// serializer, so that all three agree on one definition.
/// </summary>
/// <remarks>
/// Relative index semantics (PE and relative group formats): a walk starts before column 0 at each
/// row (PE) or group start, i.e. at position -1; an entry with index <c>d</c> sits at
/// <c>previous + d + 1</c>, so <c>d</c> counts the columns skipped. With <c>b</c> bits the largest
/// index is <c>2^b - 1</c>; a gap larger than that is bridged by padding entries of index
/// <c>2^b - 1</c> and value 0 (each skips <c>2^b - 1</c> columns and occupies one pruned column), so a
/// gap of <c>g</c> costs exactly <c>g &gt;&gt; b</c> padding entries (gap 40, 4 bits: 2).
/// </remarks>
public static class IndexCodec
{
    /// <summary>Narrowest relative index width accepted.</summary>
    public const int MinRelativeBits = 1;

    /// <summary>Widest relative index width accepted: indices live in <c>int</c> but travel packed.</summary>
    public const int MaxRelativeBits = 16;

    /// <summary>The narrowest of 8, 16 or 32 bits holding every column index of a matrix with <paramref name="columns"/> columns.</summary>
    public static int AbsoluteBits(int columns) => columns <= 1 << 8 ? 8 : columns <= 1 << 16 ? 16 : 32;

    /// <summary>Largest relative index for <paramref name="bits"/>.</summary>
    public static int MaxRelative(int bits) => (1 << bits) - 1;

    /// <summary>Padding entries needed before an entry that follows a gap of <paramref name="gap"/> skipped columns.</summary>
    public static int PaddingFor(int gap, int bits) => gap >> bits;

    /// <summary>Bytes that <paramref name="count"/> indices of <paramref name="bits"/> bits take when packed from a byte boundary.</summary>
    public static long PackedBytes(long count, int bits) => ((count * bits) + 7) / 8;

    /// <summary>Throws unless <paramref name="bits"/> is a supported relative index width.</summary>
    public static void CheckRelativeBits(int bits, string paramName)
    {
        if (bits is < MinRelativeBits or > MaxRelativeBits)
        {
            throw new ArgumentOutOfRangeException(paramName, bits, $"relative index bits must be {MinRelativeBits} to {MaxRelativeBits}");
        }
    }

    /// <summary>
    /// Splits the step from <paramref name="previous"/> (-1 at a row or group start) to a kept
    /// <paramref name="column"/> into <paramref name="padding"/> padding entries of index
    /// <see cref="MaxRelative"/> followed by one entry of index <paramref name="index"/>.
    /// </summary>
    public static void SplitGap(int previous, int column, int bits, out int padding, out int index)
    {
        var gap = column - previous - 1;
        padding = PaddingFor(gap, bits);
        index = gap - (padding << bits);
    }

    /// <summary>
    /// Packs <paramref name="indices"/> at <paramref name="bits"/> bits each, least significant bit
    /// first: entry i occupies bits [i*b, (i+1)*b) of the span, bit 0 being the low bit of byte 0.
    /// </summary>
    public static void Pack(ReadOnlySpan<int> indices, int bits, Span<byte> destination)
    {
        ulong buffer = 0;
        var buffered = 0;
        var written = 0;
        foreach (var index in indices)
        {
            buffer |= (ulong)(uint)index << buffered;
            buffered += bits;
            while (buffered >= 8)
            {
                destination[written++] = (byte)buffer;
                buffer >>= 8;
                buffered -= 8;
            }
        }

        if (buffered > 0)
        {
            destination[written] = (byte)buffer;
        }
    }

    /// <summary>The inverse of <see cref="Pack"/>; <paramref name="source"/> must hold <see cref="PackedBytes"/> bytes.</summary>
    public static void Unpack(ReadOnlySpan<byte> source, int bits, Span<int> indices)
    {
        ulong buffer = 0;
        var buffered = 0;
        var read = 0;
        var mask = (1UL << bits) - 1;
        for (var i = 0; i < indices.Length; i++)
        {
            while (buffered < bits)
            {
                buffer |= (ulong)source[read++] << buffered;
                buffered += 8;
            }

            indices[i] = (int)(buffer & mask);
            buffer >>= bits;
            buffered -= bits;
        }
    }
}
