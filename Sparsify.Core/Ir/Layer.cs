namespace Sparsify.Core.Ir;

/// <summary>
/// One operation of a <see cref="ModelGraph"/>. Layers name the values they read and the one value
/// they write; weights live on the layer. Shapes include the batch dimension.
/// </summary>
public abstract class Layer
{
    /// <summary>Creates a layer reading <paramref name="inputs"/> and writing <paramref name="output"/>.</summary>
    protected Layer(string name, IReadOnlyList<string> inputs, string output)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentException.ThrowIfNullOrEmpty(output);
        Name = name;
        Inputs = inputs.ToArray();
        Output = output;
    }

    /// <summary>The layer's name (the ONNX node name, or one made from its output).</summary>
    public string Name { get; }

    /// <summary>Names of the values read, in operand order.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Name of the value written.</summary>
    public string Output { get; }

    /// <summary>The operation, as ONNX names it (<c>Conv</c>, <c>Gemm</c>, <c>MaxPool</c>, …).</summary>
    public abstract string OpType { get; }

    /// <summary>Number of weight and bias values.</summary>
    public virtual long ParameterCount => 0;

    /// <summary>
    /// The output shape for the given input shapes. Throws <see cref="SparsifyModelException"/>
    /// (without node context; the graph adds it) when the inputs do not fit the layer.
    /// </summary>
    public abstract Shape InferOutputShape(IReadOnlyList<Shape> inputShapes);

    /// <summary>Multiply-accumulates this layer performs for the given output shape (whole batch).</summary>
    public virtual long CountMacs(IReadOnlyList<Shape> inputShapes, Shape outputShape) => 0;

    /// <inheritdoc />
    public override string ToString() => $"{OpType} {Name}";

    /// <summary>Throws unless there are exactly <paramref name="count"/> inputs.</summary>
    protected static void ExpectInputs(IReadOnlyList<Shape> inputShapes, int count)
    {
        if (inputShapes.Count != count)
        {
            throw new SparsifyModelException($"expects {count} input(s), got {inputShapes.Count}");
        }
    }

    /// <summary>Throws unless the shape has rank <paramref name="rank"/>.</summary>
    protected static void ExpectRank(Shape shape, int rank, string what = "input")
    {
        if (shape.Rank != rank)
        {
            throw new SparsifyModelException($"{what} must have rank {rank}, got shape {shape}");
        }
    }
}
