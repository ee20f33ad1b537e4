using Sparsify.Core.Ir;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Core.Onnx;

/// <summary>
/// Turns a validated ModelProto into a <see cref="ModelGraph"/>: nodes in dependency order, each
/// converted by its operator's rule (see OnnxImporter.Operators.cs), BatchNormalization and bias
/// additions folded into the layer before them, Dropout and Identity removed. Every error names
/// the file and the node.
/// </summary>
internal sealed partial class OnnxImporter
{
    private readonly ModelProto _model;
    private readonly string? _path;
    private readonly string? _nameForMessages;
    private readonly OnnxImportOptions _options;
    private readonly OnnxTensorReader _tensors;
    private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Shape> _shapes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _readers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _graphOutputs = new(StringComparer.Ordinal);
    private readonly Dictionary<NodeProto, string> _nodeNames = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _takenNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> _producer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _readersOf = new(StringComparer.Ordinal);
    private readonly HashSet<NodeProto> _done = new(ReferenceEqualityComparer.Instance);
    private readonly List<Layer> _layers = [];
    private readonly Dictionary<string, int> _layerWriting = new(StringComparer.Ordinal);
    private readonly List<string> _notes = [];
    private int _opset;

    public OnnxImporter(ModelProto model, string? path, OnnxImportOptions options, string? nameForMessages = null)
    {
        _model = model;
        _path = path;
        _nameForMessages = nameForMessages ?? path;
        _options = options;
        _tensors = new OnnxTensorReader(path);
    }

    public ModelGraph Import()
    {
        try
        {
            return ImportGraph();
        }
        catch (SparsifyModelException e)
        {
            throw e.InFile(_nameForMessages);
        }
    }

    private ModelGraph ImportGraph()
    {
        _opset = ReadOpset();
        var graph = _model.Graph;
        CheckDeclaredSizes(graph);
        foreach (var initializer in graph.Initializer)
        {
            _constants[initializer.Name] = initializer;
        }

        var inputs = ReadInputs(graph);
        foreach (var output in graph.Output)
        {
            _graphOutputs.Add(output.Name);
        }

        var nodes = OrderNodes(graph, inputs);
        NameNodes(graph);
        foreach (var node in nodes)
        {
            Register(node);
        }

        ImportNodes(nodes);

        if (graph.Output.Count == 0)
        {
            throw new SparsifyModelException("the graph declares no output");
        }

        var outputs = graph.Output.Select(o => Resolve(o.Name)).ToArray();
        var name = string.IsNullOrEmpty(graph.Name) ? Path.GetFileNameWithoutExtension(_path ?? "model") : graph.Name;
        return ModelGraph.Create(name, inputs, _layers, outputs, _notes);
    }

    // In order; a node a pattern or a look-ahead has already taken is skipped.
    private void ImportNodes(IEnumerable<NodeProto> nodes)
    {
        foreach (var node in nodes)
        {
            if (!_done.Add(node))
            {
                continue;
            }

            try
            {
                if (!TryFold(node) && !TryRecognisePattern(node))
                {
                    ConvertNode(node);
                }
            }
            catch (SparsifyModelException e)
            {
                throw e.AtNode(NodeName(node), node.OpType);
            }
        }
    }

    // Who writes and who reads each value, a subgraph's reads of outer values counted as its node's.
    private void Register(NodeProto node)
    {
        foreach (var output in node.Output.Where(o => o.Length > 0))
        {
            _producer[output] = node;
        }

        foreach (var input in NodeInputs(node))
        {
            _readers[input] = _readers.GetValueOrDefault(input) + 1;
            if (!_readersOf.TryGetValue(input, out var readers))
            {
                _readersOf[input] = readers = [];
            }

            readers.Add(node);
        }
    }

