using Sparsify.Runtime.Kernels;

namespace Sparsify.Core.Sparsity.DataAware;

/// <summary>
/// The dense linear algebra second-order pruning needs, on row-major n×n fp32 matrices: a blocked
/// Cholesky factorisation and a blocked inverse of a lower triangle, both with their bulk in
/// <see cref="Gemm"/> (a 4,609-column ResNet18 layer factors in about a second instead of the half
/// minute of a scalar loop). Blocks on the diagonal are factored in double.
/// </summary>
internal static class DenseFactorization
{
    private const int Block = 128;

    /// <summary>
    /// Replaces <paramref name="a"/> (symmetric, read from its lower triangle) by its lower Cholesky
    /// factor L (a = L·Lᵀ; the strict upper triangle is zeroed). False when a pivot is not positive:
    /// the matrix is not (numerically) positive definite and <paramref name="a"/> is left undefined.
    /// </summary>
    public static bool TryCholesky(float[] a, int n, int threads)
    {
        var diagonal = new double[Block * Block];
        var inverseT = new float[Block * Block];
        var panel = new float[(long)n * Block];
        var negPanel = new float[(long)n * Block];
        var panelT = new float[(long)n * Block];
        for (var k = 0; k < n; k += Block)
        {
            var kb = Math.Min(Block, n - k);
            for (var i = 0; i < kb; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    diagonal[(i * kb) + j] = a[((long)(k + i) * n) + k + j];
                }
            }

            if (!CholeskyInPlace(diagonal, kb))
            {
                return false;
            }

            for (var i = 0; i < kb; i++)
            {
                for (var j = 0; j < kb; j++)
                {
                    a[((long)(k + i) * n) + k + j] = j <= i ? (float)diagonal[(i * kb) + j] : 0f;
                }
            }

            var rest = n - k - kb;
            if (rest == 0)
            {
                break;
            }

            // L21 = A21·L11⁻ᵀ, then the trailing A22 -= L21·L21ᵀ (computed whole: simpler than a SYRK, and GEMM-fast).
            InvertLowerInPlace(diagonal, kb);
            for (var i = 0; i < kb; i++)
            {
                for (var j = 0; j < kb; j++)
                {
                    inverseT[(j * kb) + i] = i >= j ? (float)diagonal[(i * kb) + j] : 0f;
                }
            }

            var a21 = ((long)(k + kb) * n) + k;
            Gemm.Multiply(rest, kb, kb, a.AsSpan((int)a21), n, inverseT, kb, panel, kb, false, threads);
            for (var i = 0; i < rest; i++)
            {
                for (var j = 0; j < kb; j++)
                {
                    var v = panel[(i * kb) + j];
                    a[a21 + ((long)i * n) + j] = v;
                    negPanel[(i * kb) + j] = -v;
                    panelT[((long)j * rest) + i] = v;
                }
            }

            Gemm.Multiply(rest, rest, kb, negPanel, kb, panelT, rest, a.AsSpan((int)(((long)(k + kb) * n) + k + kb)), n, true, threads);
        }

        for (var i = 0; i < n; i++)
        {
            a.AsSpan((int)(((long)i * n) + i + 1), n - i - 1).Clear();
        }

