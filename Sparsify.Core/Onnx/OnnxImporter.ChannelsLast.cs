using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Onnx.Protos;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Core.Onnx;

// ConvNeXt's channels-last segments: a Transpose from NCHW to NHWC, operations along the last axis
// (LayerNorm, a MatMul by constant weights with its bias Add, GELU), and a Transpose back. On NCHW the
// same computation is a LayerNorm over the channels, 1×1 convolutions and GELU, which is how the
// segment is imported: the convolutions then prune and run on the sparse kernels like any other.
// The LayerNorm decomposition and GELU's Erf form are also recognised on their own (over the channels
// of NCHW), which is how the ONNX writer emits those steps.
internal sealed partial class OnnxImporter
{
    private const string ChannelsLastPattern = "channels-last segment (Transpose to NHWC … Transpose back)";
    private const string LayerNormPattern = "LayerNorm decomposition (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add)";
    private const string GeluPattern = "GELU's Erf form (Div, Erf, Add, Mul, Mul)";

    // One operation of a segment: the nodes it spans, the value it ends in, the op of the layer it becomes
    // and how to make that layer once its input and output are known.
    private sealed record SegmentStep(List<NodeProto> Nodes, string Output, string Op, Func<string, string, Layer> Make, int Channels);

    private bool TryRecogniseChannelsLast(NodeProto transpose)
    {
        if (transpose.Input.Count != 1 || transpose.Output.Count != 1 || new NodeAttributes(transpose).Ints("perm") is not [0, 2, 3, 1]
            || !_shapes.TryGetValue(Resolve(transpose.Input[0]), out var shape) || shape.Rank != 4)
        {
            return false;
        }

        var x = Resolve(transpose.Input[0]);
        var (value, channels) = (transpose.Output[0], shape[1]);
        var steps = new List<SegmentStep>();
        NodeProto? back;
        while ((back = NextOf(value, "Transpose")) is null || new NodeAttributes(back).Ints("perm") is not [0, 3, 1, 2])
        {
            var step = MatchLayerNorm(value, channels, axes => axes is [-1] or [3]) ?? MatchLinear(value, channels) ?? MatchGelu(value, channels);
            if (step is null)
            {
                return false;
            }

            steps.Add(step);
            (value, channels) = (step.Output, step.Channels);
        }

        List<NodeProto> chain = [transpose, .. steps.SelectMany(s => s.Nodes), back];
        if (steps.Count == 0 || !TryConsume(chain, Output(back)))
        {
            return false;
        }

        var input = x;
        for (var i = 0; i < steps.Count; i++)
        {
            var output = i == steps.Count - 1 ? Output(back) : steps[i].Output;
            var layer = steps[i].Make(input, output);
            _readers[input] = _readers.GetValueOrDefault(input) + 1;
            Append(layer);
            input = output;
        }

        _notes.Add($"{ChannelsLastPattern} ({chain.Count} nodes) imported on NCHW as {string.Join(", ", steps.Select(s => s.Op))}");
        return true;
    }

    // On NCHW: a LayerNorm decomposition over axis 1 (as the ONNX writer emits it).
    private bool TryRecogniseChannelLayerNorm(NodeProto mean)
    {
        if (mean.Input.Count != 1 || !_shapes.TryGetValue(Resolve(mean.Input[0]), out var shape) || shape.Rank < 2
            || MatchLayerNorm(Resolve(mean.Input[0]), shape[1], axes => axes is [1], mean) is not { } step || !TryConsume(step.Nodes, step.Output))
        {
            return false;
        }

        AppendRecognised(step.Make(Resolve(mean.Input[0]), step.Output), LayerNormPattern, step.Nodes.Count);
        return true;
    }

    private bool TryRecogniseGelu(NodeProto divide)
    {
        if (divide.Input.Count != 2 || !_shapes.TryGetValue(Resolve(divide.Input[0]), out var shape)
            || MatchGelu(Resolve(divide.Input[0]), shape.Rank >= 2 ? shape[1] : 0, divide) is not { } step || !TryConsume(step.Nodes, step.Output))
        {
            return false;
        }

        AppendRecognised(step.Make(Resolve(divide.Input[0]), step.Output), GeluPattern, step.Nodes.Count);
        return true;
    }

