using Sparsify.Core.Ir;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Core.Onnx;

// The graph walk: node order, node names, and what each node reads (its subgraphs' outer reads included).
internal sealed partial class OnnxImporter
{
    // Orders nodes so each comes after the nodes whose outputs it reads, and rejects inputs that
    // nothing provides and cycles, before any node is converted.
    private List<NodeProto> OrderNodes(GraphProto graph, List<GraphValue> inputs)
    {
        var nodes = graph.Node;
        var writer = new Dictionary<string, int>(StringComparer.Ordinal);
        var named = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            // As ONNX Runtime: a node name, where given, is unique (layers, plans and reports go by it).
            if (nodes[i].Name.Length > 0 && !named.Add(nodes[i].Name))
            {
                throw new SparsifyModelException($"two nodes are named '{nodes[i].Name}'; node names must be unique").AtNode(nodes[i].Name, nodes[i].OpType);
            }

            foreach (var output in nodes[i].Output.Where(o => o.Length > 0))
            {
                if (!writer.TryAdd(output, i) || _constants.ContainsKey(output))
                {
                    throw new SparsifyModelException($"value '{output}' is written more than once").AtNode(NodeName(nodes[i]), nodes[i].OpType);
                }
            }
        }

        var available = new HashSet<string>(inputs.Select(i => i.Name).Concat(_constants.Keys), StringComparer.Ordinal);
        var pending = new int[nodes.Count];
        var dependents = new List<int>[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var input in NodeInputs(nodes[i]).Distinct(StringComparer.Ordinal))
            {
                if (writer.TryGetValue(input, out var w))
                {
                    pending[i]++;
                    (dependents[w] ??= []).Add(i);
                }
                else if (!available.Contains(input))
                {
                    throw new SparsifyModelException($"input '{input}' is missing: it is not a graph input, an initializer, nor written by any node")
                        .AtNode(NodeName(nodes[i]), nodes[i].OpType);
                }
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < nodes.Count; i++)
        {
            if (pending[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var ordered = new List<NodeProto>(nodes.Count);
        while (ready.TryDequeue(out var i, out _))
        {
            ordered.Add(nodes[i]);
            foreach (var d in dependents[i] ?? [])
            {
                if (--pending[d] == 0)
                {
                    ready.Enqueue(d, d);
                }
            }
        }

        if (ordered.Count != nodes.Count)
        {
            var stuck = nodes[Enumerable.Range(0, nodes.Count).First(i => pending[i] > 0)];
            throw new SparsifyModelException("the graph has a cycle: this node depends, through other nodes, on its own output")
                .AtNode(NodeName(stuck), stuck.OpType);
        }

        foreach (var output in graph.Output)
        {
            if (!writer.ContainsKey(output.Name) && !available.Contains(output.Name))
            {
                throw new SparsifyModelException($"graph output '{output.Name}' is not written by any node");
            }
        }

        return ordered;
    }

    private string NodeName(NodeProto node) => _nodeNames.TryGetValue(node, out var name) ? name : NameOf(node);

    private static string NameOf(NodeProto node) =>
        !string.IsNullOrEmpty(node.Name) ? node.Name : node.Output.Count > 0 && node.Output[0].Length > 0 ? node.Output[0] : "(unnamed)";

    // A node's layer is named after the node, or, for an unnamed node (ONNX allows them), after its first
    // output, made unique against every other node's name with a numeric suffix.
    private void NameNodes(GraphProto graph)
    {
        _takenNames.UnionWith(graph.Node.Where(n => n.Name.Length > 0).Select(n => n.Name));
        foreach (var node in graph.Node)
        {
            _nodeNames[node] = node.Name.Length > 0 ? node.Name : UniqueName(NameOf(node));
        }
    }

    // A node of an inlined branch is named like any other, unique against every name given so far.
    private void NameInlined(NodeProto node) => _nodeNames[node] = UniqueName(NameOf(node));

    private string UniqueName(string name)
    {
        var unique = name;
        for (var n = 2; !_takenNames.Add(unique); n++)
        {
            unique = $"{name}_{n}";
        }

        return unique;
    }

    /// <summary>The values a node reads: its inputs, and the outer values its subgraphs (If branches) read.</summary>
    private static IEnumerable<string> NodeInputs(NodeProto node) =>
        node.Input.Where(i => i.Length > 0).Concat(node.Attribute.Where(a => a.G is not null).SelectMany(a => OuterReferences(a.G)));

    private static IEnumerable<string> OuterReferences(GraphProto graph)
    {
        var inside = new HashSet<string>(graph.Initializer.Select(t => t.Name).Concat(graph.Input.Select(i => i.Name)), StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in NodeInputs(node).Where(i => !inside.Contains(i)))
            {
                yield return input;
            }

            inside.UnionWith(node.Output.Where(o => o.Length > 0));
        }
    }
}
