using Sparsify.Core.Ir;

namespace Sparsify.Training;

/// <summary>
/// One weight or bias tensor of the graph being trained. <see cref="Values"/> is the layer's own
/// array, so training changes the graph in place.
/// </summary>
internal sealed class TrainableParameter(Layer layer, Tensor tensor, bool isWeight)
{
    /// <summary>The layer owning the tensor.</summary>
    public Layer Layer { get; } = layer;

    /// <summary>True for weights (decayed, maskable, lasso-able), false for biases.</summary>
    public bool IsWeight { get; } = isWeight;

    /// <summary>The values, shared with the layer.</summary>
    public float[] Values { get; } = tensor.Data;

    /// <summary>Number of values.</summary>
    public int Length => Values.Length;

    /// <summary>Position in <see cref="TrainingNetwork.Parameters"/> and in each shard's gradient list.</summary>
    public int Index { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{Layer.Name}.{(IsWeight ? "weight" : "bias")}";
}
