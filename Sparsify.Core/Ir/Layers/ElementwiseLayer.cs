namespace Sparsify.Core.Ir.Layers;

/// <summary>A one-input step whose output has its input's shape: an activation or another function applied value by value.</summary>
public abstract class ElementwiseLayer(string name, string input, string output) : Layer(name, [input], output)
{
    /// <inheritdoc />
    public sealed override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        return inputShapes[0];
    }
}
