namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// Layer normalisation over the channel axis (1) at each position, then <see cref="PerChannelLayer.Scale"/>
/// and <see cref="PerChannelLayer.Shift"/> per channel: the channels-last LayerNorm of ConvNeXt (Transpose to
/// NHWC, LayerNorm over the last axis, Transpose back), which the importer moves onto NCHW.
/// </summary>
public sealed class ChannelLayerNormLayer : PerChannelLayer
{
    /// <summary>Creates the step.</summary>
    public ChannelLayerNormLayer(string name, string input, string output, float epsilon, Tensor scale, Tensor shift)
        : base(name, input, output, scale, shift)
    {
        Epsilon = float.IsFinite(epsilon) && epsilon >= 0
            ? epsilon
            : throw new SparsifyModelException($"a LayerNorm needs a finite epsilon of at least 0; got {epsilon}");
    }

    /// <inheritdoc />
    public override string OpType => "ChannelLayerNorm";

    /// <summary>Added to the variance.</summary>
    public float Epsilon { get; }
}
