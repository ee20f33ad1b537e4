using Google.Protobuf;
using Sparsify.Core.Onnx.Protos;
using AttributeType = Sparsify.Core.Onnx.Protos.AttributeProto.Types.AttributeType;
using DataType = Sparsify.Core.Onnx.Protos.TensorProto.Types.DataType;

namespace Sparsify.Core.Tests.Support;

/// <summary>Writes small ONNX models by hand, node by node, for operator and bad-input tests.</summary>
internal sealed class OnnxProtoBuilder
{
    private readonly GraphProto _graph = new() { Name = "test" };
    private readonly int _opset;
    private int _seed = 100;

    public OnnxProtoBuilder(int opset = 13) => _opset = opset;

    public GraphProto Graph => _graph;

    public OnnxProtoBuilder Input(string name, params long[] dims) => Input(name, dims.Select(d => d > 0 ? (object)d : "N").ToArray());

    public OnnxProtoBuilder Input(string name, object[] dims)
    {
        _graph.Input.Add(ValueInfo(name, dims));
        return this;
    }

    public OnnxProtoBuilder Output(string name)
    {
        _graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } } });
        return this;
    }

    /// <summary>A float initializer with seeded values in [-1, 1) (or the given values).</summary>
    public string Weights(string name, long[] dims, float[]? values = null, Func<float, float>? map = null)
    {
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        values ??= TestData.SeededValues(count, _seed++);
        if (map is not null)
        {
            values = values.Select(map).ToArray();
        }

        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Float, Dims = { dims } };
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        _graph.Initializer.Add(tensor);
        return name;
    }

    public string Int64s(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Int64, Dims = { values.Length } };
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return name;
    }

    public NodeProto Node(string opType, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_graph.Node.Count}", Input = { inputs }, Output = { output } };
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return node;
    }

    public ModelProto Model() => new()
    {
        IrVersion = 7,
        ProducerName = "tests",
        Graph = _graph,
        OpsetImport = { new OperatorSetIdProto { Domain = "", Version = _opset } },
    };

    public byte[] Bytes() => Model().ToByteArray();

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) => new() { Name = name, Type = AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private static ValueInfoProto ValueInfo(string name, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d is string p ? new TensorShapeProto.Types.Dimension { DimParam = p } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float, Shape = shape } } };
    }
}
