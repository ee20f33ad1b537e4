namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// Indices [<see cref="Start"/>, <see cref="End"/>) of one axis, step 1: ONNX Slice of computed values on
/// one axis, and each part of a Split (torch's chunk, as in ShuffleNet).
/// </summary>
public sealed class SliceLayer : Layer
{
    /// <summary>Creates a slice; <paramref name="axis"/>, start and end already normalised (0 ≤ start &lt; end).</summary>
    public SliceLayer(string name, string input, string output, int axis, int start, int end)
        : base(name, [input], output)
    {
        if (axis < 0 || start < 0 || start >= end)
        {
            throw new SparsifyModelException($"a slice needs a non-negative axis and 0 <= start < end; got axis {axis}, [{start}, {end})");
        }

        (Axis, Start, End) = (axis, start, end);
    }

    /// <inheritdoc />
    public override string OpType => "Slice";

    /// <summary>The axis sliced.</summary>
    public int Axis { get; }

    /// <summary>The first index kept.</summary>
    public int Start { get; }

    /// <summary>One past the last index kept.</summary>
    public int End { get; }

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        var x = inputShapes[0];
        if (Axis >= x.Rank || End > x[Axis])
        {
            throw new SparsifyModelException($"slice [{Start}, {End}) of axis {Axis} does not fit an input of shape {x}");
        }

        var dims = x.Dims.ToArray();
        dims[Axis] = End - Start;
        return new Shape(dims);
    }
}
