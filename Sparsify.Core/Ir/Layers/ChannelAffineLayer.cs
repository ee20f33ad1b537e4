namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// y = x · <see cref="PerChannelLayer.Scale"/>[c] + <see cref="PerChannelLayer.Shift"/>[c] along the channel
/// axis (1): a BatchNormalization in inference form where no Conv or Gemm before it can absorb it (a
/// pre-activation norm, as in DenseNet), or a Mul or Add by one constant per channel. Its op is
/// BatchNormalization, which the ONNX writer emits with mean 0, variance 1 and epsilon 0, so the step reads
/// back unchanged.
/// </summary>
public sealed class ChannelAffineLayer(string name, string input, string output, Tensor scale, Tensor shift)
    : PerChannelLayer(name, input, output, scale, shift)
{
    /// <inheritdoc />
    public override string OpType => "BatchNormalization";
}
