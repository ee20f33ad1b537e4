using Sparsify.Core.Onnx.Folding;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Core.Onnx;

// Constant folding at import: a node whose inputs are all constant (initializers, Constant nodes,
// results folded before, or a Shape of a value whose shape is known) is computed and never becomes
// a layer; an If on a constant condition is replaced by its taken branch.
internal sealed partial class OnnxImporter
{
    // How far a pattern may look ahead through foldable nodes for a constant it needs.
    private const int MaxLookAheadDepth = 64;

    private readonly Dictionary<string, ConstantTensor> _constantValues = new(StringComparer.Ordinal);
    private long _foldedBytes;

    /// <summary>Computes <paramref name="node"/> if its operator folds and every input is constant.</summary>
    private bool TryFold(NodeProto node)
    {
        if (!ConstantFolder.Folds(node.OpType) || node.Output.Count != 1)
        {
            return false;
        }

        if (node.OpType == "Identity" && node.Input.Count == 1 && _constants.TryGetValue(Resolve(node.Input[0]), out var shared))
        {
            // Torch reads one initializer under several names this way; the tensor is shared, not copied.
            Store(Output(node), shared, _constantValues.GetValueOrDefault(shared.Name));
            Unread(node);
            return true;
        }

        int[]? shapeOfInput = null;
        if (node.OpType == "Shape" && node.Input.Count == 1)
        {
            var x = Resolve(node.Input[0]);
            if (_shapes.TryGetValue(x, out var known))
            {
                shapeOfInput = known.Dims.ToArray();
            }
            else if (_constants.TryGetValue(x, out var tensor))
            {
                shapeOfInput = tensor.Dims.Select(d => d is >= 0 and <= int.MaxValue ? (int)d : throw new SparsifyModelException($"tensor '{x}' has invalid dimension {d}")).ToArray();
            }
            else
            {
                return false;
            }
        }

        var inputs = new ConstantTensor?[node.Input.Count];
        for (var i = 0; i < inputs.Length && shapeOfInput is null; i++)
        {
            if (node.Input[i].Length > 0)
            {
                inputs[i] = ConstantValue(Resolve(node.Input[i]));
                if (inputs[i] is null)
                {
                    return false;
                }
            }
        }

        var result = ConstantFolder.Fold(node, new NodeAttributes(node), _opset, inputs, shapeOfInput);
        _foldedBytes = SizeMath.Add(_foldedBytes, SizeMath.Multiply(result.Count, sizeof(float)));
        if (_foldedBytes > ModelLimits.MaxModelWeightBytes)
        {
            throw new SparsifyModelException($"constant folding computes more than the limit of {ModelLimits.Bytes(ModelLimits.MaxModelWeightBytes)} per model");
        }

        var output = Output(node);
        Store(output, result.ToProto(output), result);
        Unread(node);
        return true;
    }

    private void Store(string name, TensorProto tensor, ConstantTensor? value)
    {
        _constants[name] = tensor;
        if (value is not null)
        {
            _constantValues[name] = value;
        }
    }

    /// <summary>The value of a constant, read once; null when <paramref name="name"/> is computed.</summary>
    private ConstantTensor? ConstantValue(string name)
    {
        if (_constantValues.TryGetValue(name, out var value))
        {
            return value;
        }

        if (!_constants.TryGetValue(name, out var tensor))
        {
            return null;
        }

        value = _tensors.ReadConstant(tensor);
        _constantValues[name] = value;
        return value;
    }