    // From the dims alone, before any tensor is read: each tensor against the per-tensor limit
    // (naming the first node that reads it), then their sum against the per-model limit.
    private static void CheckDeclaredSizes(GraphProto graph)
    {
        var firstReader = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input)
            {
                firstReader.TryAdd(input, node);
            }
        }

        var constants = graph.Node.Where(n => n.OpType == "Constant")
            .SelectMany(n => n.Attribute.Where(a => a.T is not null).Select(a => (Tensor: a.T, Reader: (NodeProto?)n)));
        long total = 0;
        foreach (var (tensor, reader) in graph.Initializer.Select(t => (Tensor: t, Reader: firstReader.GetValueOrDefault(t.Name))).Concat(constants))
        {
            try
            {
                total = SizeMath.Add(total, OnnxTensorReader.StoredBytes(tensor));
            }
            catch (SparsifyModelException e) when (reader is not null)
            {
                throw e.AtNode(NameOf(reader), reader.OpType);
            }
        }

        if (total > ModelLimits.MaxModelWeightBytes)
        {
            throw new SparsifyModelException(
                $"the initializers and constants hold {ModelLimits.Bytes(total)} in all, more than the limit of {ModelLimits.Bytes(ModelLimits.MaxModelWeightBytes)} per model");
        }
    }

    private int ReadOpset()
    {
        if (_model.IrVersion > OnnxModel.MaxIrVersion)
        {
            throw new SparsifyModelException($"IR version {_model.IrVersion} is newer than the newest Sparsify reads ({OnnxModel.MaxIrVersion})");
        }

        var imports = _model.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx").ToList();
        if (imports.Count == 0)
        {
            throw new SparsifyModelException("the model imports no default-domain (ai.onnx) opset");
        }

        if (imports.Count > 1)
        {
            throw new SparsifyModelException($"the model imports the default domain (ai.onnx) {imports.Count} times (opsets {string.Join(", ", imports.Select(o => o.Version))}); it must import it once");
        }

        var entry = imports[0];

        if (entry.Version < OnnxModel.MinOpset || entry.Version > OnnxModel.MaxOpset)
        {
            throw new SparsifyModelException($"opset {entry.Version} is not supported; supported opsets are {OnnxModel.MinOpset} to {OnnxModel.MaxOpset}");
        }

        return (int)entry.Version;
    }

    private List<GraphValue> ReadInputs(GraphProto graph)
    {
        var inputs = new List<GraphValue>();
        foreach (var input in graph.Input)
        {
            // Before IR version 4, initializers are listed as inputs too; they are weights, not inputs.
            if (_constants.ContainsKey(input.Name))
            {
                continue;
            }

            var shape = ReadInputShape(input);
            inputs.Add(new GraphValue(input.Name, shape));
            _shapes[input.Name] = shape;
        }

        if (inputs.Count == 0)
        {
            throw new SparsifyModelException("the graph has no input that is not an initializer");
        }

        foreach (var given in _options.InputShapes.Keys)
        {
            if (!inputs.Any(i => i.Name == given))
            {
                throw new SparsifyModelException($"an input shape was given for '{given}', but the model's inputs are {string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}");
            }
        }

        return inputs;
    }

    private Shape ReadInputShape(ValueInfoProto input)
    {
        var tensorType = input.Type?.TensorType;
        if (tensorType is null || tensorType.Shape is null)
        {
            return _options.InputShapes.TryGetValue(input.Name, out var onlyGiven)
                ? InputShape(input.Name, onlyGiven)
                : throw new SparsifyModelException($"input '{input.Name}' declares no tensor shape; give one");
        }

        if (tensorType.ElemType != (int)TensorProto.Types.DataType.Float)
        {
            throw new SparsifyModelException($"input '{input.Name}' has element type {tensorType.ElemType}; only float32 inputs are supported");
        }

        var declared = tensorType.Shape.Dim;
        _options.InputShapes.TryGetValue(input.Name, out var given);
        if (given is not null && given.Length != declared.Count)
        {
            throw new SparsifyModelException($"input '{input.Name}' has rank {declared.Count}, but the given shape {Shape.Format(given)} has rank {given.Length}");
        }

        var dims = new int[declared.Count];
        for (var i = 0; i < dims.Length; i++)
        {
            var dim = declared[i];
            var isFixed = dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dim.DimValue > 0;
            if (isFixed && dim.DimValue > int.MaxValue)
            {
                throw new SparsifyModelException($"input '{input.Name}' dimension {i} is {dim.DimValue}, too large");
            }

            if (dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dim.DimValue <= 0)
            {
                throw new SparsifyModelException($"input '{input.Name}' dimension {i} is {dim.DimValue}; dimensions must be positive");
            }

            if (given is not null)
            {
                if (isFixed && dim.DimValue != given[i])
                {
                    throw new SparsifyModelException($"input '{input.Name}' dimension {i} is fixed at {dim.DimValue}, but the given shape says {given[i]}");
                }

                dims[i] = given[i];
            }
            else if (isFixed)
            {
                dims[i] = (int)dim.DimValue;
            }
            else if (i == 0)
            {
                dims[i] = 1;
                _notes.Add($"input '{input.Name}': symbolic batch dimension compiled for batch 1");
            }
            else
            {
                throw new SparsifyModelException($"input '{input.Name}' dimension {i} is symbolic ('{dim.DimParam}'); give an input shape");
            }
        }

        return InputShape(input.Name, dims);
    }

    private static Shape InputShape(string name, int[] dims)
    {
        try
        {
            return new Shape(dims);
        }
        catch (SparsifyModelException e)
        {
            throw new SparsifyModelException($"input '{name}': {e.Problem}");
        }
    }

    private string Resolve(string value) => _aliases.TryGetValue(value, out var target) ? target : value;
}
