using System.Globalization;

namespace Sparsify.Core.Compilation;

/// <summary>What a fidelity target led to (see <see cref="CompileOptions.FidelityTarget"/>).</summary>
/// <param name="Target">The mean cosine asked for.</param>
/// <param name="Fidelity">The mean cosine the kept plan measured on the validation inputs (never calibrated on), at least <paramref name="Target"/>.</param>
/// <param name="EstimatedFidelity">The kept plan's estimate before its real prune (each layer pruned alone, all put in at once).</param>
/// <param name="LayerSparsities">Sparsity asked of each planned layer; 0: kept dense.</param>
/// <param name="Microseconds">The planned layers' time by the planner's cost model.</param>
/// <param name="DenseMicroseconds">The same layers' time dense by the cost model.</param>
/// <param name="PlansEstimated">Candidate plans whose fidelity was estimated.</param>
/// <param name="Prunes">Real data-aware prunes run.</param>
/// <param name="SparsitiesMeasured">Sparsities each layer was measured at.</param>
public sealed record FidelityPlan(
    double Target, double Fidelity, double EstimatedFidelity, IReadOnlyDictionary<string, double> LayerSparsities,
    double Microseconds, double DenseMicroseconds, int PlansEstimated, int Prunes, int SparsitiesMeasured)
{
    /// <summary>One line for the build log and the report.</summary>
    public string Line => string.Create(
        CultureInfo.InvariantCulture,
        $"fidelity target {Target}: {LayerSparsities.Count(l => l.Value > 0)} of {LayerSparsities.Count} planned layers sparse, validated mean cosine {Fidelity:0.0000} (estimated {EstimatedFidelity:0.0000}); cost model {Microseconds / 1000:0.00} ms for these layers against {DenseMicroseconds / 1000:0.00} ms dense ({DenseMicroseconds / Math.Max(Microseconds, 1e-9):0.00}x); {PlansEstimated} plans estimated, {Prunes} pruned");

    /// <summary>The chosen sparsity of every planned layer, in graph order, for the log.</summary>
    public string LayersLine => "planned: " + string.Join(", ", LayerSparsities.Select(l => l.Value > 0 ? string.Create(CultureInfo.InvariantCulture, $"{l.Key} {l.Value:0.##}") : l.Key + " dense"));
}

/// <summary>No plan under the sparsity bound kept the fidelity target on the validation inputs.</summary>
public sealed class FidelityTargetException : Exception
{
    /// <summary>Creates the error for <paramref name="target"/> with the best fidelity reached.</summary>
    public FidelityTargetException(double target, double bestFidelity, string advice)
        : base(string.Create(CultureInfo.InvariantCulture, $"FidelityTarget {target} is not reached: the best plan tried keeps a mean cosine of {bestFidelity:0.0000} on the validation inputs; {advice}"))
    {
        Target = target;
        BestFidelity = bestFidelity;
    }

    /// <summary>The target asked for.</summary>
    public double Target { get; }

    /// <summary>The best validated mean cosine of the plans tried.</summary>
    public double BestFidelity { get; }
}
