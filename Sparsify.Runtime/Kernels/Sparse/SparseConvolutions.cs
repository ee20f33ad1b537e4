using Sparsify.Runtime.Formats;

namespace Sparsify.Runtime.Kernels;

/// <summary>Table-driven sparse convolutions built from the compressed formats.</summary>
public static class SparseConvolutions
{
    /// <summary>
    /// A driver over a group-format weight matrix (rows = OutChannels, columns = (channel of the conv
    /// group, kh, kw)). Each body call computes gcd(G, OutChannels / Group) rows: G for the locality
    /// scheme's layers, whose groups never cross a conv group.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix shape does not match the geometry, or the bias length is wrong.</exception>
    public static SparseConvolutionDriver FromGroups(in ConvGeometry g, GroupLayer weights, ReadOnlySpan<float> bias)
        => FromGroups(g, weights, bias, g);

    /// <summary>
    /// A driver over a group-format weight matrix that reads the input layout of another convolution of
    /// the same image, <paramref name="layoutOf"/>, and can run in the same fork as that convolution's driver.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix shape does not match the geometry, the bias length is wrong, or the layout of <paramref name="layoutOf"/> cannot hold the taps of <paramref name="g"/>.</exception>
    public static SparseConvolutionDriver FromGroups(in ConvGeometry g, GroupLayer weights, ReadOnlySpan<float> bias, in ConvGeometry layoutOf)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var offsets = ColumnOffsets(g, weights, layoutOf);
        var table = SparseTapTable.FromGroups(weights, g.OutChannelsPerGroup, column => offsets[column]);
        return Create(g, layoutOf, table, bias);
    }

    /// <summary>A driver over a CSR weight matrix: one output channel per body call.</summary>
    /// <exception cref="ArgumentException">The matrix shape does not match the geometry, or the bias length is wrong.</exception>
    public static SparseConvolutionDriver FromCsr(in ConvGeometry g, CsrLayer weights, ReadOnlySpan<float> bias)
        => FromCsr(g, weights, bias, g);

    /// <summary>A driver over a CSR weight matrix that reads the input layout of <paramref name="layoutOf"/> (see <see cref="FromGroups(in ConvGeometry, GroupLayer, ReadOnlySpan{float}, in ConvGeometry)"/>).</summary>
    /// <exception cref="ArgumentException">The matrix shape does not match the geometry, the bias length is wrong, or the layout of <paramref name="layoutOf"/> cannot hold the taps of <paramref name="g"/>.</exception>
    public static SparseConvolutionDriver FromCsr(in ConvGeometry g, CsrLayer weights, ReadOnlySpan<float> bias, in ConvGeometry layoutOf)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var offsets = ColumnOffsets(g, weights, layoutOf);
        var table = SparseTapTable.FromCsr(weights, column => offsets[column]);
        return Create(g, layoutOf, table, bias);
    }

    /// <summary>The driver of an already built table (tests and benchmarks reach the table through it).</summary>
    internal static unsafe SparseConvolutionDriver Create(in ConvGeometry g, SparseTapTable table, ReadOnlySpan<float> bias)
        => Create(g, g, table, bias);

    private static unsafe SparseConvolutionDriver Create(in ConvGeometry g, in ConvGeometry layoutOf, SparseTapTable table, ReadOnlySpan<float> bias)
        => new(g, layoutOf, table.RowsPerGroup, table.ComputeTile, bias);

    /// <summary>The offset in the input layout of <paramref name="layoutOf"/> of every weight column (channel, kh, kw).</summary>
    private static int[] ColumnOffsets(in ConvGeometry g, EncodedLayer weights, in ConvGeometry layoutOf)
    {
        if (weights.Rows != g.OutChannels || weights.Columns != g.FilterLength)
        {
            throw new ArgumentException(
                $"a {weights.Rows}×{weights.Columns} weight matrix does not fit a convolution of {g.OutChannels} output channels and filters of {g.FilterLength}",
                nameof(weights));
        }

        var layout = ConvInputLayout.For(layoutOf);
        if (!layout.CanHost(g))
        {
            throw new ArgumentException($"the input layout of {layoutOf} cannot hold the taps of {g}", nameof(layoutOf));
        }

        var hosted = layoutOf != g;
        var offsets = new int[g.FilterLength];
        var column = 0;
        for (var c = 0; c < g.InChannelsPerGroup; c++)
        {
            for (var kh = 0; kh < g.KernelHeight; kh++)
            {
                for (var kw = 0; kw < g.KernelWidth; kw++)
                {
                    offsets[column++] = hosted ? layout.Offset(g, c, kh, kw) : layout.Offset(c, kh, kw);
                }
            }
        }

        return offsets;
    }
}
