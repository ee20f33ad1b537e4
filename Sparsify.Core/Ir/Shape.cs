using System.Collections;

namespace Sparsify.Core.Ir;

/// <summary>An immutable tensor shape (row-major, NCHW for images). Printed as <c>1x3x224x224</c>.</summary>
public sealed class Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[] _dims;

    /// <summary>
    /// Creates a shape; every dimension must be positive, and the float32 tensor it describes must fit
    /// <see cref="ModelLimits.MaxTensorBytes"/>.
    /// </summary>
    public Shape(params ReadOnlySpan<int> dims)
    {
        foreach (var d in dims)
        {
            if (d <= 0)
            {
                throw new SparsifyModelException($"shape {Format(dims)} has a dimension that is not positive");
            }
        }

        var count = SizeMath.Product(dims);
        if (ModelLimits.TensorSizeProblem(count, sizeof(float), "float32") is { } problem)
        {
            throw new SparsifyModelException($"shape {Format(dims)} {problem}");
        }

        _dims = dims.ToArray();
        ElementCount = (int)count;
    }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims.Length;

    /// <summary>Product of the dimensions.</summary>
    public int ElementCount { get; }

    /// <inheritdoc />
    public int Count => _dims.Length;

    /// <summary>The dimension at <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => _dims[axis < 0 ? axis + _dims.Length : axis];

    /// <summary>The dimensions as a span.</summary>
    public ReadOnlySpan<int> Dims => _dims;

    /// <summary>The same shape with the first (batch) dimension replaced.</summary>
    public Shape WithBatch(int batch)
    {
        var dims = _dims.ToArray();
        dims[0] = batch;
        return new Shape(dims);
    }

    /// <summary>Product of dimensions in [from, to).</summary>
    public int Product(int from, int to)
    {
        var p = 1;
        for (var i = from; i < to; i++)
        {
            p *= _dims[i];
        }

        return p;
    }

    /// <inheritdoc />
    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Shape);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var d in _dims)
        {
            hash.Add(d);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => Format(_dims);

    /// <inheritdoc />
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)_dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _dims.GetEnumerator();

    internal static string Format(ReadOnlySpan<int> dims) => dims.Length == 0 ? "scalar" : string.Join("x", dims.ToArray());
}
