using Sparsify.Core.Sparsity;

namespace Sparsify.Core.Formats;

/// <summary>Checks shared by the encoders: the weights and the mask describe the same matrix.</summary>
internal static class MaskedInput
{
    public static void Check(ReadOnlySpan<float> values, SparsityMask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (values.Length != mask.Rows * mask.Columns)
        {
            throw new ArgumentException($"the mask covers {mask.Rows}x{mask.Columns} = {mask.Rows * mask.Columns} weights, got {values.Length} values", nameof(values));
        }
    }

    public static void Check(WeightMatrix matrix, SparsityMask mask)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(mask);
        if (matrix.Rows != mask.Rows || matrix.Columns != mask.Columns)
        {
            throw new ArgumentException($"layer {matrix.LayerName} is {matrix.Rows}x{matrix.Columns}, the mask {mask.Rows}x{mask.Columns}", nameof(mask));
        }
    }
}
