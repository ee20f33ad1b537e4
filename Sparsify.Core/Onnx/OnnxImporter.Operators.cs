using Sparsify.Runtime.Kernels;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Core.Onnx;

internal sealed partial class OnnxImporter
{
    public static readonly IReadOnlyList<string> SupportedOperators =
    [
        "Add", "AveragePool", "BatchNormalization", "Clip", "Concat", "Constant", "Conv", "Div", "Dropout", "Erf", "Exp", "Flatten", "Gemm",
        "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "HardSwish", "Identity", "If", "LayerNormalization", "LeakyRelu", "LRN", "MatMul", "MaxPool", "Mul", "Neg", "Pad", "Pow",
        "ReduceMean", "ReduceSum", "Relu", "Reshape", "Sigmoid", "Slice", "Softmax", "Split", "Sqrt", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze",
    ];

    private void ConvertNode(NodeProto node)
    {
        if (!string.IsNullOrEmpty(node.Domain) && node.Domain != "ai.onnx")
        {
            throw new SparsifyModelException($"operator domain '{node.Domain}' is not supported; only the default ONNX domain is");
        }

        var attributes = new NodeAttributes(node);
        switch (node.OpType)
        {
            case "Conv": Append(ConvertConv(node, attributes)); break;
            case "Gemm": Append(ConvertGemm(node, attributes)); break;
            case "MatMul": Append(ConvertMatMul(node)); break;
            case "Relu": Append(new ReluLayer(NodeName(node), Activation(node, 0), Output(node))); break;
            case "Clip": Append(ConvertClip(node, attributes)); break;
            case "Sigmoid": Append(new SigmoidLayer(NodeName(node), Activation(node, 0), Output(node))); break;
            case "LeakyRelu": Append(new LeakyReluLayer(NodeName(node), Activation(node, 0), Output(node), attributes.Float("alpha", 0.01f))); break;
            case "Tanh" or "Exp" or "Neg" or "Sqrt" or "Erf": Append(new UnaryLayer(NodeName(node), Activation(node, 0), Output(node), node.OpType)); break;
            case "Sub" or "Div": ConvertConstantSubOrDiv(node); break;
            case "Pow": ConvertPow(node); break;
            case "HardSigmoid": Append(new HardSigmoidLayer(NodeName(node), Activation(node, 0), Output(node), attributes.Float("alpha", 0.2f), attributes.Float("beta", 0.5f))); break;
            case "HardSwish": ConvertHardSwish(node); break;
            case "Mul": ConvertMul(node); break;
            case "Slice": ConvertSlice(node, attributes); break;
            case "Pad": Append(ConvertPad(node, attributes)); break;
            case "LayerNormalization": Append(ConvertLayerNormalization(node, attributes)); break;
            case "Transpose": Append(ConvertTranspose(node, attributes)); break;
            case "Split": ConvertSplit(node, attributes); break;
            case "MaxPool": Append(ConvertPool(node, attributes, PoolKind.Max)); break;
            case "AveragePool": Append(ConvertPool(node, attributes, PoolKind.Average)); break;
            case "GlobalAveragePool": Append(new GlobalAveragePoolLayer(NodeName(node), Activation(node, 0), Output(node))); break;
            case "GlobalMaxPool": Append(ConvertGlobalMaxPool(node)); break;
            case "Squeeze" or "Unsqueeze": Append(ConvertSqueeze(node, attributes)); break;
            case "ReduceMean" or "ReduceSum": ConvertReduce(node, attributes); break;
            case "LRN": Append(ConvertLrn(node, attributes)); break;
            case "Add": ConvertAdd(node); break;
            case "Concat": Append(ConvertConcat(node, attributes)); break;
            case "Flatten": Append(ReshapeLayer.Flatten(NodeName(node), Activation(node, 0), Output(node), attributes.IntValue("axis", 1))); break;
            case "Reshape": Append(ConvertReshape(node, attributes)); break;
            case "Softmax": Append(ConvertSoftmax(node, attributes)); break;
            case "BatchNormalization": FoldBatchNormalization(node, attributes); break;
            case "Dropout": RemovePassThrough(node, $"Dropout {NodeName(node)} removed (inference)"); break;
            case "Identity": RemovePassThrough(node, null); break;
            case "Constant": ConvertConstant(node, attributes); break;
            case "If": InlineIf(node, attributes); break;
            case var folded when Folding.ConstantFolder.Folds(folded):
                throw new SparsifyModelException($"operator '{node.OpType}' is supported only where its inputs are constant (it is computed at import); here it reads a value computed from the input data");
            default:
                throw new SparsifyModelException($"operator '{node.OpType}' is not supported; supported operators: {string.Join(", ", SupportedOperators)}");
        }
    }

