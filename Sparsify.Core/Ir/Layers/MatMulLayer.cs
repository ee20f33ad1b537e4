using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// A MatMul of two computed values (attention's query by key, its weights by value): [..., M, K] by
/// [..., K, N], the leading axes broadcast as numpy's matmul does. A MatMul by constant weights is a Gemm.
/// </summary>
public sealed class MatMulLayer(string name, string left, string right, string output) : Layer(name, [left, right], output)
{
    /// <inheritdoc />
    public override string OpType => "MatMul";

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 2);
        return ManifestOps.MatMulShape(inputShapes[0], inputShapes[1]) is { } shape
            ? new Shape(shape)
            : throw new SparsifyModelException($"operands of shapes {inputShapes[0]} and {inputShapes[1]} cannot be multiplied: a MatMul of two computed values needs ranks of 2 or more, [..., M, K] by [..., K, N], and leading axes that broadcast");
    }
}
