using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Core.Execution.Kernels;

/// <summary>Layers that touch each value once: ReLU, Add, Concat, Softmax.</summary>
internal static class Elementwise
{
    public static Tensor Relu(Tensor x)
    {
        var y = new Tensor(x.Shape);
        TensorPrimitives.Max(x.Data, 0f, y.Data);
        return y;
    }

    public static Tensor Add(Tensor a, Tensor b)
    {
        var y = new Tensor(a.Shape);
        TensorPrimitives.Add(a.Data, b.Data, y.Data);
        return y;
    }

    public static Tensor Concat(Tensor[] inputs, int axis, Shape outputShape)
    {
        var y = new Tensor(outputShape);
        var outer = outputShape.Product(0, axis);
        var inner = outputShape.Product(axis + 1, outputShape.Rank);
        var outputBlock = outputShape[axis] * inner;
        var offset = 0;
        foreach (var input in inputs)
        {
            var block = input.Shape[axis] * inner;
            for (var o = 0; o < outer; o++)
            {
                input.Data.AsSpan(o * block, block).CopyTo(y.Data.AsSpan(o * outputBlock + offset, block));
            }

            offset += block;
        }

        return y;
    }

    public static Tensor Softmax(Tensor x, SoftmaxLayer layer)
    {
        var shape = x.Shape;
        var axis = layer.ResolveAxis(shape.Rank);
        var outer = shape.Product(0, axis);
        var (length, inner) = layer.CoerceTo2D ? (shape.Product(axis, shape.Rank), 1) : (shape[axis], shape.Product(axis + 1, shape.Rank));
        var y = new Tensor(shape);
        var column = new float[length];
        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                var start = o * length * inner + i;
                for (var k = 0; k < length; k++)
                {
                    column[k] = x.Data[start + k * inner];
                }

                // Subtracting the maximum keeps exp from overflowing; the result is unchanged.
                var max = TensorPrimitives.Max(column);
                TensorPrimitives.Subtract(column, max, column);
                TensorPrimitives.Exp(column, column);
                var sum = TensorPrimitives.Sum(column);
                for (var k = 0; k < length; k++)
                {
                    y.Data[start + k * inner] = column[k] / sum;
                }
            }
        }

        return y;
    }
}
