namespace Sparsify.Core.Sparsity;

/// <summary>
/// Spreads a number of weights to remove over layers by their measured sensitivity, so that
/// sensitive layers give up less.
/// </summary>
/// <remarks>
/// <para>Each layer's error curve e(s) is the piecewise-linear interpolation of its measurements
/// (achieved sparsity, relative error), starting at (0, 0) and made non-decreasing (a running
/// maximum: more pruning is never credited with less harm), extended linearly to the cap if it was
/// not measured there, plus a vanishing slope (10⁻⁶ of the largest error per unit sparsity) so it is
/// strictly increasing and has a continuous inverse.</para>
/// <para>All layers then share one error budget τ: layer l takes s_l(τ) = e_l⁻¹(τ), capped at the
/// maximum layer sparsity. The removed weights Σ n_l·s_l(τ) grow continuously with τ, so a bisection on
/// τ (to double precision) hits the requested count. A layer whose error rises fast stops early; a
/// robust one (typically a big fully connected layer) goes far — which also puts the sparsity where
/// the weights are. Cost: nothing beyond the measurements.</para>
/// </remarks>
public static class SparsityAllocator
{
    private const int Iterations = 200;

    /// <summary>
    /// The sparsity of each layer (by name) so that Σ weights × sparsity = <paramref name="weightsToRemove"/>.
    /// Throws <see cref="ArgumentOutOfRangeException"/> when that exceeds what the layers hold at <paramref name="maxLayerSparsity"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Allocate(IReadOnlyList<LayerSensitivity> layers, double weightsToRemove, double maxLayerSparsity)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (!(maxLayerSparsity > 0 && maxLayerSparsity < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(maxLayerSparsity), maxLayerSparsity, "the maximum layer sparsity must be in (0, 1)");
        }

        var capacity = layers.Sum(l => l.Weights * maxLayerSparsity);
        if (weightsToRemove > capacity * (1 + 1e-12))
        {
            throw new ArgumentOutOfRangeException(
                nameof(weightsToRemove), weightsToRemove, $"{weightsToRemove:0} weights cannot be removed: these layers hold at most {capacity:0} at sparsity {maxLayerSparsity}");
        }

        if (layers.Count == 0)
        {
            return new Dictionary<string, double>(StringComparer.Ordinal);
        }

        var curves = layers.Select(l => Curve(l, maxLayerSparsity)).ToArray();
        var slope = 1e-6 * Math.Max(curves.Max(c => c.Errors[^1]), 1e-30);
        foreach (var curve in curves)
        {
            for (var i = 0; i < curve.Errors.Length; i++)
            {
                curve.Errors[i] += slope * curve.Sparsities[i];
            }
        }

        double Removed(double tau) => curves.Select((c, i) => layers[i].Weights * c.Inverse(tau)).Sum();

        var low = 0.0;
        var high = curves.Max(c => c.Errors[^1]);
        if (weightsToRemove <= 0)
        {
            high = 0;
        }
        else
        {
            for (var i = 0; i < Iterations && low < high; i++)
            {
                var mid = 0.5 * (low + high);
                if (Removed(mid) >= weightsToRemove)
                {
                    high = mid;
                }
                else
                {
                    low = mid;
                }
            }
        }

        return layers.Select((l, i) => (l.LayerName, Sparsity: curves[i].Inverse(high)))
            .ToDictionary(x => x.LayerName, x => x.Sparsity, StringComparer.Ordinal);
    }

    private static ErrorCurve Curve(LayerSensitivity layer, double cap)
    {
        // Measurements by achieved sparsity, merged where a scheme's granularity made two equal.
        var points = layer.Points
            .Select(p => (S: p.Sparsity, E: Math.Max(0, p.RelativeError)))
            .Append((S: 0.0, E: 0.0))
            .GroupBy(p => p.S)
            .Select(g => (S: g.Key, E: g.Max(p => p.E)))
            .OrderBy(p => p.S)
            .ToList();
        for (var i = 1; i < points.Count; i++)
        {
            points[i] = (points[i].S, Math.Max(points[i].E, points[i - 1].E));
        }

        var below = points.Where(p => p.S < cap).ToList();
        var atCap = Interpolate(points, cap);
        below.Add((cap, atCap));
        return new ErrorCurve(below.Select(p => p.S).ToArray(), below.Select(p => p.E).ToArray());
    }

    // e(cap) from the (non-decreasing) points: interpolated, or extended from the last two.
    private static double Interpolate(List<(double S, double E)> points, double s)
    {
        for (var i = 1; i < points.Count; i++)
        {
            if (points[i].S >= s)
            {
                var (s0, e0) = points[i - 1];
                var (s1, e1) = points[i];
                return e0 + (e1 - e0) * (s - s0) / (s1 - s0);
            }
        }

        if (points.Count == 1)
        {
            return 0;
        }

        var (a, ea) = points[^2];
        var (b, eb) = points[^1];
        return eb + (eb - ea) / (b - a) * (s - b);
    }

    private sealed record ErrorCurve(double[] Sparsities, double[] Errors)
    {
        // The largest s with e(s) ≤ τ; e is strictly increasing and piecewise linear.
        public double Inverse(double tau)
        {
            if (tau >= Errors[^1])
            {
                return Sparsities[^1];
            }

            for (var i = 1; i < Errors.Length; i++)
            {
                if (tau < Errors[i])
                {
                    var fraction = (tau - Errors[i - 1]) / (Errors[i] - Errors[i - 1]);
                    return Sparsities[i - 1] + fraction * (Sparsities[i] - Sparsities[i - 1]);
                }
            }

            return Sparsities[^1];
        }
    }
}
