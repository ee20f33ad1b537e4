using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sparsify.Runtime.Kernels;

/// <summary>
/// Runs a sparse convolution of one image from a <see cref="ConvTileBody"/>: fills the
/// <see cref="ConvInputLayout"/>, splits (row group, block of tiles) work items over threads, and stores each
/// tile through the epilogue (bias, optional residual, optional ReLU) into the valid NCHW pixels.
/// </summary>
/// <remarks>
/// Every output value is computed by one body call and one epilogue whatever thread runs it, so the
/// results are bitwise the same for any thread count. The instance owns its layout and tile buffers
/// (allocated on the first call for a thread count, reused after): one instance must not run
/// concurrently with itself.
/// </remarks>
public sealed unsafe partial class SparseConvolutionDriver
{
    private const int Tile = SparseConvolution.TilePixels;

    /// <summary>Below this many layout floats the fill runs on one thread.</summary>
    private const int ParallelFillFloats = 1 << 14;

    private readonly ConvGeometry _geometry;
    private readonly ConvGeometry _layoutGeometry;
    private readonly ConvInputLayout _layout;
    private readonly ConvTileBody _body;
    private readonly int _rowsPerGroup;
    private readonly int _groups;
    private readonly int _groupsPerConvGroup;
    private readonly long _convGroupStride;
    private readonly float[] _bias;
    private readonly Action<int> _worker;
    private float[]? _buffer;
    private float* _bufferPointer;
    private float[][] _tiles = [];

    // The current call, read by the worker delegates (set before, cleared after each fork): the one
    // piece of per-call state, handed down to the items and the epilogue as a parameter.
    private Call _call;
    private int _fillChunks;
    private WorkCounters _counters;

    /// <summary>Prepares a convolution whose body computes <paramref name="rowsPerGroup"/> output channels per call.</summary>
    /// <param name="g">The convolution (batch 1 per <see cref="Run(ReadOnlySpan{float}, ReadOnlySpan{float}, Activation, Span{float}, int)"/>).</param>
    /// <param name="rowsPerGroup">Rows per body call; must divide OutChannels / Group.</param>
    /// <param name="body">Computes one (row group, tile) item.</param>
    /// <param name="bias">One value per output channel, or empty for none.</param>
    /// <exception cref="ArgumentException">rowsPerGroup does not divide the rows of a conv group, the bias has the wrong length, or the geometry is invalid.</exception>
    public SparseConvolutionDriver(in ConvGeometry g, int rowsPerGroup, ConvTileBody body, ReadOnlySpan<float> bias)
        : this(g, g, rowsPerGroup, body, bias)
    {
    }

    /// <summary>
    /// Prepares a convolution that reads the input layout of another convolution of the same image,
    /// <paramref name="layoutOf"/> (see <see cref="ConvInputLayout.CanHost"/>): its body's offsets are that
    /// layout's, and it can run in the same fork as a driver of that convolution, which fills the layout once
    /// for both (a <see cref="SparseConvolutionStep"/> with this driver as its companion).
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="layoutOf">The convolution whose input layout the body reads.</param>
    /// <param name="rowsPerGroup">Rows per body call; must divide OutChannels / Group.</param>
    /// <param name="body">Computes one (row group, tile) item with offsets into the layout of <paramref name="layoutOf"/>.</param>
    /// <param name="bias">One value per output channel, or empty for none.</param>
    /// <exception cref="ArgumentException">The layout of <paramref name="layoutOf"/> cannot hold the taps of <paramref name="g"/>, rowsPerGroup does not divide the rows of a conv group, the bias has the wrong length, or a geometry is invalid.</exception>
    public SparseConvolutionDriver(in ConvGeometry g, in ConvGeometry layoutOf, int rowsPerGroup, ConvTileBody body, ReadOnlySpan<float> bias)
    {
        ArgumentNullException.ThrowIfNull(body);
        _ = ConvInputLayout.For(g);
        _layout = ConvInputLayout.For(layoutOf);
        if (!_layout.CanHost(g))
        {
            throw new ArgumentException($"the input layout of {layoutOf} cannot hold the taps of {g}", nameof(layoutOf));
        }

        if (rowsPerGroup < 1 || g.OutChannelsPerGroup % rowsPerGroup != 0)
        {
            throw new ArgumentException($"{rowsPerGroup} rows per group does not divide the {g.OutChannelsPerGroup} output channels of a conv group", nameof(rowsPerGroup));
        }

        if (!bias.IsEmpty && bias.Length != g.OutChannels)
        {
            throw new ArgumentException($"the bias holds {bias.Length} values for {g.OutChannels} output channels", nameof(bias));
        }

        _geometry = g;
        _layoutGeometry = layoutOf;
        _body = body;
        _rowsPerGroup = rowsPerGroup;
        _groups = g.OutChannels / rowsPerGroup;
        _groupsPerConvGroup = g.OutChannelsPerGroup / rowsPerGroup;
        _convGroupStride = (long)g.InChannelsPerGroup * g.StrideH * g.StrideW * _layout.PlaneStride;
        _bias = bias.IsEmpty ? new float[g.OutChannels] : bias.ToArray();
        _worker = Worker;
    }

