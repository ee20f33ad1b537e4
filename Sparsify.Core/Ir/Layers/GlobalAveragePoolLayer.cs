namespace Sparsify.Core.Ir.Layers;

/// <summary>Mean over all spatial positions: [N, C, H, W] to [N, C, 1, 1].</summary>
public sealed class GlobalAveragePoolLayer(string name, string input, string output) : Layer(name, [input], output)
{
    /// <inheritdoc />
    public override string OpType => "GlobalAveragePool";

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        var x = inputShapes[0];
        ExpectRank(x, 4);
        return new Shape(x[0], x[1], 1, 1);
    }
}
