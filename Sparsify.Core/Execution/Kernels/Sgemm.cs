using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Core.Execution.Kernels;

/// <summary>The instruction set a kernel runs with; the best one is picked once per process.</summary>
internal enum SimdLevel
{
    /// <summary>Plain scalar code: any machine.</summary>
    Scalar,

    /// <summary>128-bit vectors (SSE, NEON) with multiply-add where the hardware has it.</summary>
    Vector128,

    /// <summary>256-bit AVX2 with FMA3.</summary>
    Avx2Fma,
}

/// <summary>
/// Single-precision GEMM for the reference executor: C[m×n] = A[m×k]·B[k×n] (+ C), row-major.
/// </summary>
/// <remarks>
/// <para>GotoBLAS/BLIS structure with one twist taken from MLAS: B is packed once per call into
/// panels of <see cref="NR"/> columns (split into blocks of at most <see cref="KC"/> rows), while A is
/// read in place through its row stride by the micro-kernel, which broadcasts one element of each of
/// its <see cref="MR"/> rows per step. For a convolution A is the weight matrix and B the im2col matrix,
/// so the im2col transform is fused into the B packing (see ConvolutionKernel) and nothing else is
/// copied.</para>
/// <para>Work is split into tiles of C (rows × panels). Every element of C is the same chain of fused
/// multiply-adds over each k block, added to C in k-block order, whatever tile or thread computes
/// it, so results are bitwise identical for every degree of parallelism (k is never split across
/// threads). Row and column remainders go through the same micro-kernel (rows are clamped, packed
/// columns are zero padded), so they round exactly like full tiles.</para>
/// </remarks>
internal static unsafe partial class Sgemm
{
    /// <summary>Rows of C per micro-kernel call.</summary>
    internal const int MR = 6;

    /// <summary>Columns of C per micro-kernel call: the width of one packed B panel.</summary>
    internal const int NR = 16;

    /// <summary>Largest number of k rows in one packed block (the micro-kernel's inner loop).</summary>
    internal const int KC = 256;

    /// <summary>Largest number of A rows one tile works on per k block (they stay in L2).</summary>
    internal const int MC = 144;

    /// <summary>Below this many multiply-adds a call runs on the calling thread only.</summary>
    private const long ParallelThresholdMacs = 1L << 18;

