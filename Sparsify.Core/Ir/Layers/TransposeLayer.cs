using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// A permutation of a computed value's axes that no pattern absorbs (not ShuffleNet's channel shuffle, not a
/// channels-last segment): output axis i is input axis <see cref="Perm"/>[i].
/// </summary>
public sealed class TransposeLayer(string name, string input, string output, IReadOnlyList<int> perm) : Layer(name, [input], output)
{
    /// <inheritdoc />
    public override string OpType => "Transpose";

    /// <summary>The permutation.</summary>
    public IReadOnlyList<int> Perm { get; } = [.. perm];

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        var x = inputShapes[0];
        return TransposeParameters.IsPermutation(Perm, x.Rank)
            ? new Shape([.. Perm.Select(axis => x[axis])])
            : throw new SparsifyModelException($"perm [{string.Join(",", Perm)}] is not a permutation of the {x.Rank} axes of {x}");
    }
}
