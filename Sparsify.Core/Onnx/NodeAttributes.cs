using System.Globalization;
using Sparsify.Core.Onnx.Protos;
using AttributeType = Sparsify.Core.Onnx.Protos.AttributeProto.Types.AttributeType;

namespace Sparsify.Core.Onnx;

/// <summary>Typed access to a node's attributes, with a clear error for a wrong type or value.</summary>
internal sealed class NodeAttributes
{
    private readonly Dictionary<string, AttributeProto> _byName = new(StringComparer.Ordinal);

    public NodeAttributes(NodeProto node)
    {
        foreach (var attribute in node.Attribute)
        {
            _byName[attribute.Name] = attribute;
        }
    }

    public bool Has(string name) => _byName.ContainsKey(name);

    public long Int(string name, long fallback) =>
        Find(name, AttributeType.Int) is { } a ? a.I : fallback;

    public float Float(string name, float fallback) =>
        Find(name, AttributeType.Float) is { } a ? a.F : fallback;

    public string String(string name, string fallback) =>
        Find(name, AttributeType.String) is { } a ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) =>
        Find(name, AttributeType.Ints) is { } a ? a.Ints.ToArray() : null;

    public float[]? Floats(string name) =>
        Find(name, AttributeType.Floats) is { } a ? a.Floats.ToArray() : null;

    public TensorProto? Tensor(string name) =>
        Find(name, AttributeType.Tensor) is { } a ? a.T : null;

    public GraphProto? Graph(string name) =>
        Find(name, AttributeType.Graph) is { } a ? a.G : null;

    /// <summary>An INTS attribute of exactly <paramref name="count"/> values that fit an int.</summary>
    public int[]? IntsOfLength(string name, int count)
    {
        var values = Ints(name);
        if (values is null)
        {
            return null;
        }

        if (values.Length != count)
        {
            throw new SparsifyModelException($"attribute '{name}' has {values.Length} values [{Join(values)}], expected {count}");
        }

        return values.Select(v => v is >= int.MinValue and <= int.MaxValue
            ? (int)v
            : throw new SparsifyModelException($"attribute '{name}' value {v} is out of range")).ToArray();
    }

    public int IntValue(string name, long fallback)
    {
        var value = Int(name, fallback);
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new SparsifyModelException($"attribute '{name}' value {value} is out of range");
    }

    private AttributeProto? Find(string name, AttributeType expected)
    {
        if (!_byName.TryGetValue(name, out var attribute))
        {
            return null;
        }

        // Old exporters leave the type unset; trust the field then.
        if (attribute.HasType && attribute.Type != expected)
        {
            throw new SparsifyModelException($"attribute '{name}' has type {attribute.Type.ToString().ToUpperInvariant()}, expected {expected.ToString().ToUpperInvariant()}");
        }

        return attribute;
    }

    private static string Join(long[] values) => string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
