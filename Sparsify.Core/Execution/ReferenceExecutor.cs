using Sparsify.Runtime.Kernels;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Core.Execution;

/// <summary>
/// Runs a <see cref="ModelGraph"/> on the CPU, dense, layer by layer: the oracle every other
/// execution path of Sparsify is checked against. Any batch size; an instance may be shared
/// between threads (each call keeps its own buffers).
/// </summary>
public sealed partial class ReferenceExecutor
{
    private readonly ModelGraph _graph;
    private readonly int _threads;
    private readonly Dictionary<string, int> _lastReader;

    /// <summary>Prepares <paramref name="graph"/> for execution.</summary>
    public ReferenceExecutor(ModelGraph graph, ExecutorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        _graph = graph;
        _threads = Math.Max(1, (options ?? new ExecutorOptions()).MaxDegreeOfParallelism);
        _lastReader = LastReaders(graph);
    }

    /// <summary>The graph this executor runs.</summary>
    public ModelGraph Graph => _graph;

    /// <summary>
    /// Runs the graph on <paramref name="inputs"/> (in <see cref="ModelGraph.Inputs"/> order; the
    /// batch is their first dimension) and returns the outputs in <see cref="ModelGraph.Outputs"/> order.
    /// </summary>
    public IReadOnlyList<Tensor> Run(params IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != _graph.Inputs.Count)
        {
            throw new ArgumentException($"the model has {_graph.Inputs.Count} input(s), got {inputs.Count}", nameof(inputs));
        }

        var graph = _graph.WithBatch(inputs[0].Shape[0]);
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            var expected = graph.Inputs[i].Shape;
            if (!inputs[i].Shape.Equals(expected))
            {
                throw new ArgumentException($"input '{graph.Inputs[i].Name}' must have shape {expected}, got {inputs[i].Shape}", nameof(inputs));
            }

            values[graph.Inputs[i].Name] = inputs[i];
        }

        var keep = new HashSet<string>(graph.Outputs.Select(o => o.Name), StringComparer.Ordinal);
        for (var l = 0; l < graph.Layers.Count; l++)
        {
            var layer = graph.Layers[l];
            var operands = layer.Inputs.Select(n => values[n]).ToArray();
            values[layer.Output] = Execute(layer, operands, graph.ShapeOf(layer.Output));

            // Free what no later layer reads, so big models run in little memory.
            foreach (var input in layer.Inputs)
            {
                if (_lastReader[input] == l && !keep.Contains(input))
                {
                    values.Remove(input);
                }
            }
        }

        return graph.Outputs.Select(o => values[o.Name]).ToArray();
    }

    /// <summary>Runs a single-input, single-output model at batch 1 on raw values.</summary>
    public float[] Run(float[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_graph.Inputs.Count != 1 || _graph.Outputs.Count != 1)
        {
            throw new InvalidOperationException($"this overload needs one input and one output; the model has {_graph.Inputs.Count} and {_graph.Outputs.Count}");
        }

        var shape = _graph.Inputs[0].Shape.WithBatch(1);
        if (input.Length != shape.ElementCount)
        {
            throw new ArgumentException($"input '{_graph.Inputs[0].Name}' needs {shape.ElementCount} values ({shape}), got {input.Length}", nameof(input));
        }

        return Run([new Tensor(shape, input)])[0].Data;
    }

    /// <summary>Runs one layer of the graph on batch operands (the data-aware pruner steps through the graph itself).</summary>
    internal Tensor RunLayer(Layer layer, Tensor[] operands, Shape outputShape) => Execute(layer, operands, outputShape);

    /// <summary>The index of the last layer reading each value (values are freed after it).</summary>
    internal static Dictionary<string, int> LastReaders(ModelGraph graph)
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var l = 0; l < graph.Layers.Count; l++)
        {
            foreach (var input in graph.Layers[l].Inputs)
            {
                last[input] = l;
            }
        }

        return last;
    }
}