    private ConvLayer ConvertConv(NodeProto node, NodeAttributes attributes)
    {
        var x = Activation(node, 0);
        var weights = _tensors.ReadFloat(ConstantInput(node, 1, "weights (W)"));
        var bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? _tensors.ReadFloat(ConstantInput(node, 2, "bias (B)")) : null;
        if (weights.Shape.Rank != 4)
        {
            throw new SparsifyModelException($"only 2-D convolution is supported; weights have shape {weights.Shape}");
        }

        var kernel = attributes.IntsOfLength("kernel_shape", 2) ?? [weights.Shape[2], weights.Shape[3]];
        var window = WithAbsorbedPads(node, ReadWindow(attributes, kernel, _shapes[x]));
        return new ConvLayer(NodeName(node), x, Output(node), weights, bias, window, attributes.IntValue("group", 1));
    }

    private PoolLayer ConvertPool(NodeProto node, NodeAttributes attributes, PoolKind kind)
    {
        if (node.Output.Count > 1 && node.Output[1].Length > 0 && _readers.ContainsKey(node.Output[1]))
        {
            throw new SparsifyModelException("the Indices output of MaxPool is not supported");
        }

        var x = Activation(node, 0);
        var kernel = attributes.IntsOfLength("kernel_shape", 2) ?? throw new SparsifyModelException("attribute 'kernel_shape' is required (2-D pooling only)");
        var ceilMode = attributes.Int("ceil_mode", 0) != 0;
        var window = WithAbsorbedPads(node, ReadWindow(attributes, kernel, _shapes[x]));
        var countIncludePad = attributes.Int("count_include_pad", 0) != 0 || _absorbedPads.ContainsKey(node);
        return new PoolLayer(NodeName(node), x, Output(node), kind, window, ceilMode, countIncludePad);
    }

    // Shared by Conv and pooling: strides, dilations, pads or auto_pad, resolved to explicit pads.
    private static Window2D ReadWindow(NodeAttributes attributes, int[] kernel, Shape input)
    {
        var strides = attributes.IntsOfLength("strides", 2) ?? [1, 1];
        var dilations = attributes.IntsOfLength("dilations", 2) ?? [1, 1];
        var pads = attributes.IntsOfLength("pads", 4) ?? [0, 0, 0, 0];
        var autoPad = attributes.String("auto_pad", "NOTSET");
        if (input.Rank != 4)
        {
            throw new SparsifyModelException($"input must have rank 4 (NCHW), got shape {input}");
        }

        var window = new Window2D(kernel[0], kernel[1], strides[0], strides[1], dilations[0], dilations[1], new Padding2D(pads[0], pads[1], pads[2], pads[3]));
        window.Validate();
        switch (autoPad)
        {
            case "NOTSET":
                return window;
            case "VALID":
                return window with { Pads = Padding2D.None };
            case "SAME_UPPER":
            case "SAME_LOWER":
                var (top, bottom) = SamePadding(input[2], kernel[0], strides[0], dilations[0], autoPad == "SAME_LOWER");
                var (left, right) = SamePadding(input[3], kernel[1], strides[1], dilations[1], autoPad == "SAME_LOWER");
                return window with { Pads = new Padding2D(top, left, bottom, right) };
            default:
                throw new SparsifyModelException($"auto_pad '{autoPad}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
        }
    }

    private static (int Begin, int End) SamePadding(int input, int kernel, int stride, int dilation, bool lower)
    {
        // In long: with int attributes every term fits, while the same sums in int could wrap.
        var output = (input + (long)stride - 1) / stride;
        var total = Math.Max(0, ((output - 1) * stride) + ((kernel - 1L) * dilation) + 1 - input);
        var small = total / 2;
        if (total - small > int.MaxValue)
        {
            throw new SparsifyModelException($"auto_pad SAME over input extent {input} with kernel {kernel}, stride {stride} and dilation {dilation} needs padding {SizeMath.Format(total)}, more than the largest dimension, {SizeMath.Format(int.MaxValue)}");
        }

        return lower ? ((int)(total - small), (int)small) : ((int)small, (int)(total - small));
    }

    private FullyConnectedLayer ConvertGemm(NodeProto node, NodeAttributes attributes)
    {
        var x = Activation(node, 0);
        if (attributes.Int("transA", 0) != 0)
        {
            throw new SparsifyModelException("transA=1 is not supported: the first operand must be the activations [batch, features]");
        }

        var b = _tensors.ReadFloat(ConstantInput(node, 1, "weights (B)"));
        if (b.Shape.Rank != 2)
        {
            throw new SparsifyModelException($"weights (B) must have rank 2, got {b.Shape}");
        }

        var weights = attributes.Int("transB", 0) != 0 ? b : Transpose(b);
        var alpha = attributes.Float("alpha", 1f);
        if (alpha != 1f)
        {
            Scale(weights.Data, alpha);
        }

        Tensor? bias = null;
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            var c = _tensors.ReadFloat(ConstantInput(node, 2, "bias (C)"));
            bias = BroadcastBias(c, weights.Shape[0], "bias (C)");
            var beta = attributes.Float("beta", 1f);
            if (beta != 1f)
            {
                Scale(bias.Data, beta);
            }
        }

        return new FullyConnectedLayer(NodeName(node), x, Output(node), weights, bias);
    }