    // LayerNormalization (opset 17) over the channels: of a 2-D [N, C] value on its own, or inside a segment.
    private Layer ConvertLayerNormalization(NodeProto node, NodeAttributes attributes)
    {
        var x = Activation(node, 0);
        var shape = _shapes[x];
        var axis = attributes.IntValue("axis", -1);
        if (shape.Rank != 2 || (axis != 1 && axis != -1))
        {
            throw new SparsifyModelException($"a LayerNormalization over axis {axis} of shape {shape} is not supported; only over the channels: of a 2-D value, or of a 4-D one between a Transpose to NHWC and one back (as ConvNeXt exports it)");
        }

        return MakeLayerNorm(node, shape[1])(x, Output(node));
    }

    // `first`: the node being imported, which the walk no longer offers as a reader.
    private SegmentStep? MatchLayerNorm(string value, int channels, Func<long[], bool> overChannels, NodeProto? first = null)
    {
        if (first is null && NextOf(value, "LayerNormalization") is { } fused)
        {
            var attributes = new NodeAttributes(fused);
            return Resolve(fused.Input[0]) == value && overChannels([attributes.Int("axis", -1)]) && fused.Output.Skip(1).All(o => o.Length == 0 || !_readersOf.ContainsKey(o))
                ? new SegmentStep([fused], fused.Output[0], "ChannelLayerNorm", MakeLayerNorm(fused, channels), channels)
                : null;
        }

        bool Reads(NodeProto? node, string op, params string[] inputs) =>
            node is { OpType: var type, Output.Count: 1 } && type == op && node.Input.Count == inputs.Length && inputs.Select((v, i) => Resolve(node.Input[i]) == v).All(b => b);
        bool Mean(NodeProto? node, string of) =>
            Reads(node, "ReduceMean", of) && new NodeAttributes(node!).Ints("axes") is { } axes && overChannels(axes) && new NodeAttributes(node!).Int("keepdims", 1) == 1;

        var mean = first ?? NextOf(value, "ReduceMean");
        var centre = mean is null ? null : NextOf(value, "Sub");
        if (!Mean(mean, value) || !Reads(centre, "Sub", value, mean!.Output[0]))
        {
            return null;
        }

        var square = NextOf(centre!.Output[0], "Pow");
        var variance = square is null ? null : NextOf(square.Output[0], "ReduceMean");
        var shifted = variance is null ? null : NextOf(variance.Output[0], "Add");
        var deviation = shifted is null ? null : NextOf(shifted.Output[0], "Sqrt");
        var divide = deviation is null ? null : NextOf(centre.Output[0], "Div");
        if (square is null || square.Input.Count != 2 || Resolve(square.Input[0]) != centre.Output[0] || LookAheadConstant(square.Input[1]) is not { Count: 1 } power || power.RealAt(0) != 2
            || !Mean(variance, square.Output[0]) || shifted is null || ScalarOperand(shifted, variance!.Output[0]) is not { } epsilon
            || !Reads(deviation, "Sqrt", shifted.Output[0]) || !Reads(divide, "Div", centre.Output[0], deviation!.Output[0]))
        {
            return null;
        }

        List<NodeProto> nodes = [mean, centre, square, variance, shifted, deviation, divide!];
        var (scale, end) = PerChannelOperand(divide!.Output[0], "Mul", channels, nodes);
        var (shift, last) = PerChannelOperand(end, "Add", channels, nodes);
        var name = NodeName(mean);
        return new SegmentStep(nodes, last, "ChannelLayerNorm", (input, output) => new ChannelLayerNormLayer(
            name, input, output, (float)epsilon, scale ?? Filled(channels, 1), shift ?? Filled(channels, 0)), channels);
    }

