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
        var macs = graph.CountMacs(layer);
        if (macs < options.TinyLayerMacs)
        {
            return new LayerPlan(layer.Name, LayerExecution.Dense, string.Create(c, $"tiny layer: {macs} MACs < {options.TinyLayerMacs}, a sparse kernel's setup would not be repaid"), false);
        }

        if (report.Sparsity < options.MinSparseSparsity)
        {
            return new LayerPlan(layer.Name, LayerExecution.Dense, string.Create(c, $"sparsity {report.Sparsity:0.000} < {options.MinSparseSparsity:0.000}: dense SIMD beats per-nonzero indexing"), false);
        }

        // Groups share one column pattern: one input load feeds G accumulators (register blocking).
        var reuse = report.Layout == PartitionLayout.Groups ? string.Create(c, $"; {report.ValuesPerEntry} rows share each column, register-blocked") : string.Empty;
        var budget = layer is FullyConnectedLayer ? options.FullyConnectedUnrollBudget : options.UnrollBudget;
        return report.NonZeros <= budget
            ? new LayerPlan(layer.Name, LayerExecution.SparseUnrolled, string.Create(c, $"sparsity {report.Sparsity:0.000}, {report.NonZeros} nonzeros <= unroll budget {budget}: weights and offsets compiled into the code{reuse}"), false)
            : new LayerPlan(layer.Name, LayerExecution.SparseTable, string.Create(c, $"sparsity {report.Sparsity:0.000}, {report.NonZeros} nonzeros > unroll budget {budget}: compressed arrays from the blob{reuse}"), false);
    }
}