    // By constant weights a fully connected layer (pruned like any other); of two computed values a MatMul step.
    private Layer ConvertMatMul(NodeProto node)
    {
        if (node.Input.Count == 2 && !_constants.ContainsKey(Resolve(node.Input[0])) && !_constants.ContainsKey(Resolve(node.Input[1])))
        {
            return new MatMulLayer(NodeName(node), Activation(node, 0), Activation(node, 1), Output(node));
        }

        var x = Activation(node, 0);
        var b = _tensors.ReadFloat(ConstantInput(node, 1, "weights (B)"));
        if (b.Shape.Rank != 2 || _shapes[x].Rank != 2)
        {
            throw new SparsifyModelException($"only a 2-D MatMul of activations {_shapes[x]} by constant weights is supported, got weights {b.Shape}");
        }

        return new FullyConnectedLayer(NodeName(node), x, Output(node), Transpose(b), null);
    }

    // Bounds are attributes before opset 11 and optional constant inputs since; an absent bound is an infinity.
    private ClipLayer ConvertClip(NodeProto node, NodeAttributes attributes)
    {
        var x = Activation(node, 0);
        float min, max;
        if (_opset < 11)
        {
            (min, max) = (attributes.Float("min", float.NegativeInfinity), attributes.Float("max", float.PositiveInfinity));
        }
        else
        {
            float Bound(int index, string role, float absent) => index < node.Input.Count && node.Input[index].Length > 0
                ? (float)(ConstantValue(Resolve(node.Input[index])) ?? throw new SparsifyModelException($"{role} (input {index}) must be a constant")).Scalar(role)
                : absent;
            (min, max) = (Bound(1, "min", float.NegativeInfinity), Bound(2, "max", float.PositiveInfinity));
        }

        return new ClipLayer(NodeName(node), x, Output(node), min, max);
    }

    // x · HardSigmoid(x) with torch's slope 1/6 and offset 1/2 (ONNX HardSwish, opset 14).
    // ONNX's default perm reverses the axes.
    private TransposeLayer ConvertTranspose(NodeProto node, NodeAttributes attributes)
    {
        var x = Activation(node, 0);
        var rank = _shapes[x].Rank;
        var perm = attributes.Ints("perm") is { } given
            ? given.Select(a => a is < int.MinValue or > int.MaxValue ? -1 : (int)a).ToArray()
            : Enumerable.Range(0, rank).Reverse().ToArray();
        return new TransposeLayer(NodeName(node), x, Output(node), perm);
    }

    private void ConvertPow(NodeProto node)
    {
        if (node.Input.Count != 2)
        {
            throw new SparsifyModelException($"expects 2 inputs, got {node.Input.Count}");
        }

        if (_constants.ContainsKey(Resolve(node.Input[0])) || _constants.ContainsKey(Resolve(node.Input[1])))
        {
            throw new SparsifyModelException("a Pow with a constant operand is supported only inside a LayerNorm's decomposition; a Pow of two computed values is supported anywhere");
        }

        Append(new BroadcastLayer(NodeName(node), "Pow", Activation(node, 0), Activation(node, 1), Output(node)));
    }

    private void ConvertHardSwish(NodeProto node)
    {
        var x = Activation(node, 0);
        var gate = $"{Output(node)}/gate";
        Append(new HardSigmoidLayer(UniqueName($"{NodeName(node)}/gate"), x, gate, 1f / 6, 0.5f));
        Append(new MulLayer(NodeName(node), x, gate, Output(node)));
    }

