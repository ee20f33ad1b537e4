namespace Sparsify.Core.Ir;

public sealed partial class ModelGraph
{
    // Kahn's algorithm, stable: among ready layers the earliest given goes first, so a graph that
    // is already ordered keeps its order.
    private static Layer[] Order(IReadOnlyList<GraphValue> inputs, IReadOnlyList<Layer> layers)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        var available = new HashSet<string>(inputs.Select(i => i.Name), StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];

            // Plans, pruning settings, the manifest and reports find layers by name.
            if (!names.Add(layer.Name))
            {
                throw new SparsifyModelException($"two layers are named '{layer.Name}'; layer names must be unique", nodeName: layer.Name, opType: layer.OpType);
            }

            if (available.Contains(layer.Output) || !producer.TryAdd(layer.Output, i))
            {
                throw new SparsifyModelException($"value '{layer.Output}' is written more than once", nodeName: layer.Name, opType: layer.OpType);
            }
        }

        var pending = new int[layers.Count];
        var readers = new List<int>[layers.Count];
        for (var i = 0; i < layers.Count; i++)
        {
            foreach (var input in layers[i].Inputs)
            {
                if (producer.TryGetValue(input, out var p))
                {
                    pending[i]++;
                    (readers[p] ??= []).Add(i);
                }
                else if (!available.Contains(input))
                {
                    throw new SparsifyModelException(
                        $"input '{input}' is not a graph input, an initializer, nor written by any node",
                        nodeName: layers[i].Name, opType: layers[i].OpType);
                }
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < layers.Count; i++)
        {
            if (pending[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var ordered = new List<Layer>(layers.Count);
        while (ready.TryDequeue(out var i, out _))
        {
            ordered.Add(layers[i]);
            foreach (var r in readers[i] ?? [])
            {
                if (--pending[r] == 0)
                {
                    ready.Enqueue(r, r);
                }
            }
        }

        if (ordered.Count != layers.Count)
        {
            var stuck = Enumerable.Range(0, layers.Count).First(i => pending[i] > 0);
            throw new SparsifyModelException("the graph has a cycle: this node depends on its own output", nodeName: layers[stuck].Name, opType: layers[stuck].OpType);
        }

        return ordered.ToArray();
    }

    private static Dictionary<string, Shape> InferShapes(IReadOnlyList<GraphValue> inputs, IReadOnlyList<Layer> ordered)
    {
        var shapes = inputs.ToDictionary(i => i.Name, i => i.Shape, StringComparer.Ordinal);
        foreach (var layer in ordered)
        {
            try
            {
                shapes[layer.Output] = layer.InferOutputShape(layer.Inputs.Select(n => shapes[n]).ToArray());
            }
            catch (SparsifyModelException e)
            {
                throw e.AtNode(layer.Name, layer.OpType);
            }
        }

        return shapes;
    }
}
