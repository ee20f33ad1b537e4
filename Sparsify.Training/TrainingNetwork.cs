using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Training.Layers;

namespace Sparsify.Training;

/// <summary>
/// A <see cref="ModelGraph"/> prepared for training: one <see cref="TrainingNode"/> per layer, values
/// numbered as slots, per-sample shapes. A final Softmax is left out, so the loss sees its input (the
/// logits) and the trained graph still ends in that Softmax.
/// </summary>
internal sealed class TrainingNetwork
{
    /// <summary>The slot of the graph input.</summary>
    public const int InputSlot = 0;

    private static readonly string[] Supported = ["Conv", "Gemm", "MaxPool", "AveragePool", "LRN", "Relu", "Flatten", "Reshape", "Add", "GlobalAveragePool", "Softmax (last layer only)"];

    public TrainingNetwork(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (graph.Inputs.Count != 1 || graph.Outputs.Count != 1)
        {
            throw new ArgumentException($"training needs a graph with one input and one output; '{graph.Name}' has {graph.Inputs.Count} and {graph.Outputs.Count}", nameof(graph));
        }

        var single = graph.WithBatch(1);
        var slots = new Dictionary<string, int>(StringComparer.Ordinal) { [single.Inputs[0].Name] = InputSlot };
        var lengths = new List<int> { PerSample(single.Inputs[0].Shape).ElementCount };
        var logitsName = LogitsValue(single);
        var nodes = new List<TrainingNode>();
        foreach (var layer in single.Layers)
        {
            if (layer is SoftmaxLayer && layer.Output == single.Outputs[0].Name && layer.Inputs[0] == logitsName)
            {
                continue;
            }

            var output = slots.Count;
            slots[layer.Output] = output;
            var outputShape = PerSample(single.ShapeOf(layer.Output));
            lengths.Add(outputShape.ElementCount);
            var inputs = layer.Inputs.Select(n => slots[n]).ToArray();
            var inputShape = PerSample(single.ShapeOf(layer.Inputs[0]));
            TrainingNode node = layer switch
            {
                ConvLayer conv => new ConvNode(conv, inputs[0], output, inputShape, outputShape),
                FullyConnectedLayer fc => new FullyConnectedNode(fc, inputs[0], output, inputShape, outputShape),
                PoolLayer pool => new PoolNode(pool, inputs[0], output, inputShape, outputShape),
                LrnLayer lrn => new LrnNode(lrn, inputs[0], output, inputShape, outputShape),
                ReluLayer relu => new ReluNode(relu, inputs[0], output, inputShape),
                ReshapeLayer reshape => new ReshapeNode(reshape, inputs[0], output, inputShape, outputShape),
                AddLayer add => new AddNode(add, inputs[0], inputs[1], output, inputShape),
                GlobalAveragePoolLayer gap => new GlobalAveragePoolNode(gap, inputs[0], output, inputShape, outputShape),
                _ => throw new NotSupportedException(
                    $"training has no backward pass for {layer.OpType} '{layer.Name}'; supported: {string.Join(", ", Supported)}"),
            };
            node.Index = nodes.Count;
            nodes.Add(node);
        }

        Nodes = nodes;
        SlotLengths = lengths;
        LogitsSlot = slots[logitsName];
        InputShape = PerSample(single.Inputs[0].Shape);
        ClassCount = single.ShapeOf(logitsName)[1];
        Parameters = nodes.SelectMany(n => n.Parameters).ToArray();
        for (var i = 0; i < Parameters.Count; i++)
        {
            Parameters[i].Index = i;
        }
    }

    /// <summary>The layers in execution order.</summary>
    public IReadOnlyList<TrainingNode> Nodes { get; }

    /// <summary>Values per sample of each slot.</summary>
    public IReadOnlyList<int> SlotLengths { get; }

    /// <summary>The slot of the logits the loss reads.</summary>
    public int LogitsSlot { get; }

    /// <summary>The input of one sample, e.g. [1, 28, 28].</summary>
    public Shape InputShape { get; }

    /// <summary>Width of the logits.</summary>
    public int ClassCount { get; }

    /// <summary>All weights and biases, in layer order.</summary>
    public IReadOnlyList<TrainableParameter> Parameters { get; }

    /// <summary>Runs every layer on the first <paramref name="batch"/> samples of the input slot.</summary>
    public void Forward(ShardState shard, int batch)
    {
        foreach (var node in Nodes)
        {
            node.Forward(shard, batch);
        }
    }

    /// <summary>
    /// Backpropagates from the logits gradient (already in its slot) to every parameter gradient.
    /// Other slots' gradients are cleared first, since the layers add into them.
    /// </summary>
    public void Backward(ShardState shard, int batch)
    {
        for (var slot = 0; slot < SlotLengths.Count; slot++)
        {
            if (slot != LogitsSlot && shard.Gradients[slot] is { } gradient)
            {
                gradient.AsSpan(0, batch * SlotLengths[slot]).Clear();
            }
        }

        for (var i = Nodes.Count - 1; i >= 0; i--)
        {
            Nodes[i].Backward(shard, batch);
        }
    }

    private static string LogitsValue(ModelGraph single)
    {
        var output = single.Outputs[0];
        var producer = single.Layers.FirstOrDefault(l => l.Output == output.Name);
        var logits = producer is SoftmaxLayer softmax && (softmax.CoerceTo2D || softmax.ResolveAxis(output.Shape.Rank) == output.Shape.Rank - 1)
            ? softmax.Inputs[0]
            : output.Name;
        if (single.ShapeOf(logits).Rank != 2)
        {
            throw new ArgumentException($"training needs [batch, classes] logits; '{logits}' has shape {single.ShapeOf(logits)}", nameof(single));
        }

        return logits;
    }

    // The shape of one sample: the batch dimension dropped.
    private static Shape PerSample(Shape shape) => new(shape.Dims[1..]);
}
