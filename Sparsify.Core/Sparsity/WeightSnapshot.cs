using Sparsify.Core.Ir;

namespace Sparsify.Core.Sparsity;

/// <summary>A copy of every Conv/Gemm layer's weights and bias, to put back bit for bit.</summary>
internal sealed class WeightSnapshot
{
    private readonly (float[] Target, float[] Copy)[] _arrays;

    private WeightSnapshot((float[] Target, float[] Copy)[] arrays) => _arrays = arrays;

    public static WeightSnapshot Capture(ModelGraph graph)
    {
        var arrays = new List<(float[] Target, float[] Copy)>();
        foreach (var matrix in WeightMatrix.AllOf(graph))
        {
            arrays.Add((matrix.Values, (float[])matrix.Values.Clone()));
            if (WeightMatrix.BiasOf(matrix.Layer) is { } bias)
            {
                arrays.Add((bias, (float[])bias.Clone()));
            }
        }

        return new WeightSnapshot([.. arrays]);
    }

    /// <summary>Puts the copied values back into the arrays they came from.</summary>
    public void Restore()
    {
        foreach (var (target, copy) in _arrays)
        {
            copy.CopyTo(target, 0);
        }
    }
}
