using System;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Manifests;

/// <summary>
/// What an op needs to execute beyond its inputs and shapes: one record type per kind of op, so every
/// reader of a manifest gets typed values and none parses text. Part of the manifest's schema (linked into
/// the generator); <see cref="ManifestOps"/> says which op has which.
/// </summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
abstract record LayerParameters
{
    private protected LayerParameters()
    {
    }
}

/// <summary>An op whose inputs and shapes say everything (Relu, Sigmoid, Gelu, the unary functions, Add, Mul, GlobalAveragePool, Gemm).</summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record NoParameters : LayerParameters
{
    private NoParameters()
    {
    }

    /// <summary>The one instance.</summary>
    public static NoParameters Instance { get; } = new();
}

/// <summary>A convolution's window and groups.</summary>
/// <param name="Window">Kernel, stride, dilation and padding.</param>
/// <param name="Group">Groups the channels are split into (1: a full convolution).</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ConvParameters(Window2D Window, int Group) : LayerParameters
{
    /// <summary>The run-time geometry of <paramref name="conv"/>, a Conv layer, at batch 1: what its kernels and input layout are built from.</summary>
    /// <param name="conv">A layer whose parameters are <see cref="ConvParameters"/>.</param>
    public static ConvGeometry GeometryOf(ManifestLayer conv)
    {
        var p = (ConvParameters)conv.Parameters;
        var w = p.Window;
        var x = conv.InputShapes[0];
        var y = conv.OutputShape;
        return new ConvGeometry(1, x[1], x[2], x[3], y[1], y[2], y[3], w.KernelH, w.KernelW, w.StrideH, w.StrideW, w.DilationH, w.DilationW, w.Pads.Top, w.Pads.Left, p.Group);
    }
}

/// <summary>A max or average pool's window (the op says which).</summary>
/// <param name="Window">Kernel, stride, dilation and padding.</param>
/// <param name="CeilMode">Whether the output extent rounds up.</param>
/// <param name="CountIncludePad">Whether an average counts padded positions.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record PoolParameters(Window2D Window, bool CeilMode, bool CountIncludePad) : LayerParameters;

/// <summary>Local response normalisation across channels.</summary>
/// <param name="Size">Channels in the window.</param>
/// <param name="Alpha">Scale.</param>
/// <param name="Beta">Exponent.</param>
/// <param name="Bias">Added before the exponent.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record LrnParameters(int Size, float Alpha, float Beta, float Bias) : LayerParameters;

/// <summary>A Clip's bounds (an absent bound is an infinity).</summary>
/// <param name="Min">The lower bound.</param>
/// <param name="Max">The upper bound, at least <paramref name="Min"/>.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ClipParameters(float Min, float Max) : LayerParameters;

/// <summary>A HardSigmoid's slope and offset: max(0, min(1, alpha · x + beta)).</summary>
/// <param name="Alpha">The slope.</param>
/// <param name="Beta">The offset.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record HardSigmoidParameters(float Alpha, float Beta) : LayerParameters;

/// <summary>A LeakyRelu's slope below 0.</summary>
/// <param name="Alpha">The slope.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record LeakyReluParameters(float Alpha) : LayerParameters;

/// <summary>The axis of a Concat or Flatten, as the compiler normalised it.</summary>
/// <param name="Axis">The axis.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record AxisParameters(int Axis) : LayerParameters;

/// <summary>A Reshape's target shape as the model gave it.</summary>
/// <param name="Shape">Dimensions (0 copies the input's, -1 is inferred).</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ReshapeParameters(EquatableList<long> Shape) : LayerParameters;

/// <summary>A softmax's axis.</summary>
/// <param name="Axis">The axis.</param>
/// <param name="CoerceTo2D">Whether the input is read as 2-D around the axis (opsets before 13).</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record SoftmaxParameters(int Axis, bool CoerceTo2D) : LayerParameters;

/// <summary>
/// A per-channel affine step, y = x · scale + shift along axis 1: a BatchNormalization no convolution
/// before it could absorb (DenseNet's pre-activation norms), or a Mul or Add by one constant per channel.
/// The values are raw fp32 arrays in the weight blob, one per channel.
/// </summary>
/// <param name="Scale">Where the scales are.</param>
/// <param name="Shift">Where the shifts are.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ChannelAffineParameters(BlobLocation Scale, BlobLocation Shift) : LayerParameters;

/// <summary>
/// Layer normalisation over the channel axis (1) at each position, then a per-channel scale and shift:
/// the channels-last LayerNorm of ConvNeXt (Transpose, LayerNorm over the last axis, Transpose back)
/// moved onto the NCHW layout. The scales and shifts are raw fp32 arrays in the weight blob.
/// </summary>
/// <param name="Epsilon">Added to the variance.</param>
/// <param name="Scale">Where the scales are.</param>
/// <param name="Shift">Where the shifts are.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ChannelLayerNormParameters(float Epsilon, BlobLocation Scale, BlobLocation Shift) : LayerParameters;

