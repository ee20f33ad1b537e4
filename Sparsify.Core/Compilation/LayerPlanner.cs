using System.Globalization;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation;

/// <summary>
/// The paper's holistic, per-layer optimisation for the CPU target: for every layer, dense, sparse
/// table-driven or sparse unrolled, from a small cost model (see <see cref="Plan(ModelGraph, ModelSparsityReport, PlannerOptions?, IReadOnlyDictionary{string, LayerExecution}?)"/>).
/// </summary>
public static class LayerPlanner
{
    /// <summary>
    /// Plans every layer of <paramref name="graph"/>, in graph order. Rules, first match wins:
    /// an override from <paramref name="overrides"/>; no weights → Dense; a tiny layer
    /// (<see cref="PlannerOptions.TinyLayerMacs"/>) → Dense; sparsity under
    /// <see cref="PlannerOptions.MinSparseSparsity"/> → Dense; nonzeros within
    /// <see cref="PlannerOptions.UnrollBudget"/> (<see cref="PlannerOptions.FullyConnectedUnrollBudget"/> for Gemm) → SparseUnrolled; else SparseTable. Locality layers
    /// (group layout) are noted as register-blocked over their G shared-pattern rows.
    /// </summary>
    /// <exception cref="ArgumentException">An override names a layer the graph lacks.</exception>
    public static IReadOnlyList<LayerPlan> Plan(
        ModelGraph graph, ModelSparsityReport sparsity, PlannerOptions? options = null, IReadOnlyDictionary<string, LayerExecution>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(sparsity);
        options ??= PlannerOptions.Default;
        options.Validate();
        overrides ??= new Dictionary<string, LayerExecution>();
        foreach (var name in overrides.Keys)
        {
            if (!graph.Layers.Any(l => l.Name == name))
            {
                throw new ArgumentException($"plan override names layer '{name}', which the model does not have; layers: {string.Join(", ", graph.Layers.Select(l => l.Name))}", nameof(overrides));
            }
        }

        var reports = sparsity.Layers.ToDictionary(l => l.LayerName, StringComparer.Ordinal);
        return graph.Layers.Select(layer => PlanLayer(graph, layer, reports.GetValueOrDefault(layer.Name), options, overrides)).ToArray();
    }

    /// <summary>
    /// The cost model's time for <paramref name="layer"/> at <paramref name="sparsity"/>, in
    /// microseconds: dense MACs at <see cref="PlannerOptions.DenseGflops"/> where the planner would run
    /// it dense, else nonzero MACs at <see cref="PlannerOptions.SparseGflops"/> plus
    /// <see cref="PlannerOptions.SparseNanosecondsPerOutput"/> per output value.
    /// </summary>
    public static double EstimateMicroseconds(ModelGraph graph, Layer layer, double sparsity, PlannerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(layer);
        options ??= PlannerOptions.Default;
        var macs = graph.CountMacs(layer);
        if (DenseReason(macs, sparsity, options) is not null)
        {
            return 2e-3 * macs / options.DenseGflops;
        }

        return (2e-3 * macs * (1 - sparsity) / options.SparseGflops) + (1e-3 * options.SparseNanosecondsPerOutput * graph.ShapeOf(layer.Output).ElementCount);
    }

    // Why a layer of these MACs at this sparsity runs dense, or null when a sparse kernel pays off.
    private static string? DenseReason(long macs, double sparsity, PlannerOptions options)
    {
        var c = CultureInfo.InvariantCulture;
        if (macs < options.TinyLayerMacs)
        {
            return string.Create(c, $"tiny layer: {macs} MACs < {options.TinyLayerMacs}, a sparse kernel's setup would not be repaid");
        }

        return sparsity < options.MinSparseSparsity
            ? string.Create(c, $"sparsity {sparsity:0.000} < {options.MinSparseSparsity:0.000}: dense SIMD beats per-nonzero indexing")
            : null;
    }

    private static LayerPlan PlanLayer(ModelGraph graph, Layer layer, LayerSparsityReport? report, PlannerOptions options, IReadOnlyDictionary<string, LayerExecution> overrides)
    {
        if (overrides.TryGetValue(layer.Name, out var forced))
        {
            if (forced != LayerExecution.Dense && report is null)
            {
                throw new ArgumentException($"plan override {forced} for layer '{layer.Name}' ({layer.OpType}): only Conv and Gemm layers have weights to run sparse", nameof(overrides));
            }

            return new LayerPlan(layer.Name, forced, $"override: {forced} requested for this layer", Overridden: true);
        }

        if (report is null)
        {
            return new LayerPlan(layer.Name, LayerExecution.Dense, "no weights", false);
        }

        var c = CultureInfo.InvariantCulture;
        if (DenseReason(graph.CountMacs(layer), report.Sparsity, options) is { } dense)
        {
            return new LayerPlan(layer.Name, LayerExecution.Dense, dense, false);
        }

        // Groups share one column pattern: one input load feeds G accumulators (register blocking).
        var reuse = report.Layout == PartitionLayout.Groups ? string.Create(c, $"; {report.ValuesPerEntry} rows share each column, register-blocked") : string.Empty;
        var budget = layer is FullyConnectedLayer ? options.FullyConnectedUnrollBudget : options.UnrollBudget;
        return report.NonZeros <= budget
            ? new LayerPlan(layer.Name, LayerExecution.SparseUnrolled, string.Create(c, $"sparsity {report.Sparsity:0.000}, {report.NonZeros} nonzeros <= unroll budget {budget}: weights and offsets compiled into the code{reuse}"), false)
            : new LayerPlan(layer.Name, LayerExecution.SparseTable, string.Create(c, $"sparsity {report.Sparsity:0.000}, {report.NonZeros} nonzeros > unroll budget {budget}: compressed arrays from the blob{reuse}"), false);
    }
}
