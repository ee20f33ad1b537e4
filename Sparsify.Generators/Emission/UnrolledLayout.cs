using System.Collections.Generic;
using System.Linq;
using Sparsify.Generators.Model;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Emission;

/// <summary>One input column of a row group and the weights the group's rows apply to it.</summary>
/// <param name="Column">The weight-matrix column.</param>
/// <param name="Weights">(lane within the group, IEEE bits) for each row that keeps this column.</param>
internal sealed record Tap(int Column, IReadOnlyList<(int Lane, uint Bits)> Weights);

/// <summary>Splits unrolled weights into row groups, shared taps and method-sized chunks.</summary>
internal static class UnrolledLayout
{
    /// <summary>
    /// Most multiply-adds per generated method: about 14 bytes of IL each keeps a method near 20 KB,
    /// far under the JIT's ~60,000-byte optimisation limit, with few locals.
    /// </summary>
    public const int MaxFmasPerMethod = 1500;

    /// <summary>
    /// Most weights per generated convolution method: each is a broadcast and two multiply-adds (about
    /// 35 bytes of IL), so a method stays near 27 KB of IL.
    /// </summary>
    public const int MaxConvWeightsPerMethod = 768;

    /// <summary>Most rows a generated body blocks together: their accumulators must stay in vector registers.</summary>
    public const int MaxRowsPerGroup = 8;

    /// <summary>
    /// Rows that share each input load: among the divisors of <paramref name="rowsPerConvGroup"/> up to
    /// <see cref="MaxRowsPerGroup"/>, the one needing the fewest loads (distinct columns summed over groups),
    /// the larger on a tie. Locality layers whose G divides the rows get G; when it does not, this still
    /// finds the blocking that keeps most of the shared pattern.
    /// </summary>
    public static int RowsPerGroup(ManifestWeights weights, int rowsPerConvGroup)
    {
        var best = 1;
        var bestLoads = long.MaxValue;
        for (var r = 1; r <= MaxRowsPerGroup && r <= rowsPerConvGroup; r++)
        {
            if (rowsPerConvGroup % r != 0)
            {
                continue;
            }

            var loads = weights.Unrolled.Select(nz => ((long)(nz.Row / r) << 32) | (uint)nz.Column).Distinct().LongCount();
            if (loads <= bestLoads)
            {
                (best, bestLoads) = (r, loads);
            }
        }

        return best;
    }

    /// <summary>The taps of every row group, columns ascending.</summary>
    public static List<Tap>[] Groups(ManifestWeights weights, int rowsPerGroup)
    {
        var groups = new List<Tap>[weights.Rows / rowsPerGroup];
        var byGroup = weights.Unrolled.GroupBy(nz => nz.Row / rowsPerGroup).ToDictionary(g => g.Key, g => g.ToList());
        for (var g = 0; g < groups.Length; g++)
        {
            groups[g] = !byGroup.TryGetValue(g, out var nzs)
                ? []
                : nzs.GroupBy(nz => nz.Column).OrderBy(c => c.Key)
                    .Select(c => new Tap(c.Key, c.OrderBy(nz => nz.Row).Select(nz => (nz.Row % rowsPerGroup, nz.Bits)).ToList())).ToList();
        }

        return groups;
    }

    /// <summary>Consecutive runs of taps holding at most <see cref="MaxConvWeightsPerMethod"/> weights each (at least one chunk, maybe empty).</summary>
    public static List<List<Tap>> Chunks(List<Tap> taps)
    {
        var chunks = new List<List<Tap>> { new() };
        var weights = 0;
        foreach (var tap in taps)
        {
            if (weights + tap.Weights.Count > MaxConvWeightsPerMethod && chunks[chunks.Count - 1].Count > 0)
            {
                chunks.Add([]);
                weights = 0;
            }

            chunks[chunks.Count - 1].Add(tap);
            weights += tap.Weights.Count;
        }

        return chunks;
    }
}
