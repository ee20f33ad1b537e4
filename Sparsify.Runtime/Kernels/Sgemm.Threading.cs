using System.Runtime.CompilerServices;

namespace Sparsify.Runtime.Kernels;

internal static unsafe partial class Sgemm
{
    /// <summary>The degree of parallelism to use: 1 for small problems, else the request (≤ 0: all cores).</summary>
    internal static int EffectiveParallelism(int requested, long macs)
    {
        if (macs < ParallelThresholdMacs)
        {
            return 1;
        }

        return WorkerThreads.Count(requested);
    }

    /// <summary>Runs <paramref name="body"/>(state, i) for 0..count-1, on the calling thread when dop is 1.</summary>
    internal static void RunParallel<TState>(int count, int dop, in TState state, IndexBody<TState> body)
        => WorkerThreads.For(count, dop, state, body);

    /// <summary>One GEMM split into tiles of C; each tile is independent work for one thread.</summary>
    /// <remarks>
    /// Per k block a tile packs its A rows (rows × kc, at most <see cref="MC"/> × <see cref="KC"/>: L2),
    /// then per panel packs B (kc × NR: a stack buffer in L1) and runs the micro-kernel down the rows.
    /// Panels with at most 8 real columns use the 12×8 kernel, which does half the work; with AVX-512 the
    /// others use the 12×16 kernel, one 512-bit vector per row. A tile with
    /// at most <see cref="UnpackedAMaxPanels"/> panels reads A in place instead: packing it would not
    /// pay for itself (fully connected layers at small batch, 7×7 feature maps).
    /// </remarks>
    private readonly struct GemmJob<TSource>
        where TSource : struct, IPanelSource
    {
        private readonly int _m, _n, _k, _lda, _ldc;
        private readonly float* _a, _c, _rowBias, _residual;
        private readonly TSource _b;
        private readonly PackedA? _packedA;
        private readonly bool _accumulate;
        private readonly Activation _activation;
        private readonly SimdLevel _level;
        private readonly int _nPanels, _tileRows, _tilePanels, _mTiles;

        public GemmJob(int m, int n, int k, float* a, int lda, PackedA? packedA, in TSource b, float* c, int ldc, bool accumulate, float* rowBias, float* residual, Activation activation, SimdLevel level, int dop)
        {
            _packedA = packedA;
            _residual = residual;
            _activation = activation;
            _m = m;
            _n = n;
            _k = k;
            _a = a;
            _lda = lda;
            _b = b;
            _c = c;
            _ldc = ldc;
            _accumulate = accumulate;
            _rowBias = rowBias;
            _level = level;
            _nPanels = PanelCount(n);
            (int mBlocks, int nBlocks) = PlanTiles(m, n, k, dop);
            _tileRows = CeilDiv(CeilDiv(m, MR), mBlocks) * MR;
            _mTiles = CeilDiv(m, _tileRows);
            _tilePanels = CeilDiv(_nPanels, nBlocks);
            TileCount = _mTiles * CeilDiv(_nPanels, _tilePanels);
        }

        public int TileCount { get; }

        [SkipLocalsInit]
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void RunTile(int tile)
        {
            int rowStart = tile % _mTiles * _tileRows;
            int rowEnd = Math.Min(_m, rowStart + _tileRows);
            int panelStart = tile / _mTiles * _tilePanels;
            int panelEnd = Math.Min(_nPanels, panelStart + _tilePanels);
            int kBlocks = KBlockCount(_k);
            bool packA = _packedA == null && (_level != SimdLevel.Avx2Fma || panelEnd - panelStart > UnpackedAMaxPanels);
            float* bBuffer = stackalloc float[(KC * NR) + 16];
            float* panelB = (float*)(((nint)bBuffer + 63) & ~(nint)63);
            float* aBuffer = packA ? ThreadScratch.PackedA((CeilDiv(_tileRows, MR) * MR * KC) + 32) : null;
            float* packedA = (float*)(((nint)aBuffer + 63) & ~(nint)63);
            for (int kb = 0; kb < kBlocks; kb++)
            {
                (int pc, int kc) = KBlock(_k, kb);
                if (_packedA != null)
                {
                    packedA = _packedA.Block(pc, kc, rowStart);
                }
                else if (packA)
                {
                    for (int row = rowStart; row < rowEnd; row += MR)
                    {
                        PackA(_a + ((nint)row * _lda) + pc, _lda, Math.Min(MR, rowEnd - row), kc, packedA + ((nint)(row - rowStart) * kc), _level);
                    }
                }

                bool add = kb > 0 || _accumulate;
                float* bias = kb == 0 ? _rowBias : null;
                for (int panel = panelStart; panel < panelEnd; panel++)
                {
                    _b.PackPanel(panel, pc, kc, panelB);
                    int col = panel * NR;
                    int cols = Math.Min(NR, _n - col);
                    if (packedA != null)
                    {
                        PanelPacked(kc, packedA, rowStart, rowEnd, panelB, col, cols, add, bias);
                    }
                    else
                    {
                        PanelUnpacked(kc, pc, rowStart, rowEnd, panelB, col, cols, add, bias);
                    }

                    if (kb == kBlocks - 1 && (_residual != null || !_activation.IsNone))
                    {
                        // The panel's C is final and in L1: its epilogue now, not over the whole tile later.
                        if (cols == NR)
                        {
                            Epilogue.ApplyPanel(_c, _residual, _ldc, rowStart, rowEnd, col, _activation);
                        }
                        else
                        {
                            Epilogue.Apply(_c, _residual, _ldc, rowStart, rowEnd, col, col + cols, _activation);
                        }
                    }
                }
            }
        }

        /// <summary>One packed B panel against the tile's rows of packed A.</summary>
        private void PanelPacked(int kc, float* packedA, int rowStart, int rowEnd, float* panelB, int col, int cols, bool add, float* bias)
        {
            // The 12-row kernels (two 6-row A panels a call): 512-bit for a full-width panel, 12×8 for a narrow one.
            bool wide = _level == SimdLevel.Avx512 && cols > NR / 2;
            if (wide || (cols <= NR / 2 && _level >= SimdLevel.Avx2Fma))
            {
                for (int row = rowStart; row < rowEnd; row += 2 * MR)
                {
                    int rows = Math.Min(2 * MR, rowEnd - row);
                    float* a0 = packedA + ((nint)(row - rowStart) * kc);
                    float* a1 = rows > MR ? a0 + (MR * kc) : a0;
                    float* c = _c + ((nint)row * _ldc) + col;
                    float* rb = bias == null ? null : bias + row;
                    if (wide)
                    {
                        KernelAvx512(kc, a0, a1, panelB, c, _ldc, rows, cols, add, rb);
                    }
                    else
                    {
                        KernelAvx2Narrow(kc, a0, a1, panelB, c, _ldc, rows, cols, add, rb);
                    }
                }

                return;
            }

            for (int row = rowStart; row < rowEnd; row += MR)
            {
                int rows = Math.Min(MR, rowEnd - row);
                float* a = packedA + ((nint)(row - rowStart) * kc);
                float* c = _c + ((nint)row * _ldc) + col;
                float* rb = bias == null ? null : bias + row;
                switch (_level)
                {
                    case SimdLevel.Avx2Fma or SimdLevel.Avx512:
                        KernelAvx2(kc, a, panelB, c, _ldc, rows, cols, add, rb);
                        break;
                    case SimdLevel.Vector128:
                        KernelVector128(kc, a, panelB, c, _ldc, rows, cols, add, rb);
                        break;
                    default:
                        KernelScalar(kc, a, panelB, c, _ldc, rows, cols, add, rb);
                        break;
                }
            }
        }

        /// <summary>One packed B panel against the tile's rows of A read in place (AVX2 only).</summary>
        private void PanelUnpacked(int kc, int pc, int rowStart, int rowEnd, float* panelB, int col, int cols, bool add, float* bias)
        {
            for (int row = rowStart; row < rowEnd; row += MR)
            {
                int rows = Math.Min(MR, rowEnd - row);
                float* a = _a + ((nint)row * _lda) + pc;
                float* c = _c + ((nint)row * _ldc) + col;
                float* rb = bias == null ? null : bias + row;
                if (cols <= NR / 2)
                {
                    KernelAvx2UnpackedNarrow(kc, a, _lda, panelB, c, _ldc, rows, cols, add, rb);
                }
                else
                {
                    KernelAvx2Unpacked(kc, a, _lda, panelB, c, _ldc, rows, cols, add, rb);
                }
            }
        }
    }

