using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Manifests;
namespace Sparsify.Hardware.Zc706.Network;

/// <summary>The operations the array model executes.</summary>
public enum ArrayOp
{
    /// <summary>Convolution on the PE array.</summary>
    Conv,

    /// <summary>Fully connected layer on the PE array (a 1x1 convolution of a 1x1 input).</summary>
    FullyConnected,

    /// <summary>Max pooling in the post-processing unit.</summary>
    MaxPool,

    /// <summary>Average pooling in the post-processing unit.</summary>
    AveragePool,

    /// <summary>Global average pooling in the post-processing unit.</summary>
    GlobalAveragePool,

    /// <summary>A ReLU the plan kept as a step of its own: a sign test on the stream (no cycles of its own).</summary>
    Relu,

    /// <summary>A Clip (ReLU6): two comparisons on the stream, as cheap as a ReLU (no cycles of its own).</summary>
    Clip,

    /// <summary>A sigmoid or HardSigmoid in the post-processing unit: one lane operation per value.</summary>
    Sigmoid,

    /// <summary>An elementwise or per-channel product in the post-processing unit: one lane operation per value.</summary>
    Mul,

    /// <summary>A MatMul of two computed values (attention): neither is weights the array could stream, so the post-processing unit runs it, one lane operation per multiply-accumulate.</summary>
    MatMul,

    /// <summary>Add, Sub, Mul, Div or Pow of two broadcasting operands in the post-processing unit: one lane operation per output value.</summary>
    Broadcast,

    /// <summary>A per-channel scale and shift (a BatchNormalization no convolution absorbed) in the post-processing unit: one lane operation per value.</summary>
    ChannelAffine,

    /// <summary>A LayerNorm over the channels at each position in the post-processing unit: three passes over the values (mean, variance, normalise).</summary>
    ChannelLayerNorm,

    /// <summary>GELU in the post-processing unit: one lane operation per value, as a sigmoid.</summary>
    Gelu,

    /// <summary>LeakyRelu or a function of one value (Tanh, Exp, Neg, Sqrt, Erf) in the post-processing unit: one lane operation per value.</summary>
    Function,

    /// <summary>A ReduceMean or ReduceSum over adjacent axes in the post-processing unit: one lane operation per value read.</summary>
    Reduce,

    /// <summary>A Pad of H and W in the post-processing unit: one lane operation per output value.</summary>
    Pad,

    /// <summary>A slice of one axis: a change of addresses for the layer that reads it, no data moves.</summary>
    Slice,

    /// <summary>ShuffleNet's channel shuffle: a change of the channel addresses the next layer reads, no data moves.</summary>
    ChannelShuffle,

    /// <summary>A permutation of the axes: like the channel shuffle, only the addresses the DMA reads change.</summary>
    Transpose,

    /// <summary>Cross-channel local response normalisation in the post-processing unit.</summary>
    Lrn,

    /// <summary>Softmax in the post-processing unit.</summary>
    Softmax,

    /// <summary>Flatten or reshape: a change of view, no data moves.</summary>
    Reshape,

    /// <summary>An element-wise sum the plan kept as a step of its own, in the post-processing unit.</summary>
    Add,

    /// <summary>Concatenation along channels: a change of addresses, no data moves.</summary>
    Concat,
}

/// <summary>The weights of a Conv or fully connected layer, as a matrix of rows (output channels) by columns ((ic, kh, kw) or input features).</summary>
/// <param name="Rows">Rows.</param>
/// <param name="Columns">Columns.</param>
/// <param name="Scheme">The scheme that pruned the layer.</param>
/// <param name="NonZeros">Kept weights.</param>
/// <param name="StoredDense">Whether the weights are stored without indices (every column computed).</param>
/// <param name="Values">The matrix, row-major; null when only the pattern is known (timing only).</param>
/// <param name="Bias">Bias per row, or null.</param>
public sealed record LayerWeights(int Rows, int Columns, string Scheme, long NonZeros, bool StoredDense, float[]? Values, float[]? Bias)
{
    /// <summary>Per row, the sorted columns of its nonzeros, for layers given by pattern (timing only); null when <see cref="Values"/> holds them.</summary>
    public int[][]? RowColumns { get; init; }
}

/// <summary>
/// One step of the compiled model's execution plan as the array executes it: the step's layer, with the Add
/// and ReLU the plan folded into it applied in the output path before write-back.
/// </summary>
/// <param name="Name">The step's layer.</param>
/// <param name="Op">The operation.</param>
/// <param name="Inputs">Values the layer reads (a folded residual is <see cref="Residual"/>).</param>
/// <param name="Output">Value the step writes: the last folded layer's output, or the layer's own.</param>
/// <param name="InputShapes">Shapes of the inputs (batch first).</param>
/// <param name="OutputShape">Shape of the output.</param>
public sealed record ArrayLayer(string Name, ArrayOp Op, IReadOnlyList<string> Inputs, string Output, IReadOnlyList<int[]> InputShapes, int[] OutputShape)
{
    /// <summary>The value a folded Add sums into the output before the ReLU, or null (same shape as the output).</summary>
    public string? Residual { get; init; }

