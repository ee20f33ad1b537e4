using System.Numerics.Tensors;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Training.Layers;

/// <summary>Flatten or Reshape: the values are unchanged, so the gradient passes through as is.</summary>
internal sealed class ReshapeNode(ReshapeLayer reshape, int input, int output, Shape inputShape, Shape outputShape)
    : TrainingNode(reshape, [input], output, [inputShape], outputShape)
{
    public override void Forward(ShardState shard, int batch) =>
        Batch(shard.Values[Inputs[0]], InputShapes[0], batch).CopyTo(shard.Values[Output]);

    public override void Backward(ShardState shard, int batch)
    {
        if (shard.Gradients[Inputs[0]] is { } dx)
        {
            var target = Batch(dx, InputShapes[0], batch);
            TensorPrimitives.Add(target, Batch(shard.Gradients[Output]!, OutputShape, batch), target);
        }
    }
}
