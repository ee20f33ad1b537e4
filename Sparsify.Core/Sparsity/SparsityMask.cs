using System.Collections;

namespace Sparsify.Core.Sparsity;

/// <summary>
/// Which weights of one layer are kept, over the layer's weight matrix (see <see cref="WeightMatrix"/>):
/// one bit per weight, row-major. Immutable once built.
/// </summary>
public sealed class SparsityMask : IEquatable<SparsityMask>
{
    private readonly BitArray _keep;

    /// <summary>Creates a mask from a keep-predicate per (row, column).</summary>
    public SparsityMask(int rows, int columns, Func<int, int, bool> keep)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentNullException.ThrowIfNull(keep);
        Rows = rows;
        Columns = columns;
        _keep = new BitArray(checked(rows * columns));
        var count = 0;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                if (keep(r, c))
                {
                    _keep[r * columns + c] = true;
                    count++;
                }
            }
        }

        NonZeros = count;
    }

    private SparsityMask(int rows, int columns, BitArray keep, int nonZeros)
    {
        Rows = rows;
        Columns = columns;
        _keep = keep;
        NonZeros = nonZeros;
    }

    /// <summary>A mask from one flag per weight, row-major (true = kept).</summary>
    public static SparsityMask FromFlags(int rows, int columns, ReadOnlySpan<bool> keep)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (keep.Length != checked(rows * columns))
        {
            throw new ArgumentException($"a {rows}x{columns} mask needs {rows * columns} flags, got {keep.Length}", nameof(keep));
        }

        var bits = new BitArray(keep.Length);
        var count = 0;
        for (var i = 0; i < keep.Length; i++)
        {
            if (keep[i])
            {
                bits[i] = true;
                count++;
            }
        }

        return new SparsityMask(rows, columns, bits, count);
    }

    /// <summary>A mask keeping every weight.</summary>
    public static SparsityMask Dense(int rows, int columns) => new(rows, columns, (_, _) => true);

    /// <summary>A mask keeping exactly the nonzero values of <paramref name="matrix"/>.</summary>
    public static SparsityMask FromNonZeros(WeightMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var values = matrix.Values;
        var columns = matrix.Columns;
        return new SparsityMask(matrix.Rows, columns, (r, c) => values[r * columns + c] != 0f);
    }

    /// <summary>Rows of the weight matrix (output channels or features).</summary>
    public int Rows { get; }

    /// <summary>Columns of the weight matrix (filter positions or input features).</summary>
    public int Columns { get; }

    /// <summary>Number of kept weights.</summary>
    public int NonZeros { get; }

    /// <summary>Fraction of weights removed, in [0, 1].</summary>
    public double Sparsity => 1.0 - (double)NonZeros / ((long)Rows * Columns);

    /// <summary>Whether the weight at (<paramref name="row"/>, <paramref name="column"/>) is kept.</summary>
    public bool IsKept(int row, int column) => _keep[row * Columns + column];

    /// <summary>Kept weights in one row.</summary>
    public int RowNonZeros(int row)
    {
        var count = 0;
        for (var c = 0; c < Columns; c++)
        {
            if (_keep[row * Columns + c])
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Sets every removed weight of <paramref name="values"/> (row-major, this mask's shape) to zero.</summary>
    public void Apply(Span<float> values)
    {
        if (values.Length != Rows * Columns)
        {
            throw new ArgumentException($"the mask covers {Rows}x{Columns} weights, got {values.Length}", nameof(values));
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!_keep[i])
            {
                values[i] = 0f;
            }
        }
    }

    /// <inheritdoc />
    public bool Equals(SparsityMask? other)
    {
        if (other is null || other.Rows != Rows || other.Columns != Columns || other.NonZeros != NonZeros)
        {
            return false;
        }

        for (var i = 0; i < _keep.Length; i++)
        {
            if (_keep[i] != other._keep[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SparsityMask);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Rows, Columns, NonZeros);
}
