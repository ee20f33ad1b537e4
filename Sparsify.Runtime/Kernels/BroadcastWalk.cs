namespace Sparsify.Runtime.Kernels;

/// <summary>
/// How two operands are read as an output of their broadcast shape is walked in row-major order: each
/// operand's step along each output axis (0 where it has length 1 or lacks the axis), and the odometer that
/// moves both offsets to the next index of the axes walked. The elementwise operators walk all axes but the
/// last; the matrix product walks the leading axes, in whole matrices.
/// </summary>
internal static class BroadcastWalk
{
    /// <summary>Each axis of <paramref name="shape"/>'s step in <paramref name="operand"/>, right-aligned to it.</summary>
    public static void Steps(ReadOnlySpan<int> operand, ReadOnlySpan<int> shape, Span<long> steps)
    {
        var offset = shape.Length - operand.Length;
        long stride = 1;
        for (var axis = shape.Length - 1; axis >= 0; axis--)
        {
            var length = axis < offset ? 1 : operand[axis - offset];
            steps[axis] = length == 1 ? 0 : stride;
            stride *= length;
        }
    }

    /// <summary>
    /// Moves <paramref name="index"/> (over axes 0 to <paramref name="axes"/> - 1 of <paramref name="shape"/>)
    /// to the next one in row-major order, and both offsets with it.
    /// </summary>
    public static void Next(ReadOnlySpan<int> shape, int axes, Span<int> index, ReadOnlySpan<long> aSteps, ReadOnlySpan<long> bSteps, ref long aAt, ref long bAt)
    {
        for (var axis = axes - 1; axis >= 0; axis--)
        {
            aAt += aSteps[axis];
            bAt += bSteps[axis];
            if (++index[axis] < shape[axis])
            {
                return;
            }

            aAt -= aSteps[axis] * shape[axis];
            bAt -= bSteps[axis] * shape[axis];
            index[axis] = 0;
        }
    }

    /// <summary>The values of a shape (1 for no axes).</summary>
    public static long Elements(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            n *= d;
        }

        return n;
    }
}
