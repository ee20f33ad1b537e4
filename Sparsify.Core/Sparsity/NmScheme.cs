namespace Sparsify.Core.Sparsity;

/// <summary>
/// N:M structured sparsity (e.g. 2:4, which sparse tensor cores execute): along each row, every
/// block of M consecutive columns keeps its N largest |w| (ties to the lower column). Columns are the
/// reduction dimension of the layer's GEMM (input features, or (in-channel, kh, kw) as im2col lays
/// them out), which is where the hardware wants the pattern.
/// </summary>
/// <remarks>
/// The pattern fixes the sparsity at 1 - N/M. With <see cref="SchemeSettings.N"/> set, the requested
/// sparsity must equal it (an error otherwise, naming both); with N unset, N = (1 - s) × M, which
/// must be a whole number from 1 to M (an error lists the sparsities M allows). A row whose length is
/// not a multiple of M is taken as padded with zeros to one, so its last block of L columns keeps
/// min(N, L) weights and the layer comes out slightly denser than 1 - N/M (reported).
/// Reported in the row layout.
/// </remarks>
public sealed class NmScheme : ISparsityScheme
{
    private const double Tolerance = 1e-6;

    /// <inheritdoc />
    public string Name => "nm";

    /// <inheritdoc />
    public string Description => "N:M (e.g. 2:4): every block of M consecutive weights of a row keeps its N largest";

    /// <inheritdoc />
    public SparsityControl Control => SparsityControl.ImpliedByPattern;

    /// <summary>The N a request resolves to under <paramref name="settings"/>; throws when the two disagree.</summary>
    public static int ResolveN(double sparsity, SchemeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var m = settings.M;
        if (settings.N is { } n)
        {
            if (Math.Abs(1 - (double)n / m - sparsity) > Tolerance)
            {
                throw new ArgumentException(
                    LayerReports.Invariant($"the nm scheme with N={n}, M={m} removes exactly {1 - (double)n / m:0.####} of the weights, but sparsity {sparsity:0.####} was requested; request {1 - (double)n / m:0.####}, or leave N unset to derive it from the sparsity"),
                    nameof(sparsity));
            }

            return n;
        }

        var exact = (1 - sparsity) * m;
        var derived = (int)Math.Round(exact);
        if (Math.Abs(exact - derived) > Tolerance * m || derived < 1)
        {
            var allowed = string.Join(", ", Enumerable.Range(1, m).Reverse().Select(k => LayerReports.Invariant($"{1 - (double)k / m:0.####} ({k}:{m})")));
            throw new ArgumentException(
                LayerReports.Invariant($"the nm scheme with M={m} cannot remove {sparsity:0.####} of the weights: the sparsity must be 1 - N/M for a whole N; valid sparsities: {allowed}; or set N and M"),
                nameof(sparsity));
        }

        return derived;
    }

    /// <inheritdoc />
    public LayerPruning Prune(WeightMatrix matrix, double sparsity, SchemeSettings settings)
    {
        SchemeChecks.Validate(matrix, sparsity, settings);
        var n = ResolveN(sparsity, settings);
        var m = settings.M;
        var columns = matrix.Columns;
        var values = matrix.Values;
        var keep = new bool[values.Length];
        for (var r = 0; r < matrix.Rows; r++)
        {
            for (var start = 0; start < columns; start += m)
            {
                KeepLargest(values, keep, r * columns + start, Math.Min(m, columns - start), n);
            }
        }

        var mask = SchemeChecks.MaskOf(matrix, keep);
        var notes = new List<string> { LayerReports.Invariant($"{n}:{m} along each row's {columns} columns") };
        var tail = columns % m;
        if (tail != 0)
        {
            notes.Add(LayerReports.Invariant($"{columns} columns are not a multiple of M={m}: each row's last block of {tail} is padded with zeros to M and keeps {Math.Min(n, tail)} of its {tail} weights"));
        }

        return new LayerPruning(matrix, mask, LayerReports.Build(matrix, mask, Name, sparsity, settings, PartitionLayout.Rows, notes));
    }

    // Keeps the n largest |w| of values[offset .. offset + length): n rounds of "largest not yet kept",
    // ties to the lower index; blocks are short, so this beats sorting.
    private static void KeepLargest(float[] values, bool[] keep, int offset, int length, int n)
    {
        for (var round = 0; round < Math.Min(n, length); round++)
        {
            var best = -1;
            var bestScore = -1f;
            for (var i = offset; i < offset + length; i++)
            {
                var score = MathF.Abs(values[i]);
                if (!keep[i] && score > bestScore)
                {
                    best = i;
                    bestScore = score;
                }
            }

            keep[best] = true;
        }
    }
}