/// <summary>
/// A Pad of H and W that no Conv or pool absorbed: <paramref name="Mode"/> <c>constant</c> (with
/// <paramref name="Value"/>), <c>reflect</c> (mirrored, the edge not repeated) or <c>edge</c> (the edge repeated).
/// </summary>
/// <param name="Mode">constant, reflect or edge.</param>
/// <param name="Pads">Rows and columns added on each side.</param>
/// <param name="Value">The value of a constant pad.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record PadParameters(string Mode, Padding2D Pads, float Value) : LayerParameters
{
    /// <summary>The modes a Pad may have, as ONNX names them.</summary>
    public static readonly string[] Modes = ["constant", "reflect", "edge"];
}

/// <summary>
/// A ReduceMean or ReduceSum over a run of adjacent axes <paramref name="First"/> to <paramref name="Last"/>
/// (any other mean over H and W is a GlobalAveragePool): the input read as [outer, reduced, inner].
/// </summary>
/// <param name="First">The first axis reduced.</param>
/// <param name="Last">The last axis reduced (at least <paramref name="First"/>).</param>
/// <param name="KeepDims">Whether the reduced axes stay, of length 1.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ReduceParameters(int First, int Last, bool KeepDims) : LayerParameters;

/// <summary>
/// An arithmetic operator on two computed values of shapes that broadcast as numpy's do (ONNX's
/// multidirectional broadcasting): the shapes aligned at their last axes, each axis equal or 1 in one of them.
/// </summary>
/// <param name="Function">One of <see cref="ManifestOps.BroadcastFunctions"/>.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record BroadcastParameters(string Function) : LayerParameters;

/// <summary>A permutation of the axes: output axis i is input axis <paramref name="Perm"/>[i].</summary>
/// <param name="Perm">A permutation of 0 to rank - 1.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record TransposeParameters(EquatableList<int> Perm) : LayerParameters
{
    /// <summary>Whether <paramref name="perm"/> holds each of 0 to <paramref name="rank"/> - 1 once.</summary>
    public static bool IsPermutation(System.Collections.Generic.IReadOnlyList<int> perm, int rank)
    {
        var copy = new int[perm.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = perm[i];
        }

        return IsPermutation(copy, rank);
    }

    /// <summary><see cref="IsPermutation(System.Collections.Generic.IReadOnlyList{int}, int)"/> without allocating: each pair compared, as ranks are small.</summary>
    public static bool IsPermutation(ReadOnlySpan<int> perm, int rank)
    {
        if (perm.Length != rank)
        {
            return false;
        }

        for (var i = 0; i < rank; i++)
        {
            if (perm[i] < 0 || perm[i] >= rank)
            {
                return false;
            }

            for (var j = 0; j < i; j++)
            {
                if (perm[j] == perm[i])
                {
                    return false;
                }
            }
        }

        return true;
    }
}

/// <summary>A slice of one axis, start inclusive, end exclusive, step 1 (a Split's part, or torch's chunk).</summary>
/// <param name="Axis">The axis, 0 to rank - 1.</param>
/// <param name="Start">The first index taken.</param>
/// <param name="End">One past the last index taken.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record SliceParameters(int Axis, int Start, int End) : LayerParameters;

/// <summary>
/// A channel shuffle: the C channels read as Groups × (C / Groups) and transposed, so output channel
/// j · Groups + g is input channel g · (C / Groups) + j (ShuffleNet's Reshape, Transpose, Reshape).
/// </summary>
/// <param name="Groups">The number of groups.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ChannelShuffleParameters(int Groups) : LayerParameters;

/// <summary>The ops a manifest may hold, and which of them carry a weight matrix: the one list every reader and emitter goes by.</summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
static class ManifestOps
{
    /// <summary>Every op, in the order diagnostics list them.</summary>
    public static readonly string[] Supported =
        ["Conv", "Gemm", "MaxPool", "AveragePool", "GlobalAveragePool", "Relu", "Clip", "LeakyRelu", "Sigmoid", "HardSigmoid", "Gelu", "Tanh", "Exp", "Neg", "Sqrt", "Erf", "Add", "Mul", "Broadcast", "MatMul", "BatchNormalization", "ChannelLayerNorm", "LRN", "ReduceMean", "ReduceSum", "Concat", "Pad", "Slice", "ChannelShuffle", "Transpose", "Flatten", "Reshape", "Softmax"];

    /// <summary>
    /// The functions of one value without parameters, each an op of its own and a method of the runtime's
    /// <c>Elementwise</c> of the same name.
    /// </summary>
    public static readonly string[] UnaryFunctions = ["Tanh", "Exp", "Neg", "Sqrt", "Erf"];

    /// <summary>Whether <paramref name="op"/> is one of <see cref="UnaryFunctions"/>.</summary>
    public static bool IsUnaryFunction(string op) => Array.IndexOf(UnaryFunctions, op) >= 0;

    /// <summary>
    /// The activations a convolution's epilogue applies, after its bias and residual, when the plan folds
    /// them into it: a function of one value each kernel's store can compute on the spot.
    /// </summary>
    public static readonly string[] EpilogueActivations = ["Relu", "Clip", "LeakyRelu", "HardSigmoid", "Sigmoid", "Tanh"];

