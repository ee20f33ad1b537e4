using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Core.Onnx;

internal sealed partial class OnnxImporter
{
    // y = (x - mean) / sqrt(var + eps) * scale + B, folded into the weights and bias of the layer
    // that writes x. Computed in double so the folded model stays within float rounding of ONNX Runtime.
    private void FoldBatchNormalization(NodeProto node, NodeAttributes attributes)
    {
        if (attributes.Int("spatial", 1) == 0)
        {
            throw new SparsifyModelException("spatial=0 (per-activation) BatchNormalization is not supported");
        }

        if (attributes.Int("training_mode", 0) != 0)
        {
            throw new SparsifyModelException("training_mode=1 is not supported; export the model for inference");
        }

        for (var i = 1; i < node.Output.Count; i++)
        {
            if (node.Output[i].Length > 0 && _readers.ContainsKey(node.Output[i]))
            {
                throw new SparsifyModelException($"output {i} ('{node.Output[i]}') is read, which only training graphs do");
            }
        }

        var x = Activation(node, 0);
        var target = FoldTarget(x);
        var channels = target is { Layer: var layer } ? OutputsOf(layer) : _shapes[x].Rank >= 2 ? _shapes[x][1]
            : throw new SparsifyModelException($"the input has shape {_shapes[x]}; a BatchNormalization needs a channel axis (1)");
        var scale = ReadPerChannel(node, 1, "scale", channels);
        var shift = ReadPerChannel(node, 2, "B", channels);
        var mean = ReadPerChannel(node, 3, "mean", channels);
        var variance = ReadPerChannel(node, 4, "var", channels);
        var epsilon = (double)attributes.Float("epsilon", 1e-5f);
        var factor = new double[channels];
        var offset = new double[channels];
        for (var c = 0; c < channels; c++)
        {
            factor[c] = scale[c] / Math.Sqrt(variance[c] + epsilon);
            offset[c] = shift[c] - (mean[c] * factor[c]);
        }

        if (target is (int index, Layer into))
        {
            FoldAffine(index, into, Output(node), factor, offset);
            _notes.Add($"BatchNormalization {NodeName(node)} folded into {into.OpType} {into.Name}");
            return;
        }

        AppendChannelAffine(NodeName(node), x, Output(node), factor, offset);
        _notes.Add($"BatchNormalization {NodeName(node)} kept as a per-channel affine step: no Conv or Gemm before it can absorb it");
    }

    // y = (W x + b) · factor + offset per output channel, as new weights and bias of the layer.
    private void FoldAffine(int index, Layer layer, string output, double[] factor, double[] offset)
    {
        var (weights, oldBias) = WeightsOf(layer);
        var channels = factor.Length;
        var folded = weights.Clone();
        var bias = new float[channels];
        var perChannel = weights.Length / channels;
        for (var c = 0; c < channels; c++)
        {
            var row = folded.Data.AsSpan(c * perChannel, perChannel);
            for (var k = 0; k < row.Length; k++)
            {
                row[k] = (float)(row[k] * factor[c]);
            }

            bias[c] = (float)((((double?)oldBias?.Data[c] ?? 0) * factor[c]) + offset[c]);
        }

        Replace(index, Rebuild(layer, output, folded, new Tensor(new Shape(channels), bias)));
    }

    private void AppendChannelAffine(string name, string x, string output, double[] factor, double[] offset) =>
        Append(new ChannelAffineLayer(
            name, x, output,
            new Tensor(new Shape(factor.Length), factor.Select(v => (float)v).ToArray()),
            new Tensor(new Shape(offset.Length), offset.Select(v => (float)v).ToArray())));

    // A Mul by a constant (a per-channel layer scale, as in ConvNeXt): folded into the Conv or Gemm
    // before it, or else a per-channel scale of its own.
    private void ConvertConstantMul(NodeProto node, string x, string constant)
    {
        var factor = PerChannelConstant(_tensors.ReadFloat(_constants[constant]), x, "the constant operand");
        if (FoldTarget(x) is (int index, Layer layer))
        {
            FoldAffine(index, layer, Output(node), factor, new double[factor.Length]);
            _notes.Add($"Mul {NodeName(node)} by a constant folded into {layer.OpType} {layer.Name}");
            return;
        }

        AppendChannelAffine(NodeName(node), x, Output(node), factor, new double[factor.Length]);
        _notes.Add($"Mul {NodeName(node)} by a constant imported as a per-channel scale");
    }

