namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// A one-input step with one scale and one shift per channel (axis 1), stored in the weight blob beside
/// the weights: the per-channel affine step and the LayerNorm over the channels.
/// </summary>
public abstract class PerChannelLayer : Layer
{
    /// <summary>Checks that <paramref name="scale"/> and <paramref name="shift"/> are one value per channel each.</summary>
    protected PerChannelLayer(string name, string input, string output, Tensor scale, Tensor shift)
        : base(name, [input], output)
    {
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(shift);
        if (scale.Shape.Rank != 1 || !scale.Shape.Equals(shift.Shape))
        {
            throw new SparsifyModelException($"a {OpType} step needs one scale and one shift per channel; got shapes {scale.Shape} and {shift.Shape}");
        }

        (Scale, Shift) = (scale, shift);
    }

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
            : throw new SparsifyModelException($"a {OpType} step of {Channels} channels cannot read an input of shape {x}");
    }
}
