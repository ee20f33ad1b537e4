using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// Add, Sub, Mul, Div or Pow of two computed values whose shapes broadcast as numpy's do: the operators of
/// that name where neither the residual Add (one shape) nor the per-channel Mul covers the shapes.
/// </summary>
public sealed class BroadcastLayer : Layer
{
    /// <summary>Creates <paramref name="left"/> <paramref name="function"/> <paramref name="right"/>.</summary>
    public BroadcastLayer(string name, string function, string left, string right, string output)
        : base(name, [left, right], output)
    {
        Function = Array.IndexOf(ManifestOps.BroadcastFunctions, function) >= 0
            ? function
            : throw new SparsifyModelException($"'{function}' is not one of the broadcasting operators: {string.Join(", ", ManifestOps.BroadcastFunctions)}");
    }

    /// <inheritdoc />
    public override string OpType => "Broadcast";

    /// <summary>The ONNX operator: one of <see cref="ManifestOps.BroadcastFunctions"/>.</summary>
    public string Function { get; }

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 2);
        return ManifestOps.BroadcastShape(inputShapes[0], inputShapes[1]) is { } shape
            ? new Shape(shape)
            : throw new SparsifyModelException($"operands of shapes {inputShapes[0]} and {inputShapes[1]} do not broadcast: aligned at their last axes, each pair of lengths must be equal or one of them 1");
    }
}
