using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Formats;

namespace Sparsify.Core.Formats;

/// <summary>Encodes masked weights as <see cref="CsrLayer"/>: one entry per kept weight, rows = output channels.</summary>
public static class CsrEncoder
{
    /// <summary>Encodes the kept weights of <paramref name="matrix"/>.</summary>
    public static CsrLayer Encode(WeightMatrix matrix, SparsityMask mask)
    {
        MaskedInput.Check(matrix, mask);
        return Encode(matrix.Values, mask);
    }

    /// <summary>
    /// Encodes the weights <paramref name="mask"/> keeps out of <paramref name="values"/> (row-major,
    /// the mask's shape). Values at removed positions are ignored; kept values are stored as they
    /// are, 0.0 included.
    /// </summary>
    public static CsrLayer Encode(ReadOnlySpan<float> values, SparsityMask mask)
    {
        MaskedInput.Check(values, mask);
        int rows = mask.Rows, columns = mask.Columns;
        var rowPointers = new int[rows + 1];
        var columnIndices = new int[mask.NonZeros];
        var kept = new float[mask.NonZeros];
        var n = 0;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                if (mask.IsKept(r, c))
                {
                    columnIndices[n] = c;
                    kept[n++] = values[(r * columns) + c];
                }
            }

            rowPointers[r + 1] = n;
        }

        return new CsrLayer(rows, columns, rowPointers, columnIndices, kept);
    }
}
