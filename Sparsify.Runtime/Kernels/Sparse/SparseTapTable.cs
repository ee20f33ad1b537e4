using System.Runtime.CompilerServices;
using Sparsify.Runtime.Formats;

namespace Sparsify.Runtime.Kernels;

/// <summary>
/// A table-driven tile body: for every row group, its taps as layout offsets and, per tap, the
/// weights of the group's rows side by side, built once from a compressed layer.
/// </summary>
/// <remarks>
/// The arrays live on the pinned object heap, so the hot loop reads them through fixed pointers taken
/// once. Entries whose weights are all zero for the group (relative-index padding) are dropped.
/// </remarks>
internal sealed unsafe class SparseTapTable
{
    private readonly int[] _tapStarts;
    private readonly int[] _offsets;
    private readonly float[] _values;
    private readonly int* _offsetsPointer;
    private readonly float* _valuesPointer;

    private SparseTapTable(int rowsPerGroup, int[] tapStarts, List<int> offsets, List<float> values)
    {
        RowsPerGroup = rowsPerGroup;
        _tapStarts = tapStarts;

        // One spare element each so an empty table still has a valid address.
        _offsets = GC.AllocateArray<int>(offsets.Count + 1 + SparseTileKernels.PrefetchTaps, pinned: true);
        _values = GC.AllocateArray<float>(values.Count + 1, pinned: true);
        offsets.CopyTo(_offsets);
        values.CopyTo(_values);
        _offsetsPointer = (int*)Unsafe.AsPointer(ref _offsets[0]);
        _valuesPointer = (float*)Unsafe.AsPointer(ref _values[0]);
    }

    /// <summary>Output rows computed per body call.</summary>
    public int RowsPerGroup { get; }

    /// <summary>Row groups: OutChannels / RowsPerGroup.</summary>
    public int GroupCount => _tapStarts.Length - 1;

    /// <summary>Taps stored for all groups (nonzero MACs per grid pixel = Taps · RowsPerGroup).</summary>
    public int Taps => _offsets.Length - 1 - SparseTileKernels.PrefetchTaps;

    /// <summary>
    /// The table of a group-format matrix (rows = output channels, columns = (channel, kh, kw) of a
    /// conv group, or input features when <paramref name="columnOffset"/> is the identity).
    /// Rows per group is gcd(G, rows per conv group) so no body call crosses a conv group.
    /// </summary>
    public static SparseTapTable FromGroups(GroupLayer weights, int rowsPerConvGroup, Func<int, int> columnOffset)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var rowsPerGroup = Gcd(weights.GroupSize, rowsPerConvGroup);
        var groups = weights.Rows / rowsPerGroup;
        var columns = weights.AbsoluteColumns();
        var groupPointers = weights.GroupPointers;
        var valuePointers = weights.ValuePointers;
        var stored = weights.Values;
        var tapStarts = new int[groups + 1];
        var offsets = new List<int>();
        var values = new List<float>();
        for (var group = 0; group < groups; group++)
        {
            var firstRow = group * rowsPerGroup;
            var source = firstRow / weights.GroupSize;
            var lane = firstRow - (source * weights.GroupSize);
            var height = weights.GroupHeight(source);
            for (var e = groupPointers[source]; e < groupPointers[source + 1]; e++)
            {
                var lanes = stored.Slice(valuePointers[source] + ((e - groupPointers[source]) * height) + lane, rowsPerGroup);
                if (lanes.ContainsAnyExcept(0f))
                {
                    offsets.Add(columnOffset(columns[e]));
                    foreach (var v in lanes)
                    {
                        values.Add(v);
                    }
                }
            }

            tapStarts[group + 1] = offsets.Count;
        }

        return new SparseTapTable(rowsPerGroup, tapStarts, offsets, values);
    }

    /// <summary>The table of a CSR matrix: one row per group.</summary>
    public static SparseTapTable FromCsr(CsrLayer weights, Func<int, int> columnOffset)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var rowPointers = weights.RowPointers;
        var columns = weights.ColumnIndices;
        var stored = weights.Values;
        var tapStarts = new int[weights.Rows + 1];
        var offsets = new List<int>(stored.Length);
        var values = new List<float>(stored.Length);
        for (var r = 0; r < weights.Rows; r++)
        {
            for (var k = rowPointers[r]; k < rowPointers[r + 1]; k++)
            {
                if (stored[k] != 0f)
                {
                    offsets.Add(columnOffset(columns[k]));
                    values.Add(stored[k]);
                }
            }

            tapStarts[r + 1] = offsets.Count;
        }

        return new SparseTapTable(1, tapStarts, offsets, values);
    }

    /// <summary>The tap range [start, end) of a group.</summary>
    public (int Start, int End) TapRange(int group) => (_tapStarts[group], _tapStarts[group + 1]);

    /// <summary>The offset of tap number <paramref name="tap"/> (all groups counted).</summary>
    public int OffsetAt(int tap) => _offsets[tap];

    /// <summary>The weight of tap <paramref name="tap"/> for lane <paramref name="lane"/> of its group.</summary>
    public float ValueAt(int tap, int lane) => _values[(tap * RowsPerGroup) + lane];

    /// <summary>The pinned offsets of every tap, group after group.</summary>
    public int* OffsetsPointer => _offsetsPointer;

    /// <summary>The pinned weights, RowsPerGroup per tap.</summary>
    public float* ValuesPointer => _valuesPointer;

    /// <summary>The <see cref="ConvTileBody"/> of this table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ComputeTile(int group, float* input, float* tile, int pixels)
    {
        var start = _tapStarts[group];
        var taps = _tapStarts[group + 1] - start;
        SparseTileKernels.Compute(input, _offsetsPointer + start, taps, _valuesPointer + ((long)start * RowsPerGroup), RowsPerGroup, RowsPerGroup, tile, pixels);
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