    /// <summary>Whether <paramref name="op"/> is one of <see cref="EpilogueActivations"/>.</summary>
    public static bool IsEpilogueActivation(string op) => Array.IndexOf(EpilogueActivations, op) >= 0;

    /// <summary>
    /// Whether a convolution's epilogue computes x · <paramref name="op"/>(x) when the plan folds the gate
    /// and its Mul into it: HardSigmoid makes HardSwish, Sigmoid makes SiLU.
    /// </summary>
    public static bool IsEpilogueGate(string op) => op is "HardSigmoid" or "Sigmoid";

    /// <summary>The functions of a Broadcast layer: ONNX's operators of that name on two values.</summary>
    public static readonly string[] BroadcastFunctions = ["Add", "Sub", "Mul", "Div", "Pow"];

    /// <summary>
    /// The shape two operands broadcast to as numpy (and ONNX) broadcast them: aligned at their last axes,
    /// each pair of lengths equal or one of them 1, the missing leading axes 1; null when they disagree.
    /// </summary>
    /// <param name="a">The first operand's shape.</param>
    /// <param name="b">The second operand's shape.</param>
    public static int[]? BroadcastShape(System.Collections.Generic.IReadOnlyList<int> a, System.Collections.Generic.IReadOnlyList<int> b)
    {
        var shape = new int[Math.Max(a.Count, b.Count)];
        return TryBroadcast(ToArray(a), ToArray(b), shape) ? shape : null;
    }

    /// <summary>
    /// <see cref="BroadcastShape"/> into <paramref name="shape"/> (as long as the longer operand's rank),
    /// without allocating: what the kernels call on every run.
    /// </summary>
    public static bool TryBroadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> shape)
    {
        var rank = shape.Length;
        if (rank != Math.Max(a.Length, b.Length))
        {
            return false;
        }

        for (var i = 0; i < rank; i++)
        {
            var x = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            var y = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (x != y && x != 1 && y != 1)
            {
                return false;
            }

            shape[i] = x == 1 ? y : x;
        }

        return true;
    }

    /// <summary>
    /// The shape of a MatMul of two computed values of rank 2 or more, as numpy's matmul gives it: [..., M, K]
    /// by [..., K, N] is [..., M, N], the axes before the last two broadcast; null when K differs, a rank is
    /// below 2 or the leading axes disagree.
    /// </summary>
    /// <param name="a">The left operand's shape.</param>
    /// <param name="b">The right operand's shape.</param>
    public static int[]? MatMulShape(System.Collections.Generic.IReadOnlyList<int> a, System.Collections.Generic.IReadOnlyList<int> b)
    {
        var shape = new int[Math.Max(Math.Max(a.Count, b.Count), 2)];
        return TryMatMul(ToArray(a), ToArray(b), shape) ? shape : null;
    }

    /// <summary><see cref="MatMulShape"/> into <paramref name="shape"/> (as long as the longer operand's rank), without allocating.</summary>
    public static bool TryMatMul(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> shape)
    {
        if (a.Length < 2 || b.Length < 2 || a[a.Length - 1] != b[b.Length - 2] || shape.Length != Math.Max(a.Length, b.Length))
        {
            return false;
        }

        if (!TryBroadcast(a.Slice(0, a.Length - 2), b.Slice(0, b.Length - 2), shape.Slice(0, shape.Length - 2)))
        {
            return false;
        }

        shape[shape.Length - 2] = a[a.Length - 2];
        shape[shape.Length - 1] = b[b.Length - 1];
        return true;
    }

    private static int[] ToArray(System.Collections.Generic.IReadOnlyList<int> values)
    {
        var array = new int[values.Count];
        for (var i = 0; i < array.Length; i++)
        {
            array[i] = values[i];
        }

        return array;
    }

    /// <summary>Whether <paramref name="op"/> is one of <see cref="Supported"/>.</summary>
    public static bool IsSupported(string op) => Array.IndexOf(Supported, op) >= 0;

    /// <summary>
    /// How a Mul of <paramref name="a"/> by <paramref name="b"/> pairs their values: 1 when the shapes are
    /// equal, H·W when a is N×C×H×W and b one value per channel (N×C×1×1, a squeeze-and-excitation
    /// gate), null for any other pair.
    /// </summary>
    /// <param name="a">The shape of the first operand (the output's).</param>
    /// <param name="b">The shape of the second.</param>
    public static int? MultiplyPlane(System.Collections.Generic.IReadOnlyList<int> a, System.Collections.Generic.IReadOnlyList<int> b)
    {
        if (a.Count != b.Count)
        {
            return null;
        }

        var same = true;
        for (var i = 0; i < a.Count; i++)
        {
            same &= a[i] == b[i];
        }

        return same ? 1
            : a.Count == 4 && b[0] == a[0] && b[1] == a[1] && b[2] == 1 && b[3] == 1 ? a[2] * a[3]
            : null;
    }

    /// <summary>Whether layers of <paramref name="op"/> have a weight matrix.</summary>
    public static bool HasWeights(string op) => op is "Conv" or "Gemm";
}
