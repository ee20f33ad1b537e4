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

    public OnnxProtoBuilder Output(string name, DataType type = DataType.Float)
    {
        _graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } } });
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

    /// <summary>A rank-0 float initializer.</summary>
    public string Scalar(string name, float value)
    {
        _graph.Initializer.Add(new TensorProto { Name = name, DataType = (int)DataType.Float, FloatData = { value } });
        return name;
    }

    /// <summary>A rank-0 int64 initializer.</summary>
    public string Int64Scalar(string name, long value)
    {
        _graph.Initializer.Add(new TensorProto { Name = name, DataType = (int)DataType.Int64, Int64Data = { value } });
        return name;
    }

    public NodeProto Node(string opType, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_graph.Node.Count}", Input = { inputs }, Output = { output } };
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return node;
    }

    /// <summary>A node with several outputs (Split).</summary>
    public NodeProto Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = Node(opType, inputs, outputs[0], attributes);
        node.Output.AddRange(outputs.Skip(1));
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

    /// <summary>A subgraph attribute (an If branch) whose nodes <paramref name="body"/> adds, computing <paramref name="output"/>.</summary>
    public static AttributeProto Branch(string name, string output, Action<OnnxProtoBuilder> body, DataType type = DataType.Float)
    {
        var branch = new OnnxProtoBuilder();
        branch._graph.Name = name;
        body(branch);
        foreach (var node in branch._graph.Node)
        {
            node.Name = $"{name}/{node.Name}";
        }

        branch.Output(output, type);
        return new AttributeProto { Name = name, Type = AttributeType.Graph, G = branch._graph };
    }

    public static AttributeProto Tensor(string name, TensorProto value) => new() { Name = name, Type = AttributeType.Tensor, T = value };

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
