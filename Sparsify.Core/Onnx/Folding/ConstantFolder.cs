using Sparsify.Core.Ir;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Core.Onnx.Folding;

/// <summary>
/// Computes, at import, the operators exporters use on constants and static shapes (the shape
/// arithmetic torch emits around view and reshape, shared initializers read through Identity):
/// their ONNX semantics on <see cref="ConstantTensor"/>s, numpy broadcasting where the spec has it.
/// The importer calls it for a node whose inputs are all constant; what it folds never becomes a layer.
/// </summary>
internal static partial class ConstantFolder
{
    private static readonly HashSet<string> Folded = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Neg", "Equal", "Where", "Cast", "Identity",
        "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Reshape", "Transpose", "Expand",
        "ConstantOfShape", "Range",
    };

    /// <summary>Whether a node of <paramref name="opType"/> with constant inputs is computed here.</summary>
    public static bool Folds(string opType) => Folded.Contains(opType);

    /// <summary>
    /// The outputs of <paramref name="node"/> from its inputs (null where an optional input is omitted).
    /// Shape takes the dims of the value it reads as <paramref name="shapeOfInput"/>, which may be a
    /// computed value whose shape is known.
    /// </summary>
    public static ConstantTensor Fold(NodeProto node, NodeAttributes attributes, int opset, IReadOnlyList<ConstantTensor?> inputs, int[]? shapeOfInput = null)
    {
        ConstantTensor Input(int index) => index < inputs.Count && inputs[index] is { } value
            ? value
            : throw new SparsifyModelException($"input {index} is missing");
        ConstantTensor? Optional(int index) => index < inputs.Count ? inputs[index] : null;

        return node.OpType switch
        {
            "Add" or "Sub" or "Mul" or "Div" or "Pow" => Arithmetic(node.OpType, Input(0), Input(1)),
            "Equal" => Equal(Input(0), Input(1)),
            "Where" => Where(Input(0), Input(1), Input(2)),
            "Sqrt" => Sqrt(Input(0)),
            "Neg" => Neg(Input(0)),
            "Cast" => Cast(Input(0), attributes),
            "Identity" => Input(0),
            "Shape" => ShapeOf(shapeOfInput ?? Input(0).Dims, attributes),
            "Gather" => Gather(Input(0), Input(1), attributes),
            "Unsqueeze" => Unsqueeze(Input(0), opset < 13 ? attributes.Ints("axes") ?? throw new SparsifyModelException("attribute 'axes' is required") : Input(1).ToIntegers("axes")),
            "Squeeze" => Squeeze(Input(0), opset < 13 ? attributes.Ints("axes") : Optional(1)?.ToIntegers("axes")),
            "Concat" => Concat(inputs.Select((_, i) => Input(i)).ToArray(), attributes),
            "Slice" => Slice(Input(0), opset, attributes, Optional(1), Optional(2), Optional(3), Optional(4)),
            "Reshape" => Reshape(Input(0), opset < 5 ? attributes.Ints("shape") ?? throw new SparsifyModelException("attribute 'shape' is required") : Input(1).ToIntegers("shape"), attributes),
            "Transpose" => Transpose(Input(0), attributes),
            "Expand" => Expand(Input(0), Input(1).ToIntegers("shape")),
            "ConstantOfShape" => ConstantOfShape(Input(0).ToIntegers("shape"), attributes),
            "Range" => Range(Input(0), Input(1), Input(2)),
            _ => throw new InvalidOperationException($"{node.OpType} is not folded"),
        };
    }

    /// <summary>Right-aligned numpy broadcasting of <paramref name="shapes"/>, or an error naming them.</summary>
    internal static int[] BroadcastDims(params int[][] shapes)
    {
        var rank = shapes.Max(s => s.Length);
        var dims = new int[rank];
        for (var axis = 0; axis < rank; axis++)
        {
            var size = 1;
            foreach (var shape in shapes)
            {
                var offset = axis - (rank - shape.Length);
                var d = offset < 0 ? 1 : shape[offset];
                if (d != 1 && size != 1 && d != size)
                {
                    throw new SparsifyModelException($"shapes {string.Join(" and ", shapes.Select(s => Shape.Format(s)))} do not broadcast");
                }

                size = d == 1 ? size : d;
            }

            dims[axis] = size;
        }

        return dims;
    }

    /// <summary>For each element of <paramref name="output"/>, the element of a tensor of <paramref name="input"/> dims it reads under broadcasting.</summary>
    internal static Func<int, int> BroadcastSource(int[] output, int[] input)
    {
        if (output.AsSpan().SequenceEqual(input))
        {
            return i => i;
        }

        var rank = output.Length;
        var inputStrides = new int[rank];
        var stride = 1;
        for (var axis = rank - 1; axis >= 0; axis--)
        {
            var offset = axis - (rank - input.Length);
            var d = offset < 0 ? 1 : input[offset];
            inputStrides[axis] = d == 1 ? 0 : stride;
            stride *= d;
        }

        return i =>
        {
            var source = 0;
            for (var axis = rank - 1; axis >= 0; axis--)
            {
                var d = output[axis];
                source += i % d * inputStrides[axis];
                i /= d;
            }

            return source;
        };
    }

    private static int NormalizeAxis(long axis, int rank, string what)
    {
        var normalized = axis < 0 ? axis + rank : axis;
        return normalized >= 0 && normalized < rank
            ? (int)normalized
            : throw new SparsifyModelException($"{what} {axis} is out of range for rank {rank}");
    }

    private static void ExpectSameType(ConstantTensor a, ConstantTensor b, string what)
    {
        if (a.Type != b.Type)
        {
            throw new SparsifyModelException($"{what} have element types {ConstantTensor.TypeName(a.Type)} and {ConstantTensor.TypeName(b.Type)}; they must be the same");
        }
    }
}
