namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// Softmax. From opset 13 it normalises along <see cref="Axis"/>; before that ONNX coerced the
/// input to 2-D at the axis and normalised each row, which <see cref="CoerceTo2D"/> keeps.
/// </summary>
public sealed class SoftmaxLayer(string name, string input, string output, int axis = -1, bool coerceTo2D = false) : Layer(name, [input], output)
{
    /// <inheritdoc />
    public override string OpType => "Softmax";

    /// <summary>The axis; negative counts from the end.</summary>
    public int Axis { get; } = axis;

    /// <summary>Opset &lt; 13 semantics: normalise over all dimensions from the axis on.</summary>
    public bool CoerceTo2D { get; } = coerceTo2D;

    /// <summary>The axis as a non-negative index for rank <paramref name="rank"/>.</summary>
    public int ResolveAxis(int rank) => Axis < 0 ? Axis + rank : Axis;

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        var x = inputShapes[0];
        var axis = ResolveAxis(x.Rank);
        if (axis < 0 || axis >= x.Rank)
        {
            throw new SparsifyModelException($"axis {Axis} is out of range for input {x}");
        }

        return x;
    }
}
