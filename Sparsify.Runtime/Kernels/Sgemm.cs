using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

/// <summary>The instruction set a kernel runs with; the best one is picked once per process.</summary>
internal enum SimdLevel
{
    /// <summary>Plain scalar code: any machine.</summary>
    Scalar,

    /// <summary>128-bit vectors (SSE, NEON) with multiply-add where the hardware has it.</summary>
    Vector128,

    /// <summary>256-bit AVX2 with FMA3.</summary>
    Avx2Fma,

    /// <summary>AVX2 with FMA3, and 512-bit AVX-512F micro-kernels where .NET finds 512-bit vectors fast.</summary>
    Avx512,
}

/// <summary>
/// Single-precision GEMM for the reference executor: C[m×n] = A[m×k]·B[k×n] (+ C), row-major.
/// </summary>
/// <remarks>
/// <para>GotoBLAS/BLIS structure. C is cut into tiles (rows × column panels), one thread each. A tile
/// walks k in blocks of at most <see cref="KC"/>: it packs its rows of A for the block into
/// <see cref="MR"/>-row micro-panels (L2; a tile with few panels reads A in place instead), then for
/// each panel of <see cref="NR"/> columns packs B for the block (kc × NR floats, ≤ 16 KB, on the
/// stack: L1) and runs the register-blocked micro-kernel (6×16, 12×16 with AVX-512, or 12×8 for a narrow last panel)
/// down the tile's rows. B comes from an <see cref="IPanelSource"/>, so a convolution fuses im2col into
/// the packing and the im2col matrix never exists in memory.</para>
/// <para>Every element of C is the same chain of fused multiply-adds over each k block, added to C in
/// k-block order, whatever tile, thread or micro-kernel shape computes it: results are bitwise
/// identical for every degree of parallelism (k is never split across threads). Remainder rows and
/// columns go through the same arithmetic (extra rows repeat a real row of A, extra columns of a
/// panel hold whatever the source wrote) and only the real ones are stored.</para>
/// </remarks>
internal static unsafe partial class Sgemm
{
    /// <summary>Rows of C per micro-kernel call.</summary>
    internal const int MR = 6;

    /// <summary>Columns of C per micro-kernel call: the width of one packed B panel.</summary>
    internal const int NR = 16;

    /// <summary>Largest number of k rows in one packed block (the micro-kernel's inner loop).</summary>
    internal const int KC = 256;

    /// <summary>Largest number of A rows one tile works on per k block (rows × KC floats stay in L2).</summary>
    internal const int MC = 240;

    /// <summary>Tiles with at most this many column panels read A in place rather than packing it.</summary>
    internal const int UnpackedAMaxPanels = 4;

    /// <summary>Below this many multiply-adds a call runs on the calling thread only.</summary>
    private const long ParallelThresholdMacs = 1L << 18;

    /// <summary>The best instruction set of this machine.</summary>
    internal static readonly SimdLevel BestLevel =
        Fma.IsSupported && Avx2.IsSupported && Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? SimdLevel.Avx512
        : Fma.IsSupported && Avx2.IsSupported && Vector256.IsHardwareAccelerated ? SimdLevel.Avx2Fma
        : Vector128.IsHardwareAccelerated ? SimdLevel.Vector128
        : SimdLevel.Scalar;

    /// <summary>
    /// C[m×n] = A[m×k]·B[k×n], or C += A·B when <paramref name="accumulate"/>. All matrices are
    /// row-major; <paramref name="lda"/>, <paramref name="ldb"/> and <paramref name="ldc"/> are row strides in
    /// elements. <paramref name="maxDegreeOfParallelism"/> 1 runs on the calling thread; 0 or less means
    /// every processor. Results do not depend on the degree of parallelism.
    /// </summary>
    public static void Multiply(int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, int maxDegreeOfParallelism)
        => Multiply(m, n, k, a, lda, b, ldb, c, ldc, accumulate, null, maxDegreeOfParallelism, BestLevel);

