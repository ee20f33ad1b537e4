using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Formats;

namespace Sparsify.Core.Formats;

/// <summary>
/// Encodes masked weights as <see cref="PeLayer"/>, the Deep Compression / EIE layout: row r on PE
/// r mod P, fixed-width relative indices, a padding entry (value 0, largest index) wherever a gap is
/// wider than the index can express.
/// </summary>
public static class PeEncoder
{
    /// <summary>Encodes the kept weights of <paramref name="matrix"/>.</summary>
    public static PeLayer Encode(WeightMatrix matrix, SparsityMask mask, int peCount = FormatDefaults.PeCount, int indexBits = FormatDefaults.RelativeIndexBits)
    {
        MaskedInput.Check(matrix, mask);
        return Encode(matrix.Values, mask, peCount, indexBits);
    }

    /// <summary>
    /// Encodes the weights <paramref name="mask"/> keeps out of <paramref name="values"/> (row-major,
    /// the mask's shape) over <paramref name="peCount"/> PEs with <paramref name="indexBits"/>-bit
    /// relative indices (1 to 16).
    /// </summary>
    public static PeLayer Encode(ReadOnlySpan<float> values, SparsityMask mask, int peCount = FormatDefaults.PeCount, int indexBits = FormatDefaults.RelativeIndexBits)
    {
        MaskedInput.Check(values, mask);
        if (peCount is < 1 or > PeLayer.MaxPeCount)
        {
            throw new ArgumentOutOfRangeException(nameof(peCount), peCount, $"the PE count must be 1 to {PeLayer.MaxPeCount}");
        }

        IndexCodec.CheckRelativeBits(indexBits, nameof(indexBits));
        int rows = mask.Rows, columns = mask.Columns;
        var max = IndexCodec.MaxRelative(indexBits);
        var rowPointers = new int[rows + 1];
        var indices = new List<int>(mask.NonZeros);
        var stored = new List<float>(mask.NonZeros);
        var padding = 0;
        var position = 0;

        // PE-major: PE p walks its rows p, p + P, ... in order; the walk restarts at each row.
        for (var p = 0; p < Math.Min(peCount, rows); p++)
        {
            for (var r = p; r < rows; r += peCount)
            {
                var previous = -1;
                for (var c = 0; c < columns; c++)
                {
                    if (!mask.IsKept(r, c))
                    {
                        continue;
                    }

                    IndexCodec.SplitGap(previous, c, indexBits, out var fillers, out var index);
                    for (var f = 0; f < fillers; f++)
                    {
                        indices.Add(max);
                        stored.Add(0f);
                    }

                    indices.Add(index);
                    stored.Add(values[(r * columns) + c]);
                    padding += fillers;
                    previous = c;
                }

                rowPointers[++position] = indices.Count;
            }
        }

        return new PeLayer(rows, columns, peCount, indexBits, rowPointers, [.. indices], [.. stored], padding);
    }
}
