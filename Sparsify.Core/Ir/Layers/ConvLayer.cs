using Sparsify.Runtime.Kernels;

namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// 2-D convolution, NCHW, with weights [OutChannels, InChannels / Group, KernelH, KernelW] and an
/// optional bias. Padding is explicit (auto_pad is resolved at import). A folded BatchNormalization
/// lives in the weights and bias.
/// </summary>
public sealed class ConvLayer : Layer
{
    /// <summary>Creates a convolution.</summary>
    public ConvLayer(string name, string input, string output, Tensor weights, Tensor? bias, Window2D window, int group)
        : base(name, [input], output)
    {
        ArgumentNullException.ThrowIfNull(weights);
        Weights = weights;
        Bias = bias;
        Window = window;
        Group = group;
        Validate();
    }

    /// <inheritdoc />
    public override string OpType => "Conv";

    /// <summary>Weights [OutChannels, InChannels / Group, KernelH, KernelW].</summary>
    public Tensor Weights { get; }

    /// <summary>Bias [OutChannels], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Kernel, stride, dilation and padding.</summary>
    public Window2D Window { get; }

    /// <summary>Number of channel groups (1 for an ordinary convolution).</summary>
    public int Group { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels => Weights.Shape[0];

    /// <summary>
    /// A depthwise convolution: one input channel per group, in more than one group (MobileNet,
    /// EfficientNet, ShuffleNet, ConvNeXt). Its few weights per output leave little to skip.
    /// </summary>
    public bool IsDepthwise => Group > 1 && InChannelsPerGroup == 1;

    /// <summary>Input channels of one group.</summary>
    public int InChannelsPerGroup => Weights.Shape[1];

    /// <inheritdoc />
    public override long ParameterCount => Weights.Length + (Bias?.Length ?? 0);

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        var x = inputShapes[0];
        ExpectRank(x, 4);
        var expected = SizeMath.Multiply(InChannelsPerGroup, Group);
        if (x[1] != expected)
        {
            throw new SparsifyModelException(
                $"input has {x[1]} channels but the weights {Weights.Shape} with group {Group} expect {SizeMath.Format(expected)}");
        }

        return new Shape(x[0], OutChannels, Window.OutHeight(x[2]), Window.OutWidth(x[3]));
    }

    /// <inheritdoc />
    public override long CountMacs(IReadOnlyList<Shape> inputShapes, Shape outputShape) =>
        (long)outputShape.ElementCount * InChannelsPerGroup * Window.KernelH * Window.KernelW;

    /// <summary>The kernel geometry for the given input and output shapes.</summary>
    public ConvGeometry Geometry(Shape input, Shape output) => new(
        input[0], input[1], input[2], input[3],
        output[1], output[2], output[3],
        Window.KernelH, Window.KernelW, Window.StrideH, Window.StrideW, Window.DilationH, Window.DilationW,
        Window.Pads.Top, Window.Pads.Left, Group);

    private void Validate()
    {
        if (Weights.Shape.Rank != 4)
        {
            throw new SparsifyModelException($"only 2-D convolution is supported: weights must have rank 4, got {Weights.Shape}");
        }

        Window.Validate();
        if (Window.KernelH != Weights.Shape[2] || Window.KernelW != Weights.Shape[3])
        {
            throw new SparsifyModelException($"kernel_shape {Window.KernelH}x{Window.KernelW} disagrees with weights {Weights.Shape}");
        }

        if (Group <= 0 || OutChannels % Group != 0)
        {
            throw new SparsifyModelException($"group {Group} must be positive and divide the {OutChannels} output channels");
        }

        if (Bias is not null && Bias.Length != OutChannels)
        {
            throw new SparsifyModelException($"bias has {Bias.Length} values for {OutChannels} output channels");
        }
    }
}
