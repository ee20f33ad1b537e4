namespace Sparsify.Core.Sparsity.DataAware;

/// <summary>
/// The schemes' structures as sweep decisions. Each removes, in every block, the weights (or shared
/// columns) of least OBS saliency w²/[H⁻¹]ⱼⱼ as the sweep has updated them; how many each block
/// removes follows the ranking of the whole layer before the sweep (a block of unimportant input
/// channels gives up more), and every pool ends with exactly the count the magnitude scheme would
/// remove: the sparsity, balance and buffer accounting of the scheme stay as they are.
/// </summary>
internal static class ObsSelectors
{
    /// <summary>The selector for <paramref name="scheme"/>'s structure, or null when it has no data-aware form.</summary>
    public static IObsSelector? For(string scheme, WeightMatrix matrix, double sparsity, SchemeSettings settings) => scheme switch
    {
        "unstructured" => new PooledSelector(matrix, settings, sparsity, _ => 0, 1, SchemeChecks.KeepCount(matrix.Values.Length, sparsity)),
        "balanced" => Balanced(matrix, sparsity, settings),
        "locality" => new SharedColumnSelector(matrix, sparsity, settings.GroupSize),
        "nm" => new NmSelector(NmScheme.ResolveN(sparsity, settings), settings.M),
        _ => null,
    };

    private static PooledSelector Balanced(WeightMatrix matrix, double sparsity, SchemeSettings settings)
    {
        var used = Math.Min(settings.PeCount, matrix.Rows);
        var capacities = new long[used];
        for (var p = 0; p < used; p++)
        {
            capacities[p] = (long)((matrix.Rows - p + settings.PeCount - 1) / settings.PeCount) * matrix.Columns;
        }

        var shares = BalancedScheme.EvenSplit(SchemeChecks.KeepCount(matrix.Values.Length, sparsity), capacities);
        return new PooledSelector(matrix, settings, sparsity, r => r % settings.PeCount, used, shares);
    }

    // A share of a pool's removal count: after [0, seenAfter) of its size it has removed round(total × seen / size).
    private static long Quota(long total, long size, long seenBefore, long seenAfter) =>
        (long)Math.Round((double)total * seenAfter / size, MidpointRounding.ToEven) - (long)Math.Round((double)total * seenBefore / size, MidpointRounding.ToEven);

    // Per block, how many of `remove` lowest-scoring cells (each in column column(i)) fall in it.
    private static int[] BlockCounts(float[] scores, int remove, Func<int, int> column, int prunable, int blockColumns)
    {
        var kept = new bool[scores.Length];
        TopK.SelectLargest(scores, scores.Length - remove, kept);
        var counts = new int[(prunable + blockColumns - 1) / blockColumns];
        for (var i = 0; i < scores.Length; i++)
        {
            if (!kept[i])
            {
                counts[column(i) / blockColumns]++;
            }
        }

        return counts;
    }

    /// <summary>
    /// Weights removed one by one, from pools of rows that share a count: the whole layer
    /// (unstructured) or each PE's interleaved rows (balanced).
    /// </summary>
    private sealed class PooledSelector : IObsSelector
    {
        private readonly Func<int, int> _poolOf;
        private readonly long[] _remove;
        private readonly long[] _size;
        private readonly long[] _seen;
        private readonly int _rowsPerGroup;

        public PooledSelector(WeightMatrix matrix, SchemeSettings settings, double sparsity, Func<int, int> poolOf, int pools, params long[] keep)
        {
            _poolOf = poolOf;
            _rowsPerGroup = matrix.Rows / matrix.ConvGroups;
            _remove = new long[pools];
            _size = new long[pools];
            _seen = new long[pools];
            for (var r = 0; r < matrix.Rows; r++)
            {
                _size[poolOf(r)] += matrix.Columns;
            }

            for (var p = 0; p < pools; p++)
            {
                _remove[p] = _size[p] - keep[p];
            }
        }

        private int[][] _blockQuota = [];
        private int _blockColumns;

        public int Width => 0;

        public void Prepare(int convGroup, ReadOnlySpan<float> weights, int n, int prunable, ReadOnlySpan<float> inverseDiagonal, int blockColumns)
        {
            _blockColumns = blockColumns;
            var rows = weights.Length / n;
            _blockQuota = new int[_remove.Length][];
            foreach (var (pool, poolRows) in Members(convGroup, rows))
            {
                var cells = (long)poolRows.Count * prunable;
                var remove = (int)Quota(_remove[pool], _size[pool], _seen[pool], _seen[pool] + cells);
                _seen[pool] += cells;
                var scores = new float[cells];
                var i = 0;
                foreach (var r in poolRows)
                {
                    for (var c = 0; c < prunable; c++)
                    {
                        var w = weights[(r * n) + c];
                        scores[i++] = w * w / inverseDiagonal[c];
                    }
                }

                _blockQuota[pool] = BlockCounts(scores, remove, k => k % prunable, prunable, blockColumns);
            }
        }