        return true;
    }

    /// <summary>
    /// Replaces the lower triangle <paramref name="l"/> (strict upper triangle zero, diagonal nonzero)
    /// by its inverse, also lower: [[A, 0], [B, C]]⁻¹ = [[A⁻¹, 0], [−C⁻¹·B·A⁻¹, C⁻¹]], recursively.
    /// </summary>
    public static void InvertLower(float[] l, int n, int threads) => InvertLower(l, n, 0, n, threads);

    /// <summary>
    /// The upper triangular M with Mᵀ·M = (H + λI)⁻¹, the form the OBS sweep reads its updates from.
    /// From the Cholesky factor L' of H read backwards (J·H·J = L'·L'ᵀ, J the reversal):
    /// H⁻¹ = J·L'⁻ᵀ·L'⁻¹·J, so M = J·L'⁻¹·J, with one factorisation and one triangular inverse.
    /// λ starts at <paramref name="dampening"/> × the mean diagonal and grows tenfold while H + λI
    /// does not factor, so a rank-deficient H (dead inputs, few samples) still gives finite updates.
    /// </summary>
    public static float[] InverseUpperFactor(double[] h, int n, double dampening, int threads, out double lambda)
    {
        double mean = 0;
        for (var i = 0; i < n; i++)
        {
            mean += h[((long)i * n) + i];
        }

        mean = mean > 0 && double.IsFinite(mean) ? mean / n : 1;
        lambda = dampening * mean;
        var m = new float[(long)n * n];
        for (var attempt = 0; attempt < 8; attempt++, lambda *= 10)
        {
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    var v = h[((long)(n - 1 - i) * n) + (n - 1 - j)];
                    m[((long)i * n) + j] = (float)(i == j ? v + lambda : v);
                }
            }

            if (!TryCholesky(m, n, threads))
            {
                continue;
            }

            InvertLower(m, n, threads);

            // Reverse both indices in place: the lower L'⁻¹ becomes the upper M.
            for (long i = 0, last = ((long)n * n) - 1; i < last - i; i++)
            {
                (m[i], m[last - i]) = (m[last - i], m[i]);
            }

            if (m.All(float.IsFinite))
            {
                return m;
            }
        }

        throw new InvalidOperationException("the layer's input statistics do not factor even with strong dampening");
    }

    /// <summary>
    /// Writes the transpose of the rows × columns matrix <paramref name="source"/> (row stride
    /// <paramref name="sourceStride"/>) into <paramref name="target"/> (row stride
    /// <paramref name="targetStride"/>), in tiles that stay in cache both ways.
    /// </summary>
    public static void Transpose(ReadOnlySpan<float> source, int rows, int columns, int sourceStride, Span<float> target, int targetStride)
    {
        const int Tile = 32;
        for (var r0 = 0; r0 < rows; r0 += Tile)
        {
            var r1 = Math.Min(r0 + Tile, rows);
            for (var c0 = 0; c0 < columns; c0 += Tile)
            {
                var c1 = Math.Min(c0 + Tile, columns);
                for (var r = r0; r < r1; r++)
                {
                    var row = source.Slice(r * sourceStride);
                    for (var c = c0; c < c1; c++)
                    {
                        target[(c * targetStride) + r] = row[c];
                    }
                }
            }
        }
    }

    private static void InvertLower(float[] l, int n, int lo, int hi, int threads)
    {
        var size = hi - lo;
        if (size <= Block)
        {
            var block = new double[size * size];
            for (var i = 0; i < size; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    block[(i * size) + j] = l[((long)(lo + i) * n) + lo + j];
                }
            }

            InvertLowerInPlace(block, size);
            for (var i = 0; i < size; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    l[((long)(lo + i) * n) + lo + j] = (float)block[(i * size) + j];
                }
            }

            return;
        }

        var mid = lo + (((size / 2) + Block - 1) / Block * Block);
        InvertLower(l, n, lo, mid, threads);
        InvertLower(l, n, mid, hi, threads);
        int top = mid - lo, bottom = hi - mid;
        var cb = new float[(long)bottom * top];
        Gemm.Multiply(bottom, top, bottom, l.AsSpan((int)(((long)mid * n) + mid)), n, l.AsSpan((int)(((long)mid * n) + lo)), n, cb, top, false, threads);
        for (var i = 0; i < cb.Length; i++)
        {
            cb[i] = -cb[i];
        }

        var result = new float[(long)bottom * top];
        Gemm.Multiply(bottom, top, top, cb, top, l.AsSpan((int)(((long)lo * n) + lo)), n, result, top, false, threads);
        for (var i = 0; i < bottom; i++)
        {
            result.AsSpan(i * top, top).CopyTo(l.AsSpan((int)(((long)(mid + i) * n) + lo), top));
        }
    }

    // Lower Cholesky of a small dense block in place (upper part ignored); false at a non-positive pivot.
    private static bool CholeskyInPlace(double[] a, int n)
    {
        for (var j = 0; j < n; j++)
        {
            var d = a[(j * n) + j];
            for (var k = 0; k < j; k++)
            {
                d -= a[(j * n) + k] * a[(j * n) + k];
            }

            if (!(d > 0))
            {
                return false;
            }

            d = Math.Sqrt(d);
            a[(j * n) + j] = d;
            for (var i = j + 1; i < n; i++)
            {
                var s = a[(i * n) + j];
                for (var k = 0; k < j; k++)
                {
                    s -= a[(i * n) + k] * a[(j * n) + k];
                }

                a[(i * n) + j] = s / d;
            }
        }

        return true;
    }

    // Inverse of a small lower triangle in place, by forward substitution column by column.
    private static void InvertLowerInPlace(double[] l, int n)
    {
        var x = new double[n * n];
        for (var j = 0; j < n; j++)
        {
            x[(j * n) + j] = 1 / l[(j * n) + j];
            for (var i = j + 1; i < n; i++)
            {
                double s = 0;
                for (var k = j; k < i; k++)
                {
                    s += l[(i * n) + k] * x[(k * n) + j];
                }

                x[(i * n) + j] = -s / l[(i * n) + i];
            }
        }

        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                l[(i * n) + j] = j <= i ? x[(i * n) + j] : 0;
            }
        }
    }
}