    /// <summary>The input layout this driver fills.</summary>
    public ConvInputLayout Layout => _layout;

    /// <summary>Output channels per body call.</summary>
    public int RowsPerGroup => _rowsPerGroup;

    /// <summary>Work items per image: row groups × blocks of consecutive tiles.</summary>
    public int WorkItems => ((_layout.TileCount + TilesPerItem - 1) / TilesPerItem) * _groups;

    /// <summary>
    /// Consecutive tiles one work item computes for its row group: the group's weights (or code) stay
    /// in L1 over them, and each channel's stores form longer runs.
    /// </summary>
    private const int TilesPerItem = 4;

    /// <summary>
    /// Convolves one image: output = <paramref name="activation"/>(body sums + bias (+ residual)).
    /// </summary>
    /// <param name="input">InChannels × InHeight × InWidth floats.</param>
    /// <param name="residual">Empty, or a tensor of the output's shape added before the activation; it must not overlap <paramref name="output"/>.</param>
    /// <param name="activation">The function applied last (true: ReLU, false: none).</param>
    /// <param name="output">OutChannels × OutHeight × OutWidth floats.</param>
    /// <param name="threads">Worker threads (1 runs on the calling thread; 0 or less: every processor).</param>
    /// <exception cref="ArgumentException">A span is too short, the residual is neither empty nor of the output's length, or it overlaps the output.</exception>
    public void Run(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, Activation activation, Span<float> output, int threads)
        => Execute(input, fed: false, residual, activation, output, next: null, threads, default);

    /// <summary>
    /// Every kind of run, its wiring already checked (<see cref="SparseConvolutionStep"/>): from the image
    /// (<paramref name="fed"/> false: the layout is filled from <paramref name="input"/>) or from the layout a
    /// feeding driver wrote, into <paramref name="output"/> or (when <paramref name="next"/> is not null) into
    /// next's input layout, with an optional companion. Only the spans of the call are checked here.
    /// </summary>
    internal void Execute(ReadOnlySpan<float> input, bool fed, ReadOnlySpan<float> residual, Activation activation, Span<float> output, SparseConvolutionDriver? next, int threads, in CompanionCall companion)
    {
        if (fed && !_layoutFed)
        {
            throw new InvalidOperationException("no convolution has written this convolution's input layout since it last ran");
        }

        if (!fed)
        {
            _layout.CheckLengths(input.Length, int.MaxValue);
        }

        if (next is null)
        {
            CheckOutput(residual, output);
        }
        else
        {
            CheckResidual(residual);
        }

        var workers = Workers(threads);
        Prepare(workers, next);
        _layoutFed = false;
        fixed (float* inputPointer = input)
        fixed (float* residualPointer = residual)
        fixed (float* outputPointer = output)
        {
            _call = new Call
            {
                Input = fed ? null : inputPointer,
                LayoutBase = !fed && _layout.IsIdentity ? inputPointer : _bufferPointer,
                Residual = residual.IsEmpty ? null : residualPointer,
                Output = next is null ? outputPointer : null,
                Activation = activation,
                Target = next is null ? default : next.AsTarget(),
            };

            try
            {
                RunPhases(workers, companion, fill: !fed);
                if (next is not null)
                {
                    next._layoutFed = true;
                }
            }
            finally
            {
                _call = default;
            }
        }
    }