        public void Select(int convGroup, int first, int count, ReadOnlySpan<float> weights, ReadOnlySpan<float> denominators, Span<bool> remove)
        {
            var rows = weights.Length / count;
            foreach (var (pool, poolRows) in Members(convGroup, rows))
            {
                var cells = poolRows.Count * count;
                var quota = _blockQuota[pool][first / _blockColumns];
                var scores = new float[cells];
                var i = 0;
                foreach (var r in poolRows)
                {
                    for (var c = 0; c < count; c++)
                    {
                        var w = weights[(r * count) + c];
                        scores[i++] = w * w / denominators[c];
                    }
                }

                var kept = new bool[cells];
                TopK.SelectLargest(scores, cells - quota, kept);
                i = 0;
                foreach (var r in poolRows)
                {
                    for (var c = 0; c < count; c++)
                    {
                        remove[(r * count) + c] = !kept[i++];
                    }
                }
            }
        }

        // The pools with rows in this conv group, and those rows (relative to the group), in order.
        private IEnumerable<(int Pool, List<int> Rows)> Members(int convGroup, int rows)
        {
            var members = new List<int>[_remove.Length];
            for (var r = 0; r < rows; r++)
            {
                (members[_poolOf((convGroup * _rowsPerGroup) + r)] ??= []).Add(r);
            }

            for (var p = 0; p < members.Length; p++)
            {
                if (members[p] is { } poolRows)
                {
                    yield return (p, poolRows);
                }
            }
        }
    }

    /// <summary>
    /// Locality: each group of G rows removes whole columns, scored by the group's summed saliency,
    /// so its rows keep one shared column set; every group keeps the same number of columns.
    /// </summary>
    private sealed class SharedColumnSelector : IObsSelector
    {
        private readonly IReadOnlyList<ChannelGroup> _groups;
        private readonly int _rowsPerConvGroup;
        private readonly long _removeColumns;

        public SharedColumnSelector(WeightMatrix matrix, double sparsity, int groupSize)
        {
            _groups = ChannelGroups.Of(matrix, groupSize);
            _rowsPerConvGroup = matrix.Rows / matrix.ConvGroups;
            _removeColumns = matrix.Columns - SchemeChecks.KeepCount(matrix.Columns, sparsity);
        }

        private readonly Dictionary<int, int[]> _blockQuota = [];
        private int _blockColumns;

        public int Width => 0;

        public void Prepare(int convGroup, ReadOnlySpan<float> weights, int n, int prunable, ReadOnlySpan<float> inverseDiagonal, int blockColumns)
        {
            _blockColumns = blockColumns;
            foreach (var group in _groups.Where(g => g.ConvGroup == convGroup))
            {
                var firstRow = group.FirstRow - (convGroup * _rowsPerConvGroup);
                var scores = new float[prunable];
                for (var r = firstRow; r < firstRow + group.RowCount; r++)
                {
                    for (var c = 0; c < prunable; c++)
                    {
                        var w = weights[(r * n) + c];
                        scores[c] += w * w / inverseDiagonal[c];
                    }
                }

                _blockQuota[group.Index] = BlockCounts(scores, (int)_removeColumns, c => c, prunable, blockColumns);
            }
        }

        public void Select(int convGroup, int first, int count, ReadOnlySpan<float> weights, ReadOnlySpan<float> denominators, Span<bool> remove)
        {
            var scores = new float[count];
            var kept = new bool[count];
            foreach (var group in _groups)
            {
                if (group.ConvGroup != convGroup)
                {
                    continue;
                }

                var quota = _blockQuota[group.Index][first / _blockColumns];
                var firstRow = group.FirstRow - (convGroup * _rowsPerConvGroup);
                Array.Clear(scores);
                for (var r = firstRow; r < firstRow + group.RowCount; r++)
                {
                    for (var c = 0; c < count; c++)
                    {
                        var w = weights[(r * count) + c];
                        scores[c] += w * w / denominators[c];
                    }
                }

                TopK.SelectLargest(scores, count - quota, kept);
                for (var r = firstRow; r < firstRow + group.RowCount; r++)
                {
                    for (var c = 0; c < count; c++)
                    {
                        remove[(r * count) + c] = !kept[c];
                    }
                }
            }
        }
    }

    /// <summary>N:M: each row's block of M columns keeps its N of greatest saliency, decided when the sweep reaches the block.</summary>
    private sealed class NmSelector(int keep, int m) : IObsSelector
    {
        public int Width => m;

        public void Prepare(int convGroup, ReadOnlySpan<float> weights, int n, int prunable, ReadOnlySpan<float> inverseDiagonal, int blockColumns)
        {
        }

        public void Select(int convGroup, int first, int count, ReadOnlySpan<float> weights, ReadOnlySpan<float> denominators, Span<bool> remove)
        {
            var rows = weights.Length / count;
            var scores = new float[count];
            var kept = new bool[count];
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < count; c++)
                {
                    var w = weights[(r * count) + c];
                    scores[c] = w * w / denominators[c];
                }

                TopK.SelectLargest(scores, Math.Min(keep, count), kept);
                for (var c = 0; c < count; c++)
                {
                    remove[(r * count) + c] = !kept[c];
                }
            }
        }
    }
}