    // x − c, c − x and x / c for a constant c (scalar or one per channel): a per-channel affine step, or
    // folded into the Conv or Gemm before it. Of two computed values they are not supported.
    private void ConvertConstantSubOrDiv(NodeProto node)
    {
        if (node.Input.Count != 2)
        {
            throw new SparsifyModelException($"expects 2 inputs, got {node.Input.Count}");
        }

        var (left, right) = (Resolve(node.Input[0]), Resolve(node.Input[1]));
        var (leftConstant, rightConstant) = (_constants.ContainsKey(left), _constants.ContainsKey(right));
        if (!leftConstant && !rightConstant)
        {
            Append(new BroadcastLayer(NodeName(node), node.OpType, Activation(node, 0), Activation(node, 1), Output(node)));
            return;
        }

        if (leftConstant && rightConstant)
        {
            throw new SparsifyModelException($"a {node.OpType} of two constants is not supported; fold them before export");
        }

        var x = Activation(node, leftConstant ? 1 : 0);
        var c = PerChannelConstant(_tensors.ReadFloat(_constants[leftConstant ? left : right]), x, "the constant operand");
        (double[] Factor, double[] Offset) map = (node.OpType, leftConstant) switch
        {
            ("Sub", false) => (c.Select(_ => 1.0).ToArray(), c.Select(v => -v).ToArray()),
            ("Sub", true) => (c.Select(_ => -1.0).ToArray(), c),
            ("Div", false) => (c.Select(v => 1 / v).ToArray(), new double[c.Length]),
            _ => throw new SparsifyModelException("a constant divided by a computed value is not supported; only a computed value divided by a constant"),
        };
        if (map.Factor.Any(f => !double.IsFinite(f)))
        {
            throw new SparsifyModelException("a division by a constant 0 is not supported");
        }

        if (FoldTarget(x) is (int index, Layer layer))
        {
            FoldAffine(index, layer, Output(node), map.Factor, map.Offset);
            _notes.Add($"{node.OpType} {NodeName(node)} by a constant folded into {layer.OpType} {layer.Name}");
            return;
        }

        AppendChannelAffine(NodeName(node), x, Output(node), map.Factor, map.Offset);
        _notes.Add($"{node.OpType} {NodeName(node)} by a constant imported as a per-channel step");
    }

    private void ConvertAdd(NodeProto node)
    {
        if (node.Input.Count != 2)
        {
            throw new SparsifyModelException($"expects 2 inputs, got {node.Input.Count}");
        }

        var left = Resolve(node.Input[0]);
        var right = Resolve(node.Input[1]);
        var leftConstant = _constants.ContainsKey(left);
        var rightConstant = _constants.ContainsKey(right);
        if (!leftConstant && !rightConstant)
        {
            // One shape is the residual Add the kernels fuse; any other pair broadcasts.
            var (a, b) = (Activation(node, 0), Activation(node, 1));
            Append(_shapes[a].Equals(_shapes[b]) ? new AddLayer(NodeName(node), a, b, Output(node)) : new BroadcastLayer(NodeName(node), "Add", a, b, Output(node)));
            return;
        }

        if (leftConstant && rightConstant)
        {
            throw new SparsifyModelException("adding two constants is not supported; fold them before export");
        }

        // A constant operand is a bias: it joins the bias of the Conv or Gemm/MatMul before it, or
        // else is a per-channel shift of its own.
        var x = Activation(node, leftConstant ? 1 : 0);
        var constantValues = _tensors.ReadFloat(_constants[leftConstant ? left : right]);
        if (FoldTarget(x) is not (int index, Layer layer))
        {
            var shift = PerChannelConstant(constantValues, x, "the constant operand");
            AppendChannelAffine(NodeName(node), x, Output(node), shift.Select(_ => 1.0).ToArray(), shift);
            _notes.Add($"Add {NodeName(node)} of a constant imported as a per-channel shift");
            return;
        }

        var (weights, oldBias) = WeightsOf(layer);
        var channels = weights.Shape[0];
        var added = BroadcastBias(constantValues, channels, "the constant operand", _shapes[x].Rank);
        if (oldBias is not null)
        {
            for (var c = 0; c < channels; c++)
            {
                added.Data[c] += oldBias.Data[c];
            }
        }

        Replace(index, Rebuild(layer, Output(node), weights, added));
        _notes.Add($"Add {NodeName(node)} folded into {layer.OpType} {layer.Name} as its bias");
    }

    // The Conv or Gemm writing `value` that a per-channel affine map after it can be folded into: only
    // when nothing else reads the value.
    private (int Index, Layer Layer)? FoldTarget(string value) =>
        _layerWriting.TryGetValue(value, out var index)
            && _layers[index] is ConvLayer or FullyConnectedLayer
            && _readers.GetValueOrDefault(value) == 1
            && !_graphOutputs.Contains(value)
            ? (index, _layers[index])
            : null;

    private static int OutputsOf(Layer layer) => layer is ConvLayer conv ? conv.OutChannels : ((FullyConnectedLayer)layer).OutFeatures;

    /// <summary>One value per channel of <paramref name="x"/> (axis 1) from a constant that broadcasts along that axis only.</summary>
    private double[] PerChannelConstant(Tensor constant, string x, string role)
    {
        var shape = _shapes[x];
        if (shape.Rank < 2)
        {
            throw new SparsifyModelException($"{role} applies to a value of shape {shape}, which has no channel axis (1)");
        }

        return BroadcastBias(constant, shape[1], role, shape.Rank).Data.Select(v => (double)v).ToArray();
    }

