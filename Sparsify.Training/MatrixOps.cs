using Sparsify.Runtime.Kernels;

namespace Sparsify.Training;

/// <summary>
/// The dense building blocks of the backward passes: GEMM on one thread (a training step is already
/// parallel over shards of the batch) and transposes, so every GEMM reads its operands row-major.
/// </summary>
internal static class MatrixOps
{
    /// <summary>C[m×n] = A[m×k]·B[k×n], or C += A·B; row strides lda, ldb, ldc. Bitwise reproducible.</summary>
    public static void Gemm(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate)
        => Runtime.Kernels.Gemm.Multiply(m, n, k, a, lda, b, ldb, c, ldc, accumulate, 1);

    /// <summary>dst[cols×rows] = src[rows×cols]ᵀ, in cache-sized tiles.</summary>
    public static void Transpose(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst)
    {
        const int Tile = 16;
        if (src.Length < (long)rows * cols || dst.Length < (long)rows * cols)
        {
            throw new ArgumentException($"transpose of {rows}x{cols}: source {src.Length}, destination {dst.Length}");
        }

        for (var r0 = 0; r0 < rows; r0 += Tile)
        {
            var r1 = Math.Min(rows, r0 + Tile);
            for (var c0 = 0; c0 < cols; c0 += Tile)
            {
                var c1 = Math.Min(cols, c0 + Tile);
                for (var r = r0; r < r1; r++)
                {
                    var rowOffset = r * cols;
                    for (var c = c0; c < c1; c++)
                    {
                        dst[(c * rows) + r] = src[rowOffset + c];
                    }
                }
            }
        }
    }
}
