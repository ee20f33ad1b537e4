using System.Numerics.Tensors;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Training.Layers;

/// <summary>y = max(x, 0); the gradient passes where the output is positive.</summary>
internal sealed class ReluNode(ReluLayer relu, int input, int output, Shape shape) : TrainingNode(relu, [input], output, [shape], shape)
{
    public override void Forward(ShardState shard, int batch) =>
        TensorPrimitives.Max(Batch(shard.Values[Inputs[0]], OutputShape, batch), 0f, Batch(shard.Values[Output], OutputShape, batch));

    public override void Backward(ShardState shard, int batch)
    {
        var dx = shard.Gradients[Inputs[0]];
        if (dx is null)
        {
            return;
        }

        var y = Batch(shard.Values[Output], OutputShape, batch);
        var dy = shard.Gradients[Output]!;
        for (var i = 0; i < y.Length; i++)
        {
            if (y[i] > 0f)
            {
                dx[i] += dy[i];
            }
        }
    }
}
