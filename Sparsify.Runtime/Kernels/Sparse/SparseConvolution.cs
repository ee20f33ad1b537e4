namespace Sparsify.Runtime.Kernels;

/// <summary>Constants shared by the sparse convolution driver, its table-driven bodies and generated bodies.</summary>
public static class SparseConvolution
{
    /// <summary>Output grid pixels one tile body computes per call: eight 256-bit vectors.</summary>
    public const int TilePixels = 64;
}

/// <summary>
/// Computes the rows [group*rowsPerGroup, +rowsPerGroup) of the output over the first <paramref name="pixels"/>
/// grid pixels of a tile: tile[row * TilePixels + p] = sum over taps of w * input[p + Offset(tap)], row in
/// [0, rowsPerGroup), p in [0, pixels).
/// </summary>
/// <param name="group">The row group (output channels group*rowsPerGroup onwards).</param>
/// <param name="input">The layout buffer at the tile's first grid pixel and the conv group's channel base.</param>
/// <param name="tile">rowsPerGroup × TilePixels floats; the first <paramref name="pixels"/> of each row are overwritten.</param>
/// <param name="pixels">
/// A multiple of 8 in [8, TilePixels]: TilePixels but for the last tile of a grid, whose pixels past the
/// grid need no work. A body may compute more pixels (up to TilePixels): they are never read.
/// </param>
public unsafe delegate void ConvTileBody(int group, float* input, float* tile, int pixels);
