using Sparsify.Runtime.Kernels;
using Google.Protobuf;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Onnx.Protos;
using AttributeType = Sparsify.Core.Onnx.Protos.AttributeProto.Types.AttributeType;
using DataType = Sparsify.Core.Onnx.Protos.TensorProto.Types.DataType;

namespace Sparsify.Core.Onnx;

/// <summary>
/// Writes a <see cref="ModelGraph"/> as an ONNX model at opset 13 that ONNX Runtime runs as is:
/// weights as little-endian raw_data initializers, one node per layer.
/// </summary>
internal static class OnnxExporter
{
    public const int Opset = 13;

    public static ModelProto Export(ModelGraph graph)
    {
        var proto = new GraphProto { Name = graph.Name };
        foreach (var input in graph.Inputs)
        {
            proto.Input.Add(ValueInfo(input));
        }

        foreach (var output in graph.Outputs)
        {
            proto.Output.Add(ValueInfo(output));
        }

        foreach (var layer in graph.Layers)
        {
            proto.Node.AddRange(layer switch
            {
                ChannelShuffleLayer shuffle => ExportShuffle(shuffle, graph.ShapeOf(shuffle.Inputs[0]), proto.Initializer),
                GeluLayer gelu => ExportGelu(gelu, proto.Initializer),
                ChannelLayerNormLayer norm => ExportChannelLayerNorm(norm, proto.Initializer),
                _ => [ExportLayer(layer, proto.Initializer)],
            });
        }

        return new ModelProto
        {
            IrVersion = 7,
            ProducerName = "Sparsify",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = proto,
            OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = Opset } },
        };
    }

    private static NodeProto ExportLayer(Layer layer, Google.Protobuf.Collections.RepeatedField<TensorProto> initializers)
    {
        var node = new NodeProto { Name = layer.Name, OpType = layer is BroadcastLayer broadcast ? broadcast.Function : layer.OpType, Output = { layer.Output } };
        node.Input.AddRange(layer.Inputs);
        switch (layer)
        {
            case ConvLayer conv:
                node.Input.Add(AddInitializer(initializers, $"{layer.Name}.weight", conv.Weights));
                if (conv.Bias is not null)
                {
                    node.Input.Add(AddInitializer(initializers, $"{layer.Name}.bias", conv.Bias));
                }

                AddWindow(node, conv.Window);
                node.Attribute.Add(Ints("kernel_shape", conv.Window.KernelH, conv.Window.KernelW));
                node.Attribute.Add(Int("group", conv.Group));
                break;
            case FullyConnectedLayer fc:
                node.Input.Add(AddInitializer(initializers, $"{layer.Name}.weight", fc.Weights));
                if (fc.Bias is not null)
                {
                    node.Input.Add(AddInitializer(initializers, $"{layer.Name}.bias", fc.Bias));
                }

                node.Attribute.Add(Int("transB", 1));
                break;
            case PoolLayer pool:
                AddWindow(node, pool.Window);
                node.Attribute.Add(Ints("kernel_shape", pool.Window.KernelH, pool.Window.KernelW));
                node.Attribute.Add(Int("ceil_mode", pool.CeilMode ? 1 : 0));
                if (pool.Kind == PoolKind.Average)
                {
                    node.Attribute.Remove(node.Attribute.Single(a => a.Name == "dilations"));
                    node.Attribute.Add(Int("count_include_pad", pool.CountIncludePad ? 1 : 0));
                }

                break;
            case LrnLayer lrn:
                node.Attribute.Add(Int("size", lrn.Size));
                node.Attribute.Add(Float("alpha", lrn.Alpha));
                node.Attribute.Add(Float("beta", lrn.Beta));
                node.Attribute.Add(Float("bias", lrn.Bias));
                break;
            case ConcatLayer concat:
                node.Attribute.Add(Int("axis", concat.Axis));
                break;
            case ReshapeLayer { FlattenAxis: int axis }:
                node.Attribute.Add(Int("axis", axis));
                break;
            case ReshapeLayer reshape:
                node.Input.Add(AddIntegers(initializers, $"{layer.Name}.shape", [.. reshape.TargetShape!]));
                break;
            case SoftmaxLayer softmax:
                if (softmax.CoerceTo2D && softmax.Axis != -1)
                {
                    throw new SparsifyModelException($"a Softmax with opset-{Opset - 1} semantics at axis {softmax.Axis} cannot be written at opset {Opset}", nodeName: layer.Name, opType: layer.OpType);
                }

                node.Attribute.Add(Int("axis", softmax.Axis));
                break;
            case ClipLayer clip:
                // Scalars (rank 0), as opset 11 and later require.
                node.Input.Add(AddInitializer(initializers, $"{layer.Name}.min", new Tensor(new Shape(), [clip.Min])));
                node.Input.Add(AddInitializer(initializers, $"{layer.Name}.max", new Tensor(new Shape(), [clip.Max])));
                break;
            case HardSigmoidLayer hardSigmoid:
                node.Attribute.Add(Float("alpha", hardSigmoid.Alpha));
                node.Attribute.Add(Float("beta", hardSigmoid.Beta));
                break;
            case ChannelAffineLayer affine:
                // Mean 0, variance 1, epsilon 0: ONNX's normalisation is then exactly x · scale + shift.
                var channels = new Shape(affine.Channels);
                node.Input.Add(AddInitializer(initializers, $"{layer.Name}.scale", affine.Scale));
                node.Input.Add(AddInitializer(initializers, $"{layer.Name}.shift", affine.Shift));
                node.Input.Add(AddInitializer(initializers, $"{layer.Name}.mean", new Tensor(channels)));
                node.Input.Add(AddInitializer(initializers, $"{layer.Name}.var", new Tensor(channels, Enumerable.Repeat(1f, affine.Channels).ToArray())));
                node.Attribute.Add(Float("epsilon", 0f));
                break;
            case ReduceLayer { Mean: true } mean:
                node.Attribute.Add(Ints("axes", [.. Enumerable.Range(mean.First, mean.Last - mean.First + 1).Select(a => (long)a)]));
                node.Attribute.Add(Int("keepdims", mean.KeepDims ? 1 : 0));
                break;
            case ReduceLayer sum:
                // Axes are an input of ReduceSum since opset 13.
                node.Input.Add(AddIntegers(initializers, $"{layer.Name}.axes", [.. Enumerable.Range(sum.First, sum.Last - sum.First + 1).Select(a => (long)a)]));
                node.Attribute.Add(Int("keepdims", sum.KeepDims ? 1 : 0));
                break;
            case PadLayer pad:
                node.Input.Add(AddIntegers(initializers, $"{layer.Name}.pads", 0, 0, pad.Pads.Top, pad.Pads.Left, 0, 0, pad.Pads.Bottom, pad.Pads.Right));
                node.Input.Add(AddInitializer(initializers, $"{layer.Name}.value", new Tensor(new Shape(), [pad.Value])));
                node.Attribute.Add(new AttributeProto { Name = "mode", Type = AttributeType.String, S = ByteString.CopyFromUtf8(pad.Mode) });
                break;
            case SliceLayer slice:
                node.Input.Add(AddIntegers(initializers, $"{layer.Name}.starts", slice.Start));
                node.Input.Add(AddIntegers(initializers, $"{layer.Name}.ends", slice.End));
                node.Input.Add(AddIntegers(initializers, $"{layer.Name}.axes", slice.Axis));
                break;
            case LeakyReluLayer leaky:
                node.Attribute.Add(Float("alpha", leaky.Alpha));
                break;
            case TransposeLayer transpose:
                node.Attribute.Add(Ints("perm", [.. transpose.Perm.Select(a => (long)a)]));
                break;
            case ReluLayer or SigmoidLayer or UnaryLayer or GlobalAveragePoolLayer or AddLayer or MulLayer or BroadcastLayer or MatMulLayer:
                break;
            default:
                throw new SparsifyModelException($"the ONNX writer has no rule for {layer.OpType}", nodeName: layer.Name, opType: layer.OpType);
        }

        return node;
    }

    // As torch writes it, so the importer reads it back as one step: Reshape to N×G×(C/G)×H×W,
    // Transpose (0, 2, 1, 3, 4), Reshape to N×C×H×W.
    private static NodeProto[] ExportShuffle(ChannelShuffleLayer shuffle, Shape input, Google.Protobuf.Collections.RepeatedField<TensorProto> initializers)
    {
        var (grouped, transposed) = ($"{shuffle.Name}.grouped", $"{shuffle.Name}.transposed");
        var view = new NodeProto { Name = shuffle.Name, OpType = "Reshape", Input = { shuffle.Inputs[0] }, Output = { grouped } };
        view.Input.Add(AddIntegers(initializers, $"{shuffle.Name}.groups-shape", input[0], shuffle.Groups, input[1] / shuffle.Groups, input[2], input[3]));
        var transpose = new NodeProto { Name = $"{shuffle.Name}/transpose", OpType = "Transpose", Input = { grouped }, Output = { transposed } };
        transpose.Attribute.Add(Ints("perm", 0, 2, 1, 3, 4));
        var back = new NodeProto { Name = $"{shuffle.Name}/back", OpType = "Reshape", Input = { transposed }, Output = { shuffle.Output } };
        back.Input.Add(AddIntegers(initializers, $"{shuffle.Name}.shape", input[0], input[1], input[2], input[3]));
        return [view, transpose, back];
    }

    // The Erf form torch writes: x / √2 → Erf → + 1 → x · that → · 0.5.
    private static NodeProto[] ExportGelu(GeluLayer gelu, Google.Protobuf.Collections.RepeatedField<TensorProto> initializers)
    {
        var (x, name) = (gelu.Inputs[0], gelu.Name);
        return
        [
            Node($"{name}", "Div", [x, Scalar(initializers, $"{name}.sqrt2", MathF.Sqrt(2))], $"{name}.scaled"),
            Node($"{name}/erf", "Erf", [$"{name}.scaled"], $"{name}.erf"),
            Node($"{name}/plus-one", "Add", [$"{name}.erf", Scalar(initializers, $"{name}.one", 1)], $"{name}.plus-one"),
            Node($"{name}/times-x", "Mul", [x, $"{name}.plus-one"], $"{name}.times-x"),
            Node($"{name}/half", "Mul", [$"{name}.times-x", Scalar(initializers, $"{name}.half", 0.5f)], gelu.Output),
        ];
    }

    // LayerNorm over the channel axis as torch decomposes it before opset 17, on axis 1 of NCHW:
    // mean, x − mean, its square, their mean, + ε, √, divide, · scale, + shift.
    private static NodeProto[] ExportChannelLayerNorm(ChannelLayerNormLayer norm, Google.Protobuf.Collections.RepeatedField<TensorProto> initializers)
    {
        var (x, name) = (norm.Inputs[0], norm.Name);
        var perChannel = new Shape(norm.Channels, 1, 1);
        NodeProto Mean(string nodeName, string input, string output)
        {
            var node = Node(nodeName, "ReduceMean", [input], output);
            node.Attribute.Add(Ints("axes", 1));
            return node;
        }

        return
        [
            Mean(name, x, $"{name}.mean"),
            Node($"{name}/centre", "Sub", [x, $"{name}.mean"], $"{name}.centred"),
            Node($"{name}/square", "Pow", [$"{name}.centred", Scalar(initializers, $"{name}.two", 2)], $"{name}.squared"),
            Mean($"{name}/variance", $"{name}.squared", $"{name}.variance"),
            Node($"{name}/epsilon", "Add", [$"{name}.variance", Scalar(initializers, $"{name}.epsilon", norm.Epsilon)], $"{name}.shifted-variance"),
            Node($"{name}/sqrt", "Sqrt", [$"{name}.shifted-variance"], $"{name}.deviation"),
            Node($"{name}/divide", "Div", [$"{name}.centred", $"{name}.deviation"], $"{name}.normalised"),
            Node($"{name}/scale", "Mul", [$"{name}.normalised", AddInitializer(initializers, $"{name}.scale", new Tensor(perChannel, norm.Scale.Data))], $"{name}.scaled"),
            Node($"{name}/shift", "Add", [$"{name}.scaled", AddInitializer(initializers, $"{name}.shift", new Tensor(perChannel, norm.Shift.Data))], norm.Output),
        ];
    }

    private static NodeProto Node(string name, string op, string[] inputs, string output) => new() { Name = name, OpType = op, Input = { inputs }, Output = { output } };

    private static string Scalar(Google.Protobuf.Collections.RepeatedField<TensorProto> initializers, string name, float value) =>
        AddInitializer(initializers, name, new Tensor(new Shape(), [value]));

    private static string AddIntegers(Google.Protobuf.Collections.RepeatedField<TensorProto> initializers, string name, params long[] values)
    {
        var proto = new TensorProto { Name = name, DataType = (int)DataType.Int64, Dims = { values.Length } };
        proto.Int64Data.AddRange(values);
        initializers.Add(proto);
        return name;
    }

    private static void AddWindow(NodeProto node, Window2D window)
    {
        node.Attribute.Add(Ints("strides", window.StrideH, window.StrideW));
        node.Attribute.Add(Ints("dilations", window.DilationH, window.DilationW));
        node.Attribute.Add(Ints("pads", window.Pads.Top, window.Pads.Left, window.Pads.Bottom, window.Pads.Right));
    }

    private static string AddInitializer(Google.Protobuf.Collections.RepeatedField<TensorProto> initializers, string name, Tensor tensor)
    {
        var proto = new TensorProto { Name = name, DataType = (int)DataType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.Data.AsSpan())) };
        foreach (var d in tensor.Shape.Dims)
        {
            proto.Dims.Add(d);
        }

        initializers.Add(proto);
        return name;
    }

    private static ValueInfoProto ValueInfo(GraphValue value)
    {
        var shape = new TensorShapeProto();
        foreach (var d in value.Shape.Dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto
        {
            Name = value.Name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float, Shape = shape } },
        };
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
