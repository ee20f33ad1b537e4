using Google.Protobuf;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Fuzz.Tests;

/// <summary>
/// Mutations that keep the protobuf well-formed and change what the importer interprets: dimensions,
/// attributes, op types, references between nodes, tensor types and data, external data, opsets, names.
/// Byte mutations rarely get past the protobuf parser; these reach shape inference and the layers.
/// </summary>
internal static class OnnxMutator
{
    private static readonly string[] OpTypes =
    [
        "Conv", "Gemm", "MatMul", "Add", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "LRN", "BatchNormalization", "Concat",
        "Flatten", "Reshape", "Softmax", "Constant", "Dropout", "Identity", "Transpose", "Frobnicate", string.Empty,
        "Shape", "Gather", "Unsqueeze", "Squeeze", "Slice", "Cast", "Equal", "Where", "ConstantOfShape", "Range", "Expand",
        "If", "Mul", "Sub", "Div", "Pow", "Sqrt", "Neg", "Pad", "Split", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "ReduceMean",
        "ReduceSum", "LayerNormalization", "Erf", "Tanh", "LeakyRelu", "GlobalMaxPool", "Exp",
    ];

    private static readonly string[] ExternalLocations = ["missing.bin", "../outside.bin", "/dev/zero", "/etc/hostname", ".", "a\0b", string.Empty];

    public static byte[] Mutate(byte[] seed, Script script)
    {
        var model = ModelProto.Parser.ParseFrom(seed);
        var graph = model.Graph;
        while (script.HasMore)
        {
            switch (script.Below(14))
            {
                case 0:
                    MutateDim(graph, script);
                    break;
                case 1 when graph.Node.Count > 0:
                    MutateAttribute(script.Pick(graph.Node), script);
                    break;
                case 2 when graph.Node.Count > 0:
                    script.Pick(graph.Node).OpType = script.Pick(OpTypes);
                    break;
                case 3 when graph.Node.Count > 0:
                    Rewire(graph, script.Pick(graph.Node), script);
                    break;
                case 4 when graph.Node.Count > 0:
                    graph.Node.RemoveAt(script.Below(graph.Node.Count));
                    break;
                case 5 when graph.Node.Count > 0:
                    graph.Node.Insert(script.Below(graph.Node.Count + 1), script.Pick(graph.Node).Clone());
                    break;
                case 6 when graph.Initializer.Count > 0:
                    MutateTensor(script.Pick(graph.Initializer), script);
                    break;
                case 7 when graph.Initializer.Count > 0:
                    MakeExternal(script.Pick(graph.Initializer), script);
                    break;
                case 8:
                    MutateModel(model, script);
                    break;
                case 9 when graph.Node.Count > 0:
                    script.Pick(graph.Node).Name = script.Pick(Interesting.Names);
                    break;
                case 10 when graph.Input.Count > 0:
                    graph.Input.RemoveAt(script.Below(graph.Input.Count));
                    break;
                case 11:
                    graph.Output.Add(new ValueInfoProto { Name = script.Pick(Interesting.Names) });
                    break;
                case 12 when graph.Initializer.Count > 0:
                    graph.Initializer.RemoveAt(script.Below(graph.Initializer.Count));
                    break;
                default:
                    graph.Name = script.Pick(Interesting.Names);
                    break;
            }
        }

        return model.ToByteArray();
    }

