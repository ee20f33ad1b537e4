using Sparsify.Core.Ir;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Core.Onnx;

// Patterns: a chain of nodes an exporter emits for one operation is recognised at its first node
// and imported as that operation's one layer. A chain whose values anything else still reads is
// left alone and imported node by node.
internal sealed partial class OnnxImporter
{
    private bool TryRecognisePattern(NodeProto node) => node.OpType switch
    {
        "Mul" => TryRecogniseTorchLrn(node),
        "Pad" => TryAbsorbZeroPad(node),
        "Reshape" => TryRecogniseChannelShuffle(node),
        "Transpose" => TryRecogniseChannelsLast(node),
        "ReduceMean" => TryRecogniseChannelLayerNorm(node),
        "Div" => TryRecogniseGelu(node),
        _ => false,
    };

    /// <summary>The one reader of <paramref name="node"/>'s output that is of one of <paramref name="opTypes"/>, not yet imported.</summary>
    private NodeProto? Next(NodeProto node, params string[] opTypes) => node.Output.Count == 1 ? NextOf(node.Output[0], opTypes) : null;

    /// <summary>The one reader of <paramref name="value"/> that is of one of <paramref name="opTypes"/>, not yet imported.</summary>
    private NodeProto? NextOf(string value, params string[] opTypes)
    {
        if (!_readersOf.TryGetValue(value, out var readers))
        {
            return null;
        }

        var candidates = readers.Where(r => opTypes.Contains(r.OpType) && !_done.Contains(r)).Distinct<NodeProto>(ReferenceEqualityComparer.Instance).ToList();
        return candidates.Count == 1 ? candidates[0] : null;
    }

    /// <summary>
    /// Takes <paramref name="chain"/> out of the import, with the nodes that only fed it (torch's
    /// shape checks), if nothing outside reads any of its values but <paramref name="result"/>;
    /// false, changing nothing, otherwise.
    /// </summary>
    private bool TryConsume(IReadOnlyList<NodeProto> chain, string result)
    {
        var removed = new HashSet<NodeProto>(chain, ReferenceEqualityComparer.Instance);
        var pending = new Stack<NodeProto>(chain);
        while (pending.TryPop(out var node))
        {
            foreach (var input in NodeInputs(node))
            {
                if (_producer.TryGetValue(input, out var feeder) && !_done.Contains(feeder) && !removed.Contains(feeder) && OnlyFeeds(feeder, removed))
                {
                    removed.Add(feeder);
                    pending.Push(feeder);
                }
            }
        }

        foreach (var node in chain)
        {
            foreach (var output in node.Output.Where(o => o.Length > 0 && o != result))
            {
                if (_graphOutputs.Contains(output) || _readersOf.GetValueOrDefault(output)?.Any(r => !removed.Contains(r)) == true)
                {
                    return false;
                }
            }
        }

        foreach (var node in removed)
        {
            _done.Add(node);
            Unread(node);
        }

        return true;
    }

    private bool OnlyFeeds(NodeProto node, HashSet<NodeProto> removed) =>
        node.Output.All(o => o.Length == 0 || (!_graphOutputs.Contains(o) && (_readersOf.GetValueOrDefault(o)?.All(removed.Contains) ?? true)));

    /// <summary>A layer a pattern made, reading what the consumed chain read.</summary>
    private void AppendRecognised(Layer layer, string pattern, int nodeCount)
    {
        foreach (var input in layer.Inputs)
        {
            _readers[input] = _readers.GetValueOrDefault(input) + 1;
        }

        Append(layer);
        _notes.Add($"{pattern} ({nodeCount} nodes) imported as {layer.OpType} {layer.Name}");
    }

    /// <summary>The constant operand of a binary node whose other operand is <paramref name="value"/>, when it holds one value.</summary>
    private double? ScalarOperand(NodeProto node, string value)
    {
        if (node.Input.Count != 2)
        {
            return null;
        }

        var other = Resolve(node.Input[0]) == value ? node.Input[1] : Resolve(node.Input[1]) == value ? node.Input[0] : null;
        return other is not null && LookAheadConstant(other) is { Count: 1, IsReal: true } constant ? constant.RealAt(0) : null;
    }

    /// <summary>The integer values of <paramref name="node"/>'s constant input <paramref name="index"/>, or its INTS attribute before opset <paramref name="inputSince"/>.</summary>
    private long[]? IntegersOf(NodeProto node, int index, string attribute, int inputSince)
    {
        if (_opset < inputSince)
        {
            return new NodeAttributes(node).Ints(attribute);
        }

        return index < node.Input.Count && node.Input[index].Length > 0 && LookAheadConstant(node.Input[index]) is { IsReal: false } constant
            ? constant.Integers
            : null;
    }
}
