namespace Sparsify.Core.Ir.Layers;

/// <summary>Elementwise sum of two values of the same shape (the residual connection).</summary>
public sealed class AddLayer(string name, string left, string right, string output) : Layer(name, [left, right], output)
{
    /// <inheritdoc />
    public override string OpType => "Add";

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 2);
        if (!inputShapes[0].Equals(inputShapes[1]))
        {
            throw new SparsifyModelException($"operands have different shapes {inputShapes[0]} and {inputShapes[1]}; only same-shape Add of two computed values is supported");
        }

        return inputShapes[0];
    }
}