    private static void MutateDim(GraphProto graph, Script script)
    {
        var values = graph.Input.Concat(graph.Output).Concat(graph.ValueInfo).Where(v => v.Type?.TensorType?.Shape is not null).ToList();
        if (values.Count == 0 || script.Below(2) == 0 && graph.Initializer.Count > 0)
        {
            if (graph.Initializer.Count == 0)
            {
                return;
            }

            var tensor = script.Pick(graph.Initializer);
            if (tensor.Dims.Count == 0 || script.Below(8) == 0)
            {
                tensor.Dims.Add(script.Pick(Interesting.Integers));
            }
            else
            {
                tensor.Dims[script.Below(tensor.Dims.Count)] = script.Pick(Interesting.Integers);
            }

            return;
        }

        var shape = script.Pick(values).Type.TensorType.Shape;
        if (shape.Dim.Count == 0 || script.Below(8) == 0)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = script.Pick(Interesting.Integers) });
            return;
        }

        var dim = shape.Dim[script.Below(shape.Dim.Count)];
        switch (script.Below(3))
        {
            case 0:
                dim.DimParam = script.Pick(Interesting.Names);
                break;
            case 1:
                shape.Dim.Remove(dim);
                break;
            default:
                dim.DimValue = script.Pick(Interesting.Integers);
                break;
        }
    }

    private static void MutateAttribute(NodeProto node, Script script)
    {
        if (node.Attribute.Count == 0 || script.Below(6) == 0)
        {
            node.Attribute.Add(new AttributeProto
            {
                Name = script.Pick(["kernel_shape", "strides", "pads", "dilations", "group", "axis", "auto_pad", "ceil_mode", "size", "alpha", "epsilon", "perm", "transB"]),
                Type = AttributeProto.Types.AttributeType.Ints,
                Ints = { script.Pick(Interesting.Integers), script.Pick(Interesting.Integers) },
            });
            return;
        }

        var attribute = script.Pick(node.Attribute);
        switch (script.Below(6))
        {
            case 0:
                attribute.I = script.Pick(Interesting.Integers);
                break;
            case 1 when attribute.Ints.Count > 0:
                attribute.Ints[script.Below(attribute.Ints.Count)] = script.Pick(Interesting.Integers);
                break;
            case 2:
                attribute.Ints.Add(script.Pick(Interesting.Integers));
                break;
            case 3:
                attribute.F = script.Pick(Interesting.Floats);
                break;
            case 4:
                attribute.Type = (AttributeProto.Types.AttributeType)script.Below(16);
                break;
            default:
                attribute.S = ByteString.CopyFromUtf8(script.Pick(["SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET", "bogus", string.Empty]));
                break;
        }
    }

    private static void Rewire(GraphProto graph, NodeProto node, Script script)
    {
        var names = graph.Node.SelectMany(n => n.Output).Concat(graph.Input.Select(i => i.Name)).Concat(graph.Initializer.Select(i => i.Name)).ToList();
        names.AddRange(Interesting.Names);
        var list = script.Below(3) == 0 ? node.Output : node.Input;
        if (list.Count == 0 || script.Below(6) == 0)
        {
            list.Add(script.Pick(names));
        }
        else if (script.Below(6) == 0)
        {
            list.RemoveAt(script.Below(list.Count));
        }
        else
        {
            list[script.Below(list.Count)] = script.Pick(names);
        }
    }

    private static void MutateTensor(TensorProto tensor, Script script)
    {
        switch (script.Below(5))
        {
            case 0:
                tensor.DataType = script.Below(20);
                break;
            case 1 when tensor.RawData.Length > 0:
                tensor.RawData = ByteString.CopyFrom(tensor.RawData.Span[..script.Below(tensor.RawData.Length)]);
                break;
            case 2:
                tensor.RawData = ByteString.CopyFrom(tensor.RawData.Concat(Enumerable.Repeat((byte)0x7F, 1 + script.Below(8))).ToArray());
                break;
            case 3:
                tensor.FloatData.Add(script.Pick(Interesting.Floats));
                break;
            default:
                tensor.Int64Data.Add(script.Pick(Interesting.Integers));
                break;
        }
    }

    private static void MakeExternal(TensorProto tensor, Script script)
    {
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Add(new StringStringEntryProto { Key = script.Pick(["location", "offset", "length", "checksum", "bogus"]), Value = script.Below(2) == 0 ? script.Pick(ExternalLocations) : script.Pick(Interesting.Integers).ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    private static void MutateModel(ModelProto model, Script script)
    {
        switch (script.Below(4))
        {
            case 0:
                model.IrVersion = script.Pick(Interesting.Integers);
                break;
            case 1:
                model.OpsetImport.Add(new OperatorSetIdProto { Domain = script.Pick(["", "ai.onnx", "com.microsoft", "ai.onnx.ml"]), Version = script.Pick(Interesting.Integers) });
                break;
            case 2 when model.OpsetImport.Count > 0:
                script.Pick(model.OpsetImport).Version = script.Pick(Interesting.Integers);
                break;
            default:
                model.OpsetImport.Clear();
                break;
        }
    }
}
