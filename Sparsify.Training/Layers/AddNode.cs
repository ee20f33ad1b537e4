using System.Numerics.Tensors;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Training.Layers;

/// <summary>y = a + b (same shapes, as the IR requires): both inputs receive dy.</summary>
internal sealed class AddNode(AddLayer add, int left, int right, int output, Shape shape)
    : TrainingNode(add, [left, right], output, [shape, shape], shape)
{
    public override void Forward(ShardState shard, int batch) =>
        TensorPrimitives.Add(Batch(shard.Values[Inputs[0]], OutputShape, batch), Batch(shard.Values[Inputs[1]], OutputShape, batch), Batch(shard.Values[Output], OutputShape, batch));

    public override void Backward(ShardState shard, int batch)
    {
        var dy = Batch(shard.Gradients[Output]!, OutputShape, batch);
        foreach (var input in Inputs)
        {
            if (shard.Gradients[input] is { } dx)
            {
                var target = Batch(dx, OutputShape, batch);
                TensorPrimitives.Add(target, dy, target);
            }
        }
    }
}
