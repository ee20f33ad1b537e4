namespace Sparsify.Core.Ir.Layers;

/// <summary>Joins its inputs along <see cref="Axis"/>; all other dimensions must agree.</summary>
public sealed class ConcatLayer(string name, IReadOnlyList<string> inputs, string output, int axis) : Layer(name, inputs, output)
{
    /// <inheritdoc />
    public override string OpType => "Concat";

    /// <summary>The axis joined along; negative counts from the end.</summary>
    public int Axis { get; } = axis;

    /// <summary>The axis as a non-negative index for rank <paramref name="rank"/>.</summary>
    public int ResolveAxis(int rank) => Axis < 0 ? Axis + rank : Axis;

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        if (inputShapes.Count == 0)
        {
            throw new SparsifyModelException("needs at least one input");
        }

        var first = inputShapes[0];
        var axis = ResolveAxis(first.Rank);
        if (axis < 0 || axis >= first.Rank)
        {
            throw new SparsifyModelException($"axis {Axis} is out of range for rank {first.Rank}");
        }

        var dims = first.Dims.ToArray();
        long joined = first[axis];
        foreach (var s in inputShapes.Skip(1))
        {
            if (s.Rank != first.Rank)
            {
                throw new SparsifyModelException($"inputs have different ranks: {first} and {s}");
            }

            for (var i = 0; i < s.Rank; i++)
            {
                if (i != axis && s[i] != first[i])
                {
                    throw new SparsifyModelException($"inputs {first} and {s} differ outside axis {axis}");
                }
            }

            joined = SizeMath.Add(joined, s[axis]);
        }

        if (joined > int.MaxValue)
        {
            throw new SparsifyModelException($"the inputs joined along axis {axis} have extent {SizeMath.Format(joined)}, more than the largest dimension, {SizeMath.Format(int.MaxValue)}");
        }

        dims[axis] = (int)joined;
        return new Shape(dims);
    }
}