    // Of two computed values, the full-size one first so that a per-channel gate is the second; or by a constant.
    private void ConvertMul(NodeProto node)
    {
        if (node.Input.Count != 2)
        {
            throw new SparsifyModelException($"expects 2 inputs, got {node.Input.Count}");
        }

        var (left, right) = (Resolve(node.Input[0]), Resolve(node.Input[1]));
        if (_constants.ContainsKey(left) != _constants.ContainsKey(right))
        {
            ConvertConstantMul(node, _constants.ContainsKey(left) ? Activation(node, 1) : Activation(node, 0), _constants.ContainsKey(left) ? left : right);
            return;
        }

        var (a, b) = (Activation(node, 0), Activation(node, 1));
        if (Sparsify.Runtime.Manifests.ManifestOps.MultiplyPlane(_shapes[a], _shapes[b]) is null && Sparsify.Runtime.Manifests.ManifestOps.MultiplyPlane(_shapes[b], _shapes[a]) is not null)
        {
            (a, b) = (b, a);
        }

        // One shape, or a per-channel gate, is the Mul the kernels fuse and stream; any other pair broadcasts.
        Append(Sparsify.Runtime.Manifests.ManifestOps.MultiplyPlane(_shapes[a], _shapes[b]) is not null
            ? new MulLayer(NodeName(node), a, b, Output(node))
            : new BroadcastLayer(NodeName(node), "Mul", Activation(node, 0), Activation(node, 1), Output(node)));
    }

    private LrnLayer ConvertLrn(NodeProto node, NodeAttributes attributes)
    {
        if (!attributes.Has("size"))
        {
            throw new SparsifyModelException("attribute 'size' is required");
        }

        return new LrnLayer(NodeName(node), Activation(node, 0), Output(node), attributes.IntValue("size", 0),
            attributes.Float("alpha", 1e-4f), attributes.Float("beta", 0.75f), attributes.Float("bias", 1f));
    }

    private ConcatLayer ConvertConcat(NodeProto node, NodeAttributes attributes)
    {
        if (!attributes.Has("axis"))
        {
            throw new SparsifyModelException("attribute 'axis' is required");
        }

        var inputs = Enumerable.Range(0, node.Input.Count).Select(i => Activation(node, i)).ToArray();
        return new ConcatLayer(NodeName(node), inputs, Output(node), attributes.IntValue("axis", 0));
    }

    private SoftmaxLayer ConvertSoftmax(NodeProto node, NodeAttributes attributes)
    {
        var legacy = _opset < 13;
        var axis = attributes.IntValue("axis", legacy ? 1 : -1);
        return new SoftmaxLayer(NodeName(node), Activation(node, 0), Output(node), axis, coerceTo2D: legacy);
    }

    private void ConvertConstant(NodeProto node, NodeAttributes attributes)
    {
        var tensor = attributes.Tensor("value");
        if (tensor is null && attributes.Floats("value_floats") is { } floats)
        {
            tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, Dims = { floats.Length } };
            tensor.FloatData.AddRange(floats);
        }
        else if (tensor is null && attributes.Ints("value_ints") is { } ints)
        {
            tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64, Dims = { ints.Length } };
            tensor.Int64Data.AddRange(ints);
        }
        else if (tensor is null && attributes.Has("value_float"))
        {
            tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, FloatData = { attributes.Float("value_float", 0) } };
        }
        else if (tensor is null && attributes.Has("value_int"))
        {
            tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64, Int64Data = { attributes.Int("value_int", 0) } };
        }

        if (tensor is null)
        {
            throw new SparsifyModelException("a Constant needs a 'value' tensor (or value_float(s) / value_int(s))");
        }

        tensor.Name = Output(node);
        _constants[tensor.Name] = tensor;
    }

    private void RemovePassThrough(NodeProto node, string? note)
    {
        for (var i = 1; i < node.Output.Count; i++)
        {
            if (node.Output[i].Length > 0 && (_readers.ContainsKey(node.Output[i]) || _graphOutputs.Contains(node.Output[i])))
            {
                throw new SparsifyModelException($"output {i} ('{node.Output[i]}') is read, which only training graphs do");
            }
        }

        var input = Activation(node, 0);
        _aliases[Output(node)] = input;
        if (note is not null)
        {
            _notes.Add(note);
        }
    }
}
