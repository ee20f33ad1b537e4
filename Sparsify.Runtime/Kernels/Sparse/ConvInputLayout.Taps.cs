namespace Sparsify.Runtime.Kernels;

/// <summary>
/// Tap offsets by weight column: what the compiler writes into the execution plan for unrolled
/// convolutions, and what generated code asks the layout to confirm before it reads at those offsets.
/// </summary>
public sealed partial class ConvInputLayout
{
    /// <summary>
    /// The offset from a grid pixel of this layout to the value weight column <paramref name="column"/> of
    /// <paramref name="guest"/> reads (columns run channel within the conv group, then kernel row, then kernel
    /// column). <paramref name="guest"/> is this layout's own convolution or one it hosts.
    /// </summary>
    /// <exception cref="ArgumentException">This layout cannot host <paramref name="guest"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The column is outside the guest's filter.</exception>
    public int ColumnOffset(in ConvGeometry guest, int column)
    {
        var kernelPixels = guest.KernelHeight * guest.KernelWidth;
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, guest.FilterLength);
        return Offset(guest, column / kernelPixels, column / guest.KernelWidth % guest.KernelHeight, column % guest.KernelWidth);
    }

    /// <summary>
    /// Whether each of <paramref name="offsets"/> is where weight column <paramref name="columns"/>[i] of
    /// <paramref name="guest"/> reads this layout: code that embeds those offsets reads only the layout's
    /// values, and the ones its weights are meant for.
    /// </summary>
    /// <returns>False when the spans differ in length, a column is outside the filter, this layout cannot host the guest, or an offset differs.</returns>
    public bool HasTapOffsets(in ConvGeometry guest, ReadOnlySpan<int> columns, ReadOnlySpan<int> offsets)
    {
        if (columns.Length != offsets.Length || !CanHost(guest))
        {
            return false;
        }

        var filter = guest.FilterLength;
        for (var i = 0; i < columns.Length; i++)
        {
            if ((uint)columns[i] >= (uint)filter || ColumnOffset(guest, columns[i]) != offsets[i])
            {
                return false;
            }
        }

        return true;
    }
}
