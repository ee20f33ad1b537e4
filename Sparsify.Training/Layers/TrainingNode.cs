using Sparsify.Core.Ir;

namespace Sparsify.Training.Layers;

/// <summary>
/// A layer of the graph with its forward and backward pass over a shard. Shapes are per sample
/// (no batch dimension); buffers hold <c>batch</c> samples back to back. Backward adds into the input
/// gradients (a value read by several layers gets the sum) and overwrites its parameter gradients.
/// </summary>
internal abstract class TrainingNode(Layer layer, int[] inputs, int output, Shape[] inputShapes, Shape outputShape)
{
    /// <summary>The IR layer, whose weight arrays are trained in place.</summary>
    public Layer Layer { get; } = layer;

    /// <summary>Value slots read.</summary>
    public int[] Inputs { get; } = inputs;

    /// <summary>Value slot written.</summary>
    public int Output { get; } = output;

    /// <summary>Per-sample shapes of the inputs.</summary>
    public Shape[] InputShapes { get; } = inputShapes;

    /// <summary>Per-sample shape of the output.</summary>
    public Shape OutputShape { get; } = outputShape;

    /// <summary>Index in <see cref="TrainingNetwork.Nodes"/> (and in <see cref="ShardState.Scratch"/>).</summary>
    public int Index { get; set; }

    /// <summary>The trainable tensors of the layer.</summary>
    public virtual IReadOnlyList<TrainableParameter> Parameters => [];

    /// <summary>Per-shard buffers the forward keeps for the backward.</summary>
    public virtual object? CreateScratch(int capacity) => null;

    /// <summary>Computes the output of <paramref name="batch"/> samples.</summary>
    public abstract void Forward(ShardState shard, int batch);

    /// <summary>Adds dLoss/dInput into the input gradients (where not null) and writes the parameter gradients.</summary>
    public abstract void Backward(ShardState shard, int batch);

    /// <summary>The first <paramref name="batch"/> samples of a slot's activations.</summary>
    protected static Span<float> Batch(float[] buffer, Shape perSample, int batch) => buffer.AsSpan(0, batch * perSample.ElementCount);
}