    /// <summary>
    /// One fork per image: workers first claim layout-fill chunks, wait until every claimed chunk is
    /// done, then claim (group, tile block) items, this driver's and then a companion's. A worker that
    /// starts late finds the fill finished; one that never starts holds nothing up, since a chunk is only
    /// waited for once some worker runs it.
    /// </summary>
    private void RunPhases(int workers, in CompanionCall companion, bool fill)
    {
        _fillChunks = _layout.IsIdentity || !fill ? 0
            : _layout.BufferLength < ParallelFillFloats || workers == 1 ? 1
            : Math.Min(_geometry.InChannels, 4 * workers);
        _counters = default;
        var partner = companion.Driver;
        if (partner is null)
        {
            WorkerThreads.Run(workers, _worker);
            return;
        }

        fixed (float* companionOutput = companion.Output)
        {
            partner.EnsureTiles(workers);
            _companion = partner;
            _companionCall = new Call { LayoutBase = _call.LayoutBase, Output = companionOutput, Activation = companion.Activation };
            try
            {
                WorkerThreads.Run(workers, _worker);
            }
            finally
            {
                _companion = null;
                _companionCall = default;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Worker(int worker)
    {
        int chunk;
        while ((chunk = Interlocked.Increment(ref _counters.NextFill) - 1) < _fillChunks)
        {
            var channels = _geometry.InChannels;
            var first = (int)((long)channels * chunk / _fillChunks);
            var end = (int)((long)channels * (chunk + 1) / _fillChunks);
            _layout.FillChannels(_call.Input, _bufferPointer, first, end, interiorOnly: true);
            Interlocked.Increment(ref _counters.Filled);
        }

        if (Volatile.Read(ref _counters.Filled) < _fillChunks)
        {
            var spin = default(SpinWait);
            while (Volatile.Read(ref _counters.Filled) < _fillChunks)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }

        // Locals: the interlocked claims are full fences, after which fields would be read again.
        var call = _call;
        var tile = TileOf(worker);
        var items = WorkItems;
        var companion = _companion;
        var companionCall = _companionCall;
        var companionTile = companion is null ? null : companion.TileOf(worker);
        var allItems = items + (companion?.WorkItems ?? 0);
        int item;
        while ((item = Interlocked.Increment(ref _counters.NextItem) - 1) < allItems)
        {
            if (item < items)
            {
                RunItem(item, in call, tile);
            }
            else
            {
                companion!.RunItem(item - items, in companionCall, companionTile);
            }
        }
    }

    /// <summary>One work item: a row group over a block of consecutive tiles, each stored through the epilogue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunItem(int item, in Call call, float* tile)
    {
        var body = _body;
        var block = item / _groups;
        var group = item - (block * _groups);
        var groupLayout = call.LayoutBase + ((group / _groupsPerConvGroup) * _convGroupStride);
        var lastTile = Math.Min(_layout.TileCount, (block + 1) * TilesPerItem);
        var gridPixels = _layout.GridPixels;
        for (var tileIndex = block * TilesPerItem; tileIndex < lastTile; tileIndex++)
        {
            var pixels = Math.Min(Tile, (gridPixels - (tileIndex * Tile) + 7) & ~7);
            body(group, groupLayout + ((long)tileIndex * Tile), tile, pixels);
            var store = new TileStore(this, group, tileIndex, tile, call);
            call.Activation.Specialize(ref store);
        }
    }

    /// <summary>The worker's tile buffer, aligned to a cache line.</summary>
    private float* TileOf(int worker)
    {
        var tile = (float*)Unsafe.AsPointer(ref _tiles[worker][0]);
        return (float*)(((nint)tile + 63) & ~(nint)63);
    }

    /// <summary>Throws unless the output holds the results and the residual is empty or as long, apart from it.</summary>
    private void CheckOutput(ReadOnlySpan<float> residual, Span<float> output)
    {
        var outputFloats = _geometry.OutChannels * _geometry.OutHeight * _geometry.OutWidth;
        if (output.Length < outputFloats)
        {
            throw new ArgumentException($"the output holds {output.Length} floats, the convolution writes {outputFloats}", nameof(output));
        }

        CheckResidual(residual);
        if (residual.Overlaps(output))
        {
            throw new ArgumentException("the residual and the output must not overlap", nameof(residual));
        }
    }

    private void CheckResidual(ReadOnlySpan<float> residual)
    {
        var outputFloats = _geometry.OutChannels * _geometry.OutHeight * _geometry.OutWidth;
        if (!residual.IsEmpty && residual.Length < outputFloats)
        {
            throw new ArgumentException($"the residual holds {residual.Length} floats, the output {outputFloats}", nameof(residual));
        }
    }

    internal int Workers(int threads) => Math.Max(1, Math.Min(WorkerThreads.Count(threads), WorkItems));

    /// <summary>Allocates what a run on <paramref name="workers"/> threads writes (once; later calls find it there).</summary>
    internal void Prepare(int workers, SparseConvolutionDriver? next)
    {
        EnsureLayoutBuffer();
        EnsureTiles(workers);
        next?.EnsureLayoutBuffer();
    }

    private void EnsureTiles(int workers)
    {
        if (_tiles.Length < workers)
        {
            var tiles = new float[workers][];
            for (var w = 0; w < workers; w++)
            {
                tiles[w] = w < _tiles.Length ? _tiles[w] : GC.AllocateArray<float>((_rowsPerGroup * Tile) + 32, pinned: true);
            }

            _tiles = tiles;
        }
    }

    private void EnsureLayoutBuffer()
    {
        if (_buffer is null && !_layout.IsIdentity)
        {
            // Zeroed once: the fill (or a feeding driver) only ever writes the image's floats, the padding stays zero.
            _buffer = GC.AllocateArray<float>(_layout.BufferLength + 16, pinned: true);
            var start = (float*)Unsafe.AsPointer(ref _buffer[0]);
            _bufferPointer = (float*)(((nint)start + 63) & ~(nint)63);
        }
    }

    /// <summary>
    /// The counters the workers update, each on its own cache line and away from the fields they
    /// only read, so claiming work does not invalidate the other core's copy of those fields.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct WorkCounters
    {
        [FieldOffset(64)]
        public int NextFill;

        [FieldOffset(128)]
        public int Filled;

        [FieldOffset(192)]
        public int NextItem;
    }
}