    /// <summary>
    /// Splits C into mBlocks × nBlocks tiles. Each extra column block re-packs A (weights: often read
    /// from DRAM), each extra row block re-packs B (im2col: from cache); a tile's rows are capped at
    /// <see cref="MC"/>. With dop threads it picks the split with the least estimated time, counting
    /// packing and the idle time of uneven rounds. The split only moves work between threads: every
    /// element is computed the same way whatever it is.
    /// </summary>
    internal static (int MBlocks, int NBlocks) PlanTiles(int m, int n, int k, int dop)
    {
        int mPanels = CeilDiv(m, MR);
        int nPanels = PanelCount(n);
        int minM = CeilDiv(mPanels, MC / MR);
        if (dop <= 1)
        {
            return (minM, 1);
        }

        double best = double.MaxValue;
        (int, int) choice = (minM, 1);
        int maxBlocks = 8 * dop;
        for (int mb = minM; mb <= Math.Min(mPanels, Math.Max(minM, maxBlocks)); mb++)
        {
            int rowsPerTile = CeilDiv(mPanels, mb);
            if (CeilDiv(mPanels, rowsPerTile) != mb)
            {
                continue; // same tiles as a smaller count
            }

            for (int nb = 1; nb <= Math.Min(nPanels, maxBlocks); nb++)
            {
                int panelsPerTile = CeilDiv(nPanels, nb);
                if (CeilDiv(nPanels, panelsPerTile) != nb)
                {
                    continue;
                }

                // Cycles, roughly: FMA work of the largest tile per round (6 cycles per 6×16 step),
                // A packing ~1 cycle per float per column block, B (im2col) packing ~1 per float per row block,
                // and half a tile for a thread that starts late (other processes, the OS).
                int tiles = mb * nb;
                int rounds = CeilDiv(tiles, dop);
                double tileWork = (double)rowsPerTile * panelsPerTile * k * 6;
                double packing = (((double)mPanels * MR * k * nb) + ((double)nPanels * NR * k * mb)) / dop;
                double cost = ((rounds + 0.5) * tileWork) + packing;
                if (cost < best * 0.999)
                {
                    best = cost;
                    choice = (mb, nb);
                }
            }
        }

        return choice;
    }
}