    /// <summary>Whether a folded ReLU clamps the output.</summary>
    public bool Relu { get; init; }

    /// <summary>The ops folded into the output path, in order (<c>Add</c>, <c>Relu</c>).</summary>
    public IReadOnlyList<string> Fused => (Residual, Relu) switch
    {
        (null, false) => [],
        (null, true) => ["Relu"],
        (_, false) => ["Add"],
        _ => ["Add", "Relu"],
    };

    /// <summary>Window of a Conv or pooling layer.</summary>
    public Window2D? Window { get; init; }

    /// <summary>Conv groups (1 unless grouped).</summary>
    public int Group { get; init; } = 1;

    /// <summary>Weights of a Conv or fully connected layer.</summary>
    public LayerWeights? Weights { get; init; }

    /// <summary>A Clip's lower bound.</summary>
    public float ClipMin { get; init; }

    /// <summary>A Clip's upper bound.</summary>
    public float ClipMax { get; init; }

    /// <summary>A HardSigmoid's slope and offset; null for the logistic sigmoid.</summary>
    public (float Alpha, float Beta)? HardSigmoid { get; init; }

    /// <summary>A per-channel affine step's or a LayerNorm's scales and shifts, one per channel; null for other ops.</summary>
    public (float[] Scale, float[] Shift)? ChannelAffine { get; init; }

    /// <summary>The op of a <see cref="ArrayOp.Function"/> step (LeakyRelu or one of the unary functions), or a <see cref="ArrayOp.Broadcast"/> step's operator.</summary>
    public string Function { get; init; } = string.Empty;

    /// <summary>A LeakyRelu's slope below 0.</summary>
    public float LeakyAlpha { get; init; }

    /// <summary>A LayerNorm's epsilon (its scales and shifts are <see cref="ChannelAffine"/>).</summary>
    public float Epsilon { get; init; }

    /// <summary>A reduction's axes, whether it keeps them and whether it averages; null for other ops.</summary>
    public (ReduceParameters Axes, bool Mean)? Reduce { get; init; }

    /// <summary>A Transpose's permutation; null for other ops.</summary>
    public IReadOnlyList<int>? Perm { get; init; }

    /// <summary>A Pad's mode, pads and constant; null for other ops.</summary>
    public PadParameters? Pad { get; init; }

    /// <summary>A Slice's axis and its [start, end) range.</summary>
    public (int Axis, int Start, int End) Slice { get; init; }

    /// <summary>A channel shuffle's groups.</summary>
    public int ShuffleGroups { get; init; } = 1;

    /// <summary>LRN window size.</summary>
    public int LrnSize { get; init; }

    /// <summary>LRN alpha.</summary>
    public float LrnAlpha { get; init; }

    /// <summary>LRN beta.</summary>
    public float LrnBeta { get; init; }

    /// <summary>LRN bias (k).</summary>
    public float LrnBias { get; init; }

    /// <summary>Whether average pooling counts padded positions in its divisor.</summary>
    public bool CountIncludePad { get; init; }

    /// <summary>Softmax axis.</summary>
    public int Axis { get; init; } = 1;

    /// <summary>Whether Softmax flattens everything from <see cref="Axis"/> on into one row (opset &lt; 13 semantics).</summary>
    public bool CoerceTo2D { get; init; }

    /// <summary>Whether the layer runs on the PE array (Conv or fully connected).</summary>
    public bool OnArray => Op is ArrayOp.Conv or ArrayOp.FullyConnected;

    /// <summary>Dense MACs of a Conv or fully connected layer (batch included), zero otherwise.</summary>
    public long DenseMacs => OnArray && Weights is not null ? (long)Weights.Rows * Weights.Columns * Positions : 0;

    /// <summary>Output positions per output channel (batch × height × width; batch for fully connected).</summary>
    public long Positions => OutputShape.Length == 4 ? (long)OutputShape[0] * OutputShape[2] * OutputShape[3] : OutputShape[0];

    /// <summary>Elements of the output.</summary>
    public long OutputElements => OutputShape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>A graph input or output.</summary>
/// <param name="Name">Value name.</param>
/// <param name="Shape">Shape, batch first.</param>
public sealed record ArrayValue(string Name, int[] Shape);

/// <summary>A compiled model as the PE array sees it: layers in execution order.</summary>
/// <param name="Name">Model name.</param>
/// <param name="Inputs">Graph inputs.</param>
/// <param name="Outputs">Graph outputs.</param>
/// <param name="Layers">Layers in execution order.</param>
public sealed record ArrayNetwork(string Name, IReadOnlyList<ArrayValue> Inputs, IReadOnlyList<ArrayValue> Outputs, IReadOnlyList<ArrayLayer> Layers);