    private Func<string, string, Layer> MakeLayerNorm(NodeProto node, int channels)
    {
        var attributes = new NodeAttributes(node);
        var scale = PerChannel(ConstantInput(node, 1, "scale"), channels, "scale");
        var shift = node.Input.Count > 2 && node.Input[2].Length > 0 ? PerChannel(ConstantInput(node, 2, "B"), channels, "B") : Filled(channels, 0);
        var name = NodeName(node);
        return (input, output) => new ChannelLayerNormLayer(name, input, output, attributes.Float("epsilon", 1e-5f), scale, shift);
    }

    // A MatMul by constant weights [C, K] along the last axis, with the bias Add after it: a 1×1 convolution.
    private SegmentStep? MatchLinear(string value, int channels)
    {
        if (NextOf(value, "MatMul") is not { Input.Count: 2 } product || Resolve(product.Input[0]) != value
            || !_constants.TryGetValue(Resolve(product.Input[1]), out var proto))
        {
            return null;
        }

        var matrix = _tensors.ReadFloat(proto);
        if (matrix.Shape.Rank != 2 || matrix.Shape[0] != channels)
        {
            return null;
        }

        var outputs = matrix.Shape[1];
        List<NodeProto> nodes = [product];
        var (bias, end) = PerChannelOperand(product.Output[0], "Add", outputs, nodes);
        var weights = Transpose(matrix);
        var name = NodeName(product);
        var convolution = new Tensor(new Shape(outputs, channels, 1, 1), weights.Data);
        return new SegmentStep(nodes, end, "Conv", (input, output) => new ConvLayer(name, input, output, convolution, bias, Window2D.Create(1, 1, Padding2D.None), 1), outputs);
    }

    // x / √2 → Erf → + 1 → x · that → · 0.5, the operands of Add and the Muls in either order.
    private SegmentStep? MatchGelu(string value, int channels, NodeProto? first = null)
    {
        var divide = first ?? NextOf(value, "Div");
        if (divide is not { Input.Count: 2 } || Resolve(divide.Input[0]) != value || LookAheadConstant(divide.Input[1]) is not { Count: 1 } root
            || Math.Abs(root.RealAt(0) - Math.Sqrt(2)) > 1e-6
            || NextOf(divide.Output[0], "Erf") is not { } erf
            || NextOf(erf.Output[0], "Add") is not { } plusOne || ScalarOperand(plusOne, erf.Output[0]) != 1
            || NextOf(plusOne.Output[0], "Mul") is not { Input.Count: 2 } times
            || !(Resolve(times.Input[0]) == value || Resolve(times.Input[1]) == value)
            || NextOf(times.Output[0], "Mul") is not { } half || ScalarOperand(half, times.Output[0]) != 0.5)
        {
            return null;
        }

        var name = NodeName(divide);
        return new SegmentStep([divide, erf, plusOne, times, half], half.Output[0], "Gelu", (input, output) => new GeluLayer(name, input, output), channels);
    }

    // A Mul or Add of `value` by one constant per channel (a LayerNorm's scale and shift, a bias): the
    // constant and the value after it, or null and `value` when the next node is not such an operand.
    private (Tensor? Values, string End) PerChannelOperand(string value, string op, int channels, List<NodeProto> nodes)
    {
        if (NextOf(value, op) is not { Input.Count: 2 } node)
        {
            return (null, value);
        }

        var other = Resolve(node.Input[0]) == value ? node.Input[1] : Resolve(node.Input[1]) == value ? node.Input[0] : null;
        if (other is null || !_constants.TryGetValue(Resolve(other), out var proto) || _tensors.ReadFloat(proto) is not { Length: var n } constant || n != channels)
        {
            return (null, value);
        }

        nodes.Add(node);
        return (new Tensor(new Shape(channels), constant.Data), node.Output[0]);
    }

    private Tensor PerChannel(TensorProto proto, int channels, string role)
    {
        var tensor = _tensors.ReadFloat(proto);
        return tensor.Length == channels ? new Tensor(new Shape(channels), tensor.Data)
            : throw new SparsifyModelException($"{role} has {tensor.Length} values for {channels} channels");
    }

    private static Tensor Filled(int channels, float value) => new(new Shape(channels), Enumerable.Repeat(value, channels).ToArray());
}