    /// <summary>
    /// The constant <paramref name="name"/>, folding the nodes that compute it ahead of their turn
    /// when it comes from constants and known shapes only; null when it is computed from data.
    /// </summary>
    private ConstantTensor? LookAheadConstant(string name, int depth = 0)
    {
        name = Resolve(name);
        if (ConstantValue(name) is { } known)
        {
            return known;
        }

        if (depth > MaxLookAheadDepth || !_producer.TryGetValue(name, out var node) || _done.Contains(node)
            || (node.OpType != "Constant" && !ConstantFolder.Folds(node.OpType)))
        {
            return null;
        }

        try
        {
            if (node.OpType == "Constant")
            {
                ConvertConstant(node, new NodeAttributes(node));
            }
            else
            {
                for (var i = 0; i < node.Input.Count; i++)
                {
                    var input = node.Input[i];
                    var shapeOnly = node.OpType == "Shape" && _shapes.ContainsKey(Resolve(input));
                    if (input.Length > 0 && !shapeOnly && LookAheadConstant(input, depth + 1) is null)
                    {
                        return null;
                    }
                }

                if (!TryFold(node))
                {
                    return null;
                }
            }
        }
        catch (SparsifyModelException e)
        {
            throw e.AtNode(NodeName(node), node.OpType);
        }

        _done.Add(node);
        return ConstantValue(name);
    }

    // The taken branch's nodes are imported in place of the If; its outputs become the If's.
    private void InlineIf(NodeProto node, NodeAttributes attributes)
    {
        var condition = node.Input.Count == 1 && node.Input[0].Length > 0
            ? ConstantValue(Resolve(node.Input[0]))
            : throw new SparsifyModelException("expects 1 input, the condition");
        if (condition is null)
        {
            throw new SparsifyModelException($"its condition '{Resolve(node.Input[0])}' is computed from the input data; only an If whose condition is constant (known from the model's weights and shapes) is supported");
        }

        if (condition.Type != TensorProto.Types.DataType.Bool)
        {
            throw new SparsifyModelException($"its condition has element type {ConstantTensor.TypeName(condition.Type)}; it must be BOOL");
        }

        var taken = condition.Scalar("the condition") != 0 ? "then_branch" : "else_branch";
        var branch = attributes.Graph(taken) ?? throw new SparsifyModelException($"attribute '{taken}' is required");
        if (branch.Output.Count != node.Output.Count)
        {
            throw new SparsifyModelException($"its {taken} has {branch.Output.Count} outputs for the If's {node.Output.Count}");
        }

        // ONNX values are written once in all scopes; a branch that rewrote an outer value would rewire the graph.
        var writes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var written in branch.Initializer.Select(i => i.Name).Concat(branch.Node.SelectMany(n => n.Output)).Where(n => n.Length > 0))
        {
            if (!writes.Add(written) || _constants.ContainsKey(written) || _shapes.ContainsKey(written) || _producer.ContainsKey(written) || _aliases.ContainsKey(written))
            {
                throw new SparsifyModelException($"its {taken} writes '{written}', a value the graph already has; values must be written once");
            }
        }

        foreach (var initializer in branch.Initializer)
        {
            _constants[initializer.Name] = initializer;
        }

        // The branch's nodes now read what the If read on their behalf.
        Unread(node);
        foreach (var inner in branch.Node)
        {
            NameInlined(inner);
            Register(inner);
        }

        ImportNodes(branch.Node);

        for (var i = 0; i < node.Output.Count; i++)
        {
            var result = Resolve(branch.Output[i].Name);
            if (_constants.TryGetValue(result, out var constant))
            {
                Store(node.Output[i], constant, _constantValues.GetValueOrDefault(result));
            }
            else if (_shapes.ContainsKey(result))
            {
                _aliases[node.Output[i]] = result;
            }
            else
            {
                throw new SparsifyModelException($"its {taken} output '{result}' is not computed by the branch");
            }
        }

        _notes.Add($"If {NodeName(node)} has a constant condition: its {taken} is imported in its place");
    }

    // A node that no longer reads its inputs (folded or removed) stops counting as their reader.
    private void Unread(NodeProto node)
    {
        foreach (var input in NodeInputs(node))
        {
            if (_readers.TryGetValue(input, out var count))
            {
                _readers[input] = count - 1;
            }
        }
    }
}
