namespace Sparsify.Core.Ir.Layers;

/// <summary>Elementwise max(x, 0).</summary>
public sealed class ReluLayer(string name, string input, string output) : Layer(name, [input], output)
{
    /// <inheritdoc />
    public override string OpType => "Relu";

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        return inputShapes[0];
    }
}