    private static (Tensor Weights, Tensor? Bias) WeightsOf(Layer layer) => layer switch
    {
        ConvLayer c => (c.Weights, c.Bias),
        FullyConnectedLayer f => (f.Weights, f.Bias),
        _ => throw new InvalidOperationException($"{layer.OpType} has no weights"),
    };

    private static Layer Rebuild(Layer layer, string output, Tensor weights, Tensor bias) => layer switch
    {
        ConvLayer c => new ConvLayer(c.Name, c.Inputs[0], output, weights, bias, c.Window, c.Group),
        FullyConnectedLayer f => new FullyConnectedLayer(f.Name, f.Inputs[0], output, weights, bias),
        _ => throw new InvalidOperationException($"{layer.OpType} has no weights"),
    };

    private void Replace(int index, Layer layer)
    {
        var old = _layers[index];
        _layerWriting.Remove(old.Output);
        _shapes.Remove(old.Output);
        _layers[index] = layer;
        _layerWriting[layer.Output] = index;
        _shapes[layer.Output] = layer.InferOutputShape(layer.Inputs.Select(i => _shapes[i]).ToArray());
    }

    private double[] ReadPerChannel(NodeProto node, int index, string role, int channels)
    {
        var tensor = _tensors.ReadFloat(ConstantInput(node, index, role));
        if (tensor.Length != channels)
        {
            throw new SparsifyModelException($"{role} has {tensor.Length} values for {channels} channels");
        }

        return tensor.Data.Select(v => (double)v).ToArray();
    }

    /// <summary>
    /// A per-channel bias from a constant that broadcasts along the channel axis only (axis 1 of an
    /// output of <paramref name="outputRank"/>), or along the last axis of a 2-D output.
    /// </summary>
    private static Tensor BroadcastBias(Tensor constant, int channels, string role, int outputRank = 2)
    {
        var dims = constant.Shape.Dims;
        if (dims.Length > outputRank)
        {
            throw new SparsifyModelException($"{role} has shape {constant.Shape}, of higher rank than the output");
        }

        // Right-align the constant's dims against the output's, as ONNX broadcasting does.
        var channelAxis = 1 - (outputRank - dims.Length);
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] != 1 && !(i == channelAxis && dims[i] == channels))
            {
                throw new SparsifyModelException($"{role} of shape {constant.Shape} does not broadcast per channel over {channels} channels");
            }
        }

        var bias = new float[channels];
        if (constant.Length == 1)
        {
            Array.Fill(bias, constant.Data[0]);
        }
        else
        {
            constant.Data.CopyTo(bias, 0);
        }

        return new Tensor(new Shape(channels), bias);
    }

    private void Append(Layer layer)
    {
        _shapes[layer.Output] = layer.InferOutputShape(layer.Inputs.Select(i => _shapes[i]).ToArray());
        _layerWriting[layer.Output] = _layers.Count;
        _layers.Add(layer);
    }

    /// <summary>Input <paramref name="index"/> as a computed value (not a constant), with its shape known.</summary>
    private string Activation(NodeProto node, int index)
    {
        if (index >= node.Input.Count || node.Input[index].Length == 0)
        {
            throw new SparsifyModelException($"input {index} is missing");
        }

        var name = Resolve(node.Input[index]);
        if (_constants.ContainsKey(name))
        {
            throw new SparsifyModelException($"input {index} ('{name}') is a constant; only computed values are supported there");
        }

        return _shapes.ContainsKey(name) ? name : throw new SparsifyModelException($"input {index} ('{name}') has no known shape");
    }

    private TensorProto ConstantInput(NodeProto node, int index, string role)
    {
        if (index >= node.Input.Count || node.Input[index].Length == 0)
        {
            throw new SparsifyModelException($"{role} (input {index}) is missing");
        }

        var name = Resolve(node.Input[index]);
        return _constants.TryGetValue(name, out var tensor)
            ? tensor
            : throw new SparsifyModelException($"{role} '{name}' must be an initializer (a constant), but no initializer has that name");
    }

    private static string Output(NodeProto node) =>
        node.Output.Count > 0 && node.Output[0].Length > 0 ? node.Output[0] : throw new SparsifyModelException("the node has no output");

    private static Tensor Transpose(Tensor matrix)
    {
        int rows = matrix.Shape[0], columns = matrix.Shape[1];
        var result = new float[matrix.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                result[c * rows + r] = matrix.Data[r * columns + c];
            }
        }

        return new Tensor(new Shape(columns, rows), result);
    }

    private static void Scale(float[] values, float factor) => System.Numerics.Tensors.TensorPrimitives.Multiply(values, factor, values);
}
