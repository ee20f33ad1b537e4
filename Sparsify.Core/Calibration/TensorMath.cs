using System.Globalization;
using Sparsify.Core.Ir;

namespace Sparsify.Core.Calibration;

/// <summary>
/// The few tensor operations a preprocessing model uses, with ONNX's semantics. A problem is a
/// <see cref="SparsifyModelException"/> that the caller attributes to the node.
/// </summary>
internal static class TensorMath
{
    /// <summary>The most elements of any tensor a preprocessing model computes: 2^26 (256 MiB as float32).</summary>
    public const int MaxElements = 1 << 26;

    /// <summary>Add, Sub, Mul or Div of <paramref name="a"/> and <paramref name="b"/>, broadcast as numpy does.</summary>
    public static Tensor Elementwise(string op, Tensor a, Tensor b)
    {
        var shape = BroadcastShape(a.Shape, b.Shape);
        var rank = shape.Length;
        var aStrides = BroadcastStrides(a.Shape, rank);
        var bStrides = BroadcastStrides(b.Shape, rank);
        var output = NewTensor(shape);
        var index = new int[rank];
        int ai = 0, bi = 0;
        var data = output.Data;
        for (var o = 0; o < data.Length; o++)
        {
            var x = a.Data[ai];
            var y = b.Data[bi];
            data[o] = op switch
            {
                "Add" => x + y,
                "Sub" => x - y,
                "Mul" => x * y,
                _ => x / y,
            };

            // Advance the multi-index like an odometer, moving both operands' offsets with it.
            for (var d = rank - 1; d >= 0; d--)
            {
                ai += aStrides[d];
                bi += bStrides[d];
                if (++index[d] < shape[d])
                {
                    break;
                }

                ai -= aStrides[d] * shape[d];
                bi -= bStrides[d] * shape[d];
                index[d] = 0;
            }
        }

        return output;
    }

    /// <summary>Concatenates <paramref name="inputs"/> along <paramref name="axis"/> (negative counts from the end).</summary>
    public static Tensor Concat(Tensor[] inputs, long axis)
    {
        if (inputs.Length == 0)
        {
            throw new SparsifyModelException("Concat needs at least one input");
        }

        var first = inputs[0].Shape;
        var a = Axis(axis, first.Rank);
        var dims = first.Dims.ToArray();
        long total = 0;
        foreach (var input in inputs)
        {
            var s = input.Shape;
            for (var d = 0; d < dims.Length; d++)
            {
                if (s.Rank != first.Rank || (d != a && s[d] != first[d]))
                {
                    throw new SparsifyModelException($"Concat inputs {first} and {s} differ outside axis {a.ToString(CultureInfo.InvariantCulture)}");
                }
            }

            total += s[a];
        }

        dims[a] = total <= int.MaxValue ? (int)total : throw new SparsifyModelException("Concat's output is too large");
        var output = NewTensor(dims);
        var outer = first.Product(0, a);
        var inner = first.Product(a + 1, first.Rank);
        var offset = 0;
        for (var o = 0; o < outer; o++)
        {
            foreach (var input in inputs)
            {
                var run = input.Shape[a] * inner;
                input.Data.AsSpan(o * run, run).CopyTo(output.Data.AsSpan(offset));
                offset += run;
            }
        }

        return output;
    }

    /// <summary>
    /// Splits <paramref name="data"/> along <paramref name="axis"/> into <paramref name="outputs"/>
    /// parts of <paramref name="sizes"/> (equal parts when null).
    /// </summary>
    public static Tensor[] Split(Tensor data, long axis, long[]? sizes, int outputs)
    {
        var shape = data.Shape;
        var a = Axis(axis, shape.Rank);
        var length = shape[a];
        if (outputs < 1)
        {
            throw new SparsifyModelException("Split has no outputs");
        }

        if (sizes is null)
        {
            if (length % outputs != 0)
            {
                throw new SparsifyModelException($"Split of {shape} along axis {a} into {outputs} equal parts: {length} is not divisible by {outputs}");
            }

            sizes = Enumerable.Repeat((long)(length / outputs), outputs).ToArray();
        }

        if (sizes.Length != outputs || sizes.Any(s => s <= 0) || sizes.Sum() != length)
        {
            throw new SparsifyModelException($"Split sizes [{string.Join(", ", sizes)}] do not divide {shape} along axis {a} into {outputs} positive parts");
        }

        var outer = shape.Product(0, a);
        var inner = shape.Product(a + 1, shape.Rank);
        var parts = new Tensor[outputs];
        var start = 0;
        for (var p = 0; p < outputs; p++)
        {
            var size = (int)sizes[p];
            var dims = shape.Dims.ToArray();
            dims[a] = size;
            var part = NewTensor(dims);
            for (var o = 0; o < outer; o++)
            {
                data.Data.AsSpan(((o * length) + start) * inner, size * inner).CopyTo(part.Data.AsSpan(o * size * inner));
            }

            parts[p] = part;
            start += size;
        }

        return parts;
    }

    private static int[] BroadcastShape(Shape a, Shape b)
    {
        var rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            var x = d - (rank - a.Rank) is var i && i >= 0 ? a[i] : 1;
            var y = d - (rank - b.Rank) is var j && j >= 0 ? b[j] : 1;
            dims[d] = x == y || y == 1 ? x : x == 1 ? y : throw new SparsifyModelException($"shapes {a} and {b} do not broadcast");
        }

        return dims;
    }

    // Strides of shape aligned right to rank dimensions, 0 along the dimensions it broadcasts.
    private static int[] BroadcastStrides(Shape shape, int rank)
    {
        var strides = new int[rank];
        var stride = 1;
        for (var d = shape.Rank - 1; d >= 0; d--)
        {
            strides[d + rank - shape.Rank] = shape[d] == 1 ? 0 : stride;
            stride *= shape[d];
        }

        return strides;
    }

    private static int Axis(long axis, int rank) =>
        axis >= -rank && axis < rank
            ? (int)(axis < 0 ? axis + rank : axis)
            : throw new SparsifyModelException($"axis {axis.ToString(CultureInfo.InvariantCulture)} is out of range for rank {rank.ToString(CultureInfo.InvariantCulture)}");

    private static Tensor NewTensor(int[] dims)
    {
        var shape = new Shape(dims);
        return shape.ElementCount <= MaxElements
            ? new Tensor(shape)
            : throw new SparsifyModelException($"a tensor of shape {shape} has more than the {MaxElements.ToString("N0", CultureInfo.InvariantCulture)} elements a preprocessing model may compute");
    }
}
