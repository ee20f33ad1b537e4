namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// Flatten or Reshape: the data is unchanged, only the shape. Flatten keeps the dimensions before
/// <see cref="FlattenAxis"/> as rows; Reshape follows <see cref="TargetShape"/> where 0 copies the
/// input dimension and -1 takes what is left.
/// </summary>
public sealed class ReshapeLayer : Layer
{
    private ReshapeLayer(string name, string input, string output, int? flattenAxis, IReadOnlyList<long>? targetShape)
        : base(name, [input], output)
    {
        FlattenAxis = flattenAxis;
        TargetShape = targetShape;
    }

    /// <summary>A Flatten at <paramref name="axis"/>.</summary>
    public static ReshapeLayer Flatten(string name, string input, string output, int axis = 1) => new(name, input, output, axis, null);

    /// <summary>A Reshape to <paramref name="targetShape"/>.</summary>
    public static ReshapeLayer Reshape(string name, string input, string output, IReadOnlyList<long> targetShape) =>
        new(name, input, output, null, targetShape.ToArray());

    /// <inheritdoc />
    public override string OpType => FlattenAxis is null ? "Reshape" : "Flatten";

    /// <summary>The Flatten axis, or null for a Reshape.</summary>
    public int? FlattenAxis { get; }

    /// <summary>The Reshape target, or null for a Flatten.</summary>
    public IReadOnlyList<long>? TargetShape { get; }

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        var x = inputShapes[0];
        if (FlattenAxis is int flattenAxis)
        {
            var axis = flattenAxis < 0 ? flattenAxis + x.Rank : flattenAxis;
            if (axis < 0 || axis > x.Rank)
            {
                throw new SparsifyModelException($"axis {flattenAxis} is out of range for input {x}");
            }

            return new Shape(x.Product(0, axis), x.Product(axis, x.Rank));
        }

        return new Shape(ResolveTarget(x.Dims, TargetShape!));
    }

    /// <summary>
    /// The dims a Reshape of <paramref name="input"/> to <paramref name="target"/> gives, as ONNX
    /// defines it (allowzero = 0): a 0 copies the input's dimension, a -1 takes what is left.
    /// Also used to fold a Reshape of a constant.
    /// </summary>
    internal static int[] ResolveTarget(ReadOnlySpan<int> input, IReadOnlyList<long> target)
    {
        var x = Shape.Format(input);
        var elementCount = SizeMath.Product(input);
        var dims = new int[target.Count];
        var inferred = -1;
        long known = 1;
        for (var i = 0; i < target.Count; i++)
        {
            var t = target[i];
            if (t == -1)
            {
                if (inferred >= 0)
                {
                    throw new SparsifyModelException($"shape [{string.Join(",", target)}] has more than one -1");
                }

                inferred = i;
                continue;
            }

            if (t == 0)
            {
                if (i >= input.Length)
                {
                    throw new SparsifyModelException($"shape [{string.Join(",", target)}] copies dimension {i} that input {x} lacks");
                }

                t = input[i];
            }

            if (t < 0 || t > int.MaxValue)
            {
                throw new SparsifyModelException($"shape [{string.Join(",", target)}] has an invalid dimension {t}");
            }

            dims[i] = (int)t;
            known = SizeMath.Multiply(known, t);
        }

        if (inferred >= 0)
        {
            if (known == 0 || elementCount % known != 0)
            {
                throw new SparsifyModelException($"cannot reshape {x} to [{string.Join(",", target)}]");
            }

            dims[inferred] = (int)(elementCount / known);
        }
        else if (known != elementCount)
        {
            throw new SparsifyModelException($"cannot reshape {x} ({SizeMath.Format(elementCount)} values) to [{string.Join(",", target)}] ({SizeMath.Format(known)} values)");
        }

        return dims;
    }
}
