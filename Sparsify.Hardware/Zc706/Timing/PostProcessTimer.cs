using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Network;

namespace Sparsify.Hardware.Zc706.Timing;

/// <summary>
/// The cycle model of the layers off the PE array. They run in a post-processing unit of
/// <see cref="Zc706Config.PostProcessLanes"/> lanes on the producing layer's output stream before it
/// is written back, so they add cycles but no DDR traffic. ReLU, folded or on its own, is a sign test on
/// the stream, Clip two comparisons, and reshapes, concatenations, slices, channel shuffles and transposes only change
/// addresses: none of
/// them costs a cycle.
/// </summary>
public static class PostProcessTimer
{
    /// <summary>Times one layer off the array.</summary>
    public static LayerTiming Time(ArrayLayer layer, Zc706Config config)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(config);
        var inputElements = layer.InputShapes.Count == 0 ? 0 : layer.InputShapes[0].Aggregate(1L, (a, d) => a * d);
        var reads = layer.Op switch
        {
            ArrayOp.MaxPool or ArrayOp.AveragePool => layer.OutputElements * layer.Window!.Value.KernelH * layer.Window.Value.KernelW,
            ArrayOp.Lrn => layer.OutputElements * layer.LrnSize,
            ArrayOp.Softmax => 3 * layer.OutputElements, // max, exponentials and sum, division
            ArrayOp.GlobalAveragePool or ArrayOp.Reduce => inputElements,
            ArrayOp.MatMul => layer.OutputElements * layer.InputShapes[0][^1], // one multiply-accumulate per value of K
            ArrayOp.Add or ArrayOp.Mul or ArrayOp.Broadcast or ArrayOp.Sigmoid or ArrayOp.Gelu or ArrayOp.Function or ArrayOp.ChannelAffine or ArrayOp.Pad => layer.OutputElements,
            ArrayOp.ChannelLayerNorm => 3 * layer.OutputElements, // mean, variance, normalise
            _ => 0,
        };
        var cycles = (reads + config.PostProcessLanes - 1) / config.PostProcessLanes;
        return new LayerTiming(layer.Name, layer.Op.ToString(), false, 0, 0, cycles, 0, 0, 0, cycles, 0, DdrTraffic.None, false, 0, 0, 0, "post", [], 0)
        {
            Fused = layer.Fused,
        };
    }
}