    /// <summary>The best instruction set of this machine.</summary>
    internal static readonly SimdLevel BestLevel =
        Fma.IsSupported && Avx2.IsSupported && Vector256.IsHardwareAccelerated ? SimdLevel.Avx2Fma
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
        ValidateShape(m, n, k, lda, ldb, ldc);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldb, n);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            FillEmptyProduct(m, n, c, ldc, accumulate, rowBias);
            return;
        }

        int dop = EffectiveParallelism(maxDegreeOfParallelism, (long)m * n * k);
        using var packed = new PinnedBuffer(PackedBLength(n, k));
        PackB(n, k, b, ldb, packed.Pointer, dop, level);
        MultiplyPacked(m, n, k, a, lda, packed.Pointer, c, ldc, accumulate, rowBias, dop, level);
    }

    /// <summary>
    /// C = A·B (+ C) where B has already been packed by one of the PackB routines (or an equivalent
    /// fused packer) for the same n and k.
    /// </summary>
    internal static void MultiplyPacked(int m, int n, int k, float* a, int lda, float* packedB, float* c, int ldc, bool accumulate, float* rowBias, int dop, SimdLevel level)
    {
        ValidateShape(m, n, k, lda, n, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            FillEmptyProduct(m, n, c, ldc, accumulate, rowBias);
            return;
        }

        var job = new GemmJob(m, n, k, a, lda, packedB, c, ldc, accumulate, rowBias, level, dop);
        RunParallel(job.TileCount, dop, job.RunTile);
    }

    /// <summary>The degree of parallelism to use: 1 for small problems, else the request (≤ 0: all cores).</summary>
    internal static int EffectiveParallelism(int requested, long macs)
    {
        if (macs < ParallelThresholdMacs)
        {
            return 1;
        }

        return requested <= 0 ? Environment.ProcessorCount : requested;
    }

    /// <summary>Runs <paramref name="body"/> for 0..count-1, on the calling thread when dop is 1.</summary>
    internal static void RunParallel(int count, int dop, Action<int> body)
    {
        if (dop <= 1 || count <= 1)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = dop }, body);
    }

    private static void ValidateShape(int m, int n, int k, int lda, int ldb, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(lda, k);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldb, n);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldc, n);
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

    /// <summary>One GEMM split into tiles of C; each tile is independent work for one thread.</summary>
    private sealed class GemmJob
    {
        private readonly int _m, _n, _k, _lda, _ldc;
        private readonly float* _a, _packedB, _c, _rowBias;
        private readonly bool _accumulate;
        private readonly SimdLevel _level;
        private readonly int _nPanels, _tileRows, _tilePanels, _mTiles;

        public GemmJob(int m, int n, int k, float* a, int lda, float* packedB, float* c, int ldc, bool accumulate, float* rowBias, SimdLevel level, int dop)
        {
            _m = m;
            _n = n;
            _k = k;
            _a = a;
            _lda = lda;
            _packedB = packedB;
            _c = c;
            _ldc = ldc;
            _accumulate = accumulate;
            _rowBias = rowBias;
            _level = level;
            _nPanels = PanelCount(n);
            int mPanels = (m + MR - 1) / MR;
            int mBlocks = CeilDiv(mPanels, MC / MR);
            int nBlocks = 1;
            if (dop > 1)
            {
                // About four tiles per thread for load balance; split columns first (keeps A rows in
                // L2 across many panels), then rows when there are too few panels.
                int target = 4 * dop;
                nBlocks = Math.Clamp(CeilDiv(target, mBlocks), 1, _nPanels);
                if (mBlocks * nBlocks < target)
                {
                    mBlocks = Math.Min(mPanels, CeilDiv(target, nBlocks));
                }
            }

            _tileRows = CeilDiv(mPanels, mBlocks) * MR;
            _mTiles = CeilDiv(m, _tileRows);
            _tilePanels = CeilDiv(_nPanels, nBlocks);
            TileCount = _mTiles * CeilDiv(_nPanels, _tilePanels);
        }

        public int TileCount { get; }

        public void RunTile(int tile)
        {
            int rowStart = tile % _mTiles * _tileRows;
            int rowEnd = Math.Min(_m, rowStart + _tileRows);
            int panelStart = tile / _mTiles * _tilePanels;
            int panelEnd = Math.Min(_nPanels, panelStart + _tilePanels);
            int kBlocks = KBlockCount(_k);
            for (int kb = 0; kb < kBlocks; kb++)
            {
                (int pc, int kc) = KBlock(_k, kBlocks, kb);
                bool first = kb == 0;
                bool add = !first || _accumulate;
                float* bias = first ? _rowBias : null;
                float* blockB = _packedB + ((nint)pc * _nPanels * NR);
                for (int panel = panelStart; panel < panelEnd; panel++)
                {
                    float* panelB = blockB + ((nint)panel * kc * NR);
                    int col = panel * NR;
                    int cols = Math.Min(NR, _n - col);
                    for (int row = rowStart; row < rowEnd; row += MR)
                    {
                        int rows = Math.Min(MR, rowEnd - row);
                        float* a = _a + ((nint)row * _lda) + pc;
                        float* c = _c + ((nint)row * _ldc) + col;
                        float* rb = bias == null ? null : bias + row;
                        switch (_level)
                        {
                            case SimdLevel.Avx2Fma:
                                KernelAvx2(kc, a, _lda, panelB, c, _ldc, rows, cols, add, rb);
                                break;
                            case SimdLevel.Vector128:
                                KernelVector128(kc, a, _lda, panelB, c, _ldc, rows, cols, add, rb);
                                break;
                            default:
                                KernelScalar(kc, a, _lda, panelB, c, _ldc, rows, cols, add, rb);
                                break;
                        }
                    }
                }
            }
        }
    }

    internal static int CeilDiv(int x, int y) => (x + y - 1) / y;

    /// <summary>Number of packed B panels for n columns.</summary>
    internal static int PanelCount(int n) => CeilDiv(n, NR);

    /// <summary>Floats a packed B of n columns and k rows needs.</summary>
    internal static long PackedBLength(int n, int k) => (long)k * PanelCount(n) * NR;

    /// <summary>Number of k blocks; blocks are of (nearly) equal size, none over <see cref="KC"/>.</summary>
    internal static int KBlockCount(int k) => Math.Max(1, CeilDiv(k, KC));

    /// <summary>Start and length of k block <paramref name="index"/>; sizes differ by at most 1.</summary>
    internal static (int Start, int Length) KBlock(int k, int blockCount, int index)
    {
        int baseLength = k / blockCount;
        int longer = k % blockCount;
        int start = (index * baseLength) + Math.Min(index, longer);
        return (start, baseLength + (index < longer ? 1 : 0));
    }
}
