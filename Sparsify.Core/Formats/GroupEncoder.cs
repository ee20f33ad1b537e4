using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Formats;

namespace Sparsify.Core.Formats;

/// <summary>
/// Encodes masked weights as <see cref="GroupLayer"/>: groups of G consecutive output channels, one
/// shared index list per group, G values per stored column stored together.
/// </summary>
public static class GroupEncoder
{
    /// <summary>Encodes the kept weights of <paramref name="matrix"/>.</summary>
    public static GroupLayer Encode(
        WeightMatrix matrix, SparsityMask mask, int groupSize = FormatDefaults.GroupSize,
        IndexEncoding encoding = IndexEncoding.Relative, int relativeIndexBits = FormatDefaults.RelativeIndexBits)
    {
        MaskedInput.Check(matrix, mask);
        return Encode(matrix.Values, mask, groupSize, encoding, relativeIndexBits);
    }

    /// <summary>
    /// Encodes the weights <paramref name="mask"/> keeps out of <paramref name="values"/> (row-major,
    /// the mask's shape). A column is stored for a group when any of its rows keeps it; rows that do
    /// not keep it get +0.0 (an explicit zero). With <see cref="IndexEncoding.Relative"/> indices are
    /// <paramref name="relativeIndexBits"/> wide (1 to 16) with padding entries for wide gaps, the
    /// hardware form; with <see cref="IndexEncoding.Absolute"/> they are columns at the narrowest of
    /// 8, 16 or 32 bits and <paramref name="relativeIndexBits"/> is ignored.
    /// </summary>
    public static GroupLayer Encode(
        ReadOnlySpan<float> values, SparsityMask mask, int groupSize = FormatDefaults.GroupSize,
        IndexEncoding encoding = IndexEncoding.Relative, int relativeIndexBits = FormatDefaults.RelativeIndexBits)
    {
        MaskedInput.Check(values, mask);
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 1);
        var relative = encoding switch
        {
            IndexEncoding.Relative => true,
            IndexEncoding.Absolute => false,
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "the index encoding must be Absolute or Relative"),
        };
        if (relative)
        {
            IndexCodec.CheckRelativeBits(relativeIndexBits, nameof(relativeIndexBits));
        }

        int rows = mask.Rows, columns = mask.Columns;
        var bits = relative ? relativeIndexBits : IndexCodec.AbsoluteBits(columns);
        var max = relative ? IndexCodec.MaxRelative(bits) : 0;
        var groups = (int)(((long)rows + groupSize - 1) / groupSize);
        var groupPointers = new int[groups + 1];
        var indices = new List<int>();
        var stored = new List<float>();
        int padding = 0, explicitZeros = 0;
        for (var g = 0; g < groups; g++)
        {
            var firstRow = g * groupSize;
            var height = Math.Min(groupSize, rows - firstRow);
            var previous = -1;
            for (var c = 0; c < columns; c++)
            {
                var keptBy = 0;
                for (var lane = 0; lane < height; lane++)
                {
                    keptBy += mask.IsKept(firstRow + lane, c) ? 1 : 0;
                }

                if (keptBy == 0)
                {
                    continue;
                }

                var index = c;
                if (relative)
                {
                    IndexCodec.SplitGap(previous, c, bits, out var fillers, out index);
                    for (var f = 0; f < fillers; f++)
                    {
                        indices.Add(max);
                        stored.AddRange(Enumerable.Repeat(0f, height));
                    }

                    padding += fillers;
                }

                indices.Add(index);
                for (var lane = 0; lane < height; lane++)
                {
                    var row = firstRow + lane;
                    stored.Add(mask.IsKept(row, c) ? values[(row * columns) + c] : 0f);
                }

                explicitZeros += height - keptBy;
                previous = c;
            }

            groupPointers[g + 1] = indices.Count;
        }

        return new GroupLayer(rows, columns, groupSize, encoding, bits, groupPointers, [.. indices], [.. stored], mask.NonZeros, padding, explicitZeros);
    }
}
