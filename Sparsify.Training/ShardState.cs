namespace Sparsify.Training;

/// <summary>
/// Everything one shard of a mini-batch writes while it runs forward and backward: activations and
/// their gradients per value slot, per-layer scratch, and its own parameter gradients. Shards never
/// share a buffer, so they run on any thread; their gradients are summed afterwards in shard order,
/// which keeps training bitwise reproducible.
/// </summary>
internal sealed class ShardState
{
    /// <summary>
    /// Allocates buffers for <paramref name="capacity"/> samples; gradients only when
    /// <paramref name="withGradients"/>, and for the graph input only when <paramref name="inputGradient"/>
    /// (gradient checks want it, training does not).
    /// </summary>
    public ShardState(TrainingNetwork network, int capacity, bool withGradients, bool inputGradient = false)
    {
        Capacity = capacity;
        Values = network.SlotLengths.Select(length => new float[capacity * length]).ToArray();
        Gradients = new float[]?[network.SlotLengths.Count];
        if (withGradients)
        {
            for (var slot = 0; slot < Gradients.Length; slot++)
            {
                // The graph input needs no gradient: the first layer skips its input backward (col2im).
                Gradients[slot] = slot == TrainingNetwork.InputSlot && !inputGradient ? null : new float[capacity * network.SlotLengths[slot]];
            }
        }

        Scratch = network.Nodes.Select(n => n.CreateScratch(capacity)).ToArray();
        ParameterGradients = withGradients ? network.Parameters.Select(p => new float[p.Length]).ToArray() : [];
    }

    /// <summary>Largest number of samples this shard holds.</summary>
    public int Capacity { get; }

    /// <summary>Activations per value slot, [Capacity × per-sample length].</summary>
    public float[][] Values { get; }

    /// <summary>dLoss/dValue per slot; null where no gradient is needed (the graph input, or evaluation only).</summary>
    public float[]?[] Gradients { get; }

    /// <summary>Per node: what its forward keeps for its backward (im2col columns, argmax indices, …).</summary>
    public object?[] Scratch { get; }

    /// <summary>dLoss/dParameter per parameter, overwritten by each backward.</summary>
    public float[][] ParameterGradients { get; }

    /// <summary>Sum of the per-sample losses of the last batch.</summary>
    public double LossSum { get; set; }

    /// <summary>Samples of the last batch whose top-1 prediction was right.</summary>
    public int Correct { get; set; }
}
