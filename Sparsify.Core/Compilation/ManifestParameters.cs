using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation;

/// <summary>What each op needs to execute, as the manifest's typed parameters.</summary>
internal static class ManifestParameters
{
    /// <param name="layer">The layer.</param>
    /// <param name="find">Where the blob holds one of the layer's arrays (a per-channel step's scale and shift).</param>
    public static LayerParameters Of(Layer layer, Func<BlobArrayKind, BlobLocation> find) => layer switch
    {
        ChannelAffineLayer => new ChannelAffineParameters(find(BlobArrayKind.Weights), find(BlobArrayKind.Bias)),
        ChannelLayerNormLayer norm => new ChannelLayerNormParameters(norm.Epsilon, find(BlobArrayKind.Weights), find(BlobArrayKind.Bias)),
        BroadcastLayer broadcast => new BroadcastParameters(broadcast.Function),
        TransposeLayer transpose => new TransposeParameters(new(transpose.Perm)),
        ReduceLayer reduce => new ReduceParameters(reduce.First, reduce.Last, reduce.KeepDims),
        PadLayer pad => new PadParameters(pad.Mode, pad.Pads, pad.Value),
        SliceLayer slice => new SliceParameters(slice.Axis, slice.Start, slice.End),
        ChannelShuffleLayer shuffle => new ChannelShuffleParameters(shuffle.Groups),
        ConvLayer conv => new ConvParameters(conv.Window, conv.Group),
        PoolLayer pool => new PoolParameters(pool.Window, pool.CeilMode, pool.CountIncludePad),
        LrnLayer lrn => new LrnParameters(lrn.Size, lrn.Alpha, lrn.Beta, lrn.Bias),
        ClipLayer clip => new ClipParameters(clip.Min, clip.Max),
        LeakyReluLayer leaky => new LeakyReluParameters(leaky.Alpha),
        HardSigmoidLayer hardSigmoid => new HardSigmoidParameters(hardSigmoid.Alpha, hardSigmoid.Beta),
        ConcatLayer concat => new AxisParameters(concat.Axis),
        ReshapeLayer { FlattenAxis: int axis } => new AxisParameters(axis),
        ReshapeLayer reshape => new ReshapeParameters(new(reshape.TargetShape!)),
        SoftmaxLayer softmax => new SoftmaxParameters(softmax.Axis, softmax.CoerceTo2D),

        // Relu, Sigmoid, Gelu, Add, Mul, GlobalAveragePool, Gemm: the op, shapes and weights say everything.
        _ => NoParameters.Instance,
    };
}