    /// <summary>
    /// As <see cref="Multiply(int, int, int, float*, int, float*, int, float*, int, bool, int)"/>, plus an
    /// optional per-row bias (length m, added once) and an explicit instruction set (tests use it to
    /// cover every path).
    /// </summary>
    internal static void Multiply(int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* rowBias, int maxDegreeOfParallelism, SimdLevel level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ldb, n);
        Multiply(m, n, k, a, lda, new RowMajorB(b, ldb, n, level), c, ldc, accumulate, rowBias, maxDegreeOfParallelism, level);
    }

    /// <summary>
    /// C = A·B (+ C) (+ rowBias) where <paramref name="b"/> supplies packed panels of B on demand.
    /// </summary>
    internal static void Multiply<TSource>(int m, int n, int k, float* a, int lda, in TSource b, float* c, int ldc, bool accumulate, float* rowBias, int maxDegreeOfParallelism, SimdLevel level)
        where TSource : struct, IPanelSource
        => Multiply(m, n, k, a, lda, b, c, ldc, accumulate, rowBias, residual: null, Activation.None, maxDegreeOfParallelism, level);

    /// <summary>
    /// C = A·B (+ C) (+ rowBias), then, per 16-column panel of C right after its last product (in L1), + <paramref name="residual"/>
    /// (null or laid out like C, row stride <paramref name="ldc"/>) and then <paramref name="activation"/>.
    /// </summary>
    internal static void Multiply<TSource>(int m, int n, int k, float* a, int lda, in TSource b, float* c, int ldc, bool accumulate, float* rowBias, float* residual, Activation activation, int maxDegreeOfParallelism, SimdLevel level)
        where TSource : struct, IPanelSource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lda, k);
        Multiply(m, n, k, a, lda, null, b, c, ldc, accumulate, rowBias, residual, activation, maxDegreeOfParallelism, level);
    }

    /// <summary>
    /// As the overload above with A packed in advance (<paramref name="a"/>: m×k, packed at
    /// <paramref name="level"/>): no tile packs or reads the original. Bitwise the same results.
    /// </summary>
    internal static void Multiply<TSource>(PackedA a, int n, in TSource b, float* c, int ldc, bool accumulate, float* rowBias, float* residual, Activation activation, int maxDegreeOfParallelism, SimdLevel level)
        where TSource : struct, IPanelSource
        => Multiply(a.Rows, n, a.Depth, null, a.Depth, a, b, c, ldc, accumulate, rowBias, residual, activation, maxDegreeOfParallelism, level);

    private static void Multiply<TSource>(int m, int n, int k, float* a, int lda, PackedA? packedA, in TSource b, float* c, int ldc, bool accumulate, float* rowBias, float* residual, Activation activation, int maxDegreeOfParallelism, SimdLevel level)
        where TSource : struct, IPanelSource
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldc, n);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            FillEmptyProduct(m, n, c, ldc, accumulate, rowBias);
            Epilogue.Apply(c, residual, ldc, 0, m, 0, n, activation);
            return;
        }

        int dop = EffectiveParallelism(maxDegreeOfParallelism, (long)m * n * k);
        var job = new GemmJob<TSource>(m, n, k, a, lda, packedA, b, c, ldc, accumulate, rowBias, residual, activation, level, dop);
        RunParallel(job.TileCount, dop, job, static (in GemmJob<TSource> j, int tile) => j.RunTile(tile));
    }

    /// <summary>k = 0: the product is zero, so C becomes bias (or keeps its value plus bias).</summary>
    private static void FillEmptyProduct(int m, int n, float* c, int ldc, bool accumulate, float* rowBias)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + ((nint)i * ldc), n);
            float bias = rowBias == null ? 0f : rowBias[i];
            if (!accumulate)
            {
                row.Fill(bias);
            }
            else if (bias != 0f)
            {
                for (int j = 0; j < row.Length; j++)
                {
                    row[j] += bias;
                }
            }
        }
    }

    internal static int CeilDiv(int x, int y) => (x + y - 1) / y;

    /// <summary>Number of packed B panels for n columns.</summary>
    internal static int PanelCount(int n) => CeilDiv(n, NR);

    /// <summary>
    /// Length of every k block but the last: k split into (nearly) equal blocks of at most
    /// <see cref="KC"/>, rounded up to a multiple of 8 (the A packer's vector width).
    /// </summary>
    internal static int KBlockLength(int k)
    {
        int blocks = Math.Max(1, CeilDiv(k, KC));
        return Math.Min(KC, CeilDiv(CeilDiv(k, blocks), 8) * 8);
    }

    /// <summary>Number of k blocks.</summary>
    internal static int KBlockCount(int k) => Math.Max(1, CeilDiv(k, KBlockLength(k)));

    /// <summary>Start and length of k block <paramref name="index"/>.</summary>
    internal static (int Start, int Length) KBlock(int k, int index)
    {
        int length = KBlockLength(k);
        int start = index * length;
        return (start, Math.Min(length, k - start));
    }
}
