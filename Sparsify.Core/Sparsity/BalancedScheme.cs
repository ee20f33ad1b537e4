namespace Sparsify.Core.Sparsity;

/// <summary>
/// Load-balance-aware pruning (Han et al., ESE, FPGA 2017): rows are interleaved over the P PEs
/// (row r to PE r mod P, as EIE and ESE do) and every PE keeps the same number of its own largest
/// |w|, so no PE waits for another. The layer's round((1 - s) × n) kept weights are split as evenly
/// as the partitions allow: loads differ by at most one weight, unless a partition is too small to
/// take its share (very low sparsity with rows mod P ≠ 0), when it keeps all it has and the rest
/// is spread over the others. Exact sparsity. Reported in the row layout.
/// </summary>
public sealed class BalancedScheme : ISparsityScheme
{
    /// <inheritdoc />
    public string Name => "balanced";

    /// <inheritdoc />
    public string Description => "load-balance-aware pruning (ESE): equal nonzeros per PE, rows interleaved over P PEs";

    /// <inheritdoc />
    public SparsityControl Control => SparsityControl.Requested;

    /// <inheritdoc />
    public LayerPruning Prune(WeightMatrix matrix, double sparsity, SchemeSettings settings)
    {
        SchemeChecks.Validate(matrix, sparsity, settings);
        var rows = matrix.Rows;
        var columns = matrix.Columns;
        var values = matrix.Values;
        var used = Math.Min(settings.PeCount, rows);
        var capacities = new long[used];
        for (var p = 0; p < used; p++)
        {
            capacities[p] = (long)((rows - p + settings.PeCount - 1) / settings.PeCount) * columns;
        }

        var shares = EvenSplit(SchemeChecks.KeepCount(values.Length, sparsity), capacities);
        var keep = new bool[values.Length];
        for (var p = 0; p < used; p++)
        {
            // Gather the partition's weights (its rows, in order), pick, scatter back.
            var size = (int)capacities[p];
            var scores = new float[size];
            var flags = new bool[size];
            var j = 0;
            for (var r = p; r < rows; r += settings.PeCount)
            {
                for (var c = 0; c < columns; c++)
                {
                    scores[j++] = MathF.Abs(values[r * columns + c]);
                }
            }

            TopK.SelectLargest(scores, (int)shares[p], flags);
            j = 0;
            for (var r = p; r < rows; r += settings.PeCount)
            {
                for (var c = 0; c < columns; c++)
                {
                    keep[r * columns + c] = flags[j++];
                }
            }
        }

        var mask = SchemeChecks.MaskOf(matrix, keep);
        return new LayerPruning(matrix, mask, LayerReports.Build(matrix, mask, Name, sparsity, settings, PartitionLayout.Rows));
    }

    /// <summary>
    /// Splits <paramref name="total"/> over partitions as evenly as their capacities allow: the first
    /// (total mod count) partitions take one more; a partition whose share exceeds its capacity takes
    /// its capacity and the rest is split again over the others.
    /// </summary>
    internal static long[] EvenSplit(long total, IReadOnlyList<long> capacities)
    {
        var shares = new long[capacities.Count];
        var full = new bool[capacities.Count];
        var remaining = total;
        while (true)
        {
            var open = Enumerable.Range(0, capacities.Count).Where(i => !full[i]).ToArray();
            if (open.Length == 0)
            {
                return shares;
            }

            var baseShare = remaining / open.Length;
            var extra = remaining % open.Length;
            var capped = false;
            for (var j = 0; j < open.Length; j++)
            {
                var i = open[j];
                if (baseShare + (j < extra ? 1 : 0) >= capacities[i])
                {
                    shares[i] = capacities[i];
                    full[i] = true;
                    remaining -= capacities[i];
                    capped = true;
                }
            }

            if (!capped)
            {
                for (var j = 0; j < open.Length; j++)
                {
                    shares[open[j]] = baseShare + (j < extra ? 1 : 0);
                }

                return shares;
            }
        }
    }
}
