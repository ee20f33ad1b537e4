namespace Sparsify.Core.Ir;

/// <summary>A named value of a graph with its shape (batch dimension included).</summary>
public sealed record GraphValue(string Name, Shape Shape);

/// <summary>
/// A model as Sparsify sees it: typed layers in an order where every value is written before it is
/// read, with every value's shape inferred from the input shapes. Built by the ONNX importer or by
/// code (the model builders); both pass through the same validation.
/// </summary>
public sealed partial class ModelGraph
{
    private readonly Dictionary<string, Shape> _shapes;

    private ModelGraph(string name, IReadOnlyList<GraphValue> inputs, IReadOnlyList<Layer> layers, IReadOnlyList<string> outputNames, Dictionary<string, Shape> shapes, IReadOnlyList<string> notes)
    {
        Name = name;
        Inputs = inputs;
        Layers = layers;
        _shapes = shapes;
        Outputs = outputNames.Select(o => new GraphValue(o, shapes[o])).ToArray();
        Notes = notes;
    }

    /// <summary>The model's name.</summary>
    public string Name { get; }

    /// <summary>The values fed by the caller, in order.</summary>
    public IReadOnlyList<GraphValue> Inputs { get; }

    /// <summary>The values returned to the caller, in order.</summary>
    public IReadOnlyList<GraphValue> Outputs { get; }

    /// <summary>The layers, each after the layers it reads from.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>What the import changed, e.g. "BatchNormalization bn1 folded into conv1".</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Total weight and bias values.</summary>
    public long ParameterCount => Layers.Sum(l => l.ParameterCount);

    /// <summary>Total multiply-accumulates for one pass at the graph's batch size.</summary>
    public long MacCount => Layers.Sum(CountMacs);

    /// <summary>The shape of a value of the graph.</summary>
    public Shape ShapeOf(string valueName) =>
        _shapes.TryGetValue(valueName, out var shape) ? shape : throw new KeyNotFoundException($"the graph has no value '{valueName}'");

    /// <summary>Input shapes of a layer.</summary>
    public IReadOnlyList<Shape> InputShapesOf(Layer layer) => layer.Inputs.Select(ShapeOf).ToArray();

    /// <summary>Multiply-accumulates of one layer.</summary>
    public long CountMacs(Layer layer) => layer.CountMacs(InputShapesOf(layer), ShapeOf(layer.Output));

    /// <summary>
    /// Validates and orders <paramref name="layers"/>, then infers every shape. Throws
    /// <see cref="SparsifyModelException"/> naming the layer for a missing value, a cycle, a
    /// duplicate output or shapes that do not fit.
    /// </summary>
    public static ModelGraph Create(string name, IReadOnlyList<GraphValue> inputs, IReadOnlyList<Layer> layers, IReadOnlyList<string> outputNames, IReadOnlyList<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(outputNames);
        if (inputs.Count == 0)
        {
            throw new SparsifyModelException("the graph has no input");
        }

        if (outputNames.Count == 0)
        {
            throw new SparsifyModelException("the graph has no output");
        }

        var ordered = Order(inputs, layers);
        var shapes = InferShapes(inputs, ordered);
        foreach (var output in outputNames)
        {
            if (!shapes.ContainsKey(output))
            {
                throw new SparsifyModelException($"graph output '{output}' is not computed by any layer nor a graph input");
            }
        }

        return new ModelGraph(name, inputs.ToArray(), ordered, outputNames.ToArray(), shapes, notes?.ToArray() ?? []);
    }

    /// <summary>The same graph for another batch size (weights shared, shapes re-inferred).</summary>
    public ModelGraph WithBatch(int batch)
    {
        if (Inputs.All(i => i.Shape[0] == batch))
        {
            return this;
        }

        var inputs = Inputs.Select(i => i with { Shape = i.Shape.WithBatch(batch) }).ToArray();
        return new ModelGraph(Name, inputs, Layers, Outputs.Select(o => o.Name).ToArray(), InferShapes(inputs, Layers), Notes);
    }
}
