using System.Numerics.Tensors;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Training.Layers;

/// <summary>Mean over each channel's plane; the backward spreads dy/area over the plane.</summary>
internal sealed class GlobalAveragePoolNode(GlobalAveragePoolLayer layer, int input, int output, Shape inputShape, Shape outputShape)
    : TrainingNode(layer, [input], output, [inputShape], outputShape)
{
    private readonly int _area = inputShape[1] * inputShape[2];

    public override void Forward(ShardState shard, int batch)
    {
        var x = shard.Values[Inputs[0]];
        var y = shard.Values[Output];
        for (var plane = 0; plane < batch * InputShapes[0][0]; plane++)
        {
            y[plane] = TensorPrimitives.Sum(x.AsSpan(plane * _area, _area)) / _area;
        }
    }

    public override void Backward(ShardState shard, int batch)
    {
        if (shard.Gradients[Inputs[0]] is not { } dx)
        {
            return;
        }

        var dy = shard.Gradients[Output]!;
        for (var plane = 0; plane < batch * InputShapes[0][0]; plane++)
        {
            var target = dx.AsSpan(plane * _area, _area);
            TensorPrimitives.Add(target, dy[plane] / _area, target);
        }
    }
}
