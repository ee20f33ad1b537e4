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
            proto.Node.Add(ExportLayer(layer, proto.Initializer));
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
        var node = new NodeProto { Name = layer.Name, OpType = layer.OpType, Output = { layer.Output } };
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
                var shape = new TensorProto { Name = $"{layer.Name}.shape", DataType = (int)DataType.Int64, Dims = { reshape.TargetShape!.Count } };
                shape.Int64Data.AddRange(reshape.TargetShape);
                initializers.Add(shape);
                node.Input.Add(shape.Name);
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
            case ReluLayer or SigmoidLayer or GlobalAveragePoolLayer or AddLayer or MulLayer:
                break;
            default:
                throw new SparsifyModelException($"the ONNX writer has no rule for {layer.OpType}", nodeName: layer.Name, opType: layer.OpType);
        }

        return node;
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
