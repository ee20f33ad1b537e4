namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// y = x · <see cref="Scale"/>[c] + <see cref="Shift"/>[c] along the channel axis (1): a BatchNormalization in
/// inference form where no Conv or Gemm before it can absorb it (a pre-activation norm, as in DenseNet), or a
/// Mul or Add by one constant per channel. Its op is BatchNormalization, which the ONNX writer emits with
/// mean 0, variance 1 and epsilon 0, so the step reads back unchanged.
/// </summary>
public sealed class ChannelAffineLayer : Layer
{
    /// <summary>Creates the step from one scale and one shift per channel.</summary>
    public ChannelAffineLayer(string name, string input, string output, Tensor scale, Tensor shift)
        : base(name, [input], output)
    {
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(shift);
        if (scale.Shape.Rank != 1 || !scale.Shape.Equals(shift.Shape))
        {
            throw new SparsifyModelException($"a per-channel affine step needs one scale and one shift per channel; got shapes {scale.Shape} and {shift.Shape}");
        }

        Scale = scale;
        Shift = shift;
    }

    /// <inheritdoc />
    public override string OpType => "BatchNormalization";

    /// <summary>One factor per channel.</summary>
    public Tensor Scale { get; }

    /// <summary>One offset per channel, added after the factor.</summary>
    public Tensor Shift { get; }

    /// <summary>The channels it expects.</summary>
    public int Channels => Scale.Shape[0];

    /// <inheritdoc />
    public override long ParameterCount => 2L * Channels;

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        var x = inputShapes[0];
        return x.Rank >= 2 && x[1] == Channels
            ? x
            : throw new SparsifyModelException($"a per-channel affine step of {Channels} channels cannot read an input of shape {x}");
    }
}
