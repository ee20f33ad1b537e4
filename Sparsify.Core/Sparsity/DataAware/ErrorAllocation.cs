using Sparsify.Core.Execution;
using Sparsify.Core.Ir;

namespace Sparsify.Core.Sparsity.DataAware;

/// <summary>
/// Spreads a global target by measured reconstruction error: one walk of the dense network over a
/// few calibration inputs measures, for every free layer, the output error its own data-aware
/// pruning adds at each of a few sparsities (<see cref="LayerRefit.ErrorCurve"/>); the layers then
/// share one error budget (<see cref="SparsityAllocator"/>), so a layer that pruning harms little
/// takes more of the target and a sensitive one less.
/// </summary>
internal static class ErrorAllocation
{
    /// <summary>The free layers when a global target is to be spread over several and the scheme takes any sparsity; else null.</summary>
    public static IReadOnlyList<string>? Applies(ModelGraph graph, ISparsityScheme scheme, ModelPruningOptions options)
    {
        if (options.Sparsity is null || scheme.Control != SparsityControl.Requested || ObsSelectors.For(scheme.Name, WeightMatrix.AllOf(graph)[0], 0.5, options.Settings) is null)
        {
            return null;
        }

        var free = ModelPruner.FreeLayers(graph, options);
        return free.Count > 1 ? free : null;
    }

    /// <summary>The options with every free layer's allocated sparsity fixed, and a note for the report.</summary>
    public static (ModelPruningOptions Options, string Note) Allocate(
        ModelGraph graph, ISparsityScheme scheme, ModelPruningOptions options, IReadOnlyList<string> free, IReadOnlyList<float[]> samples,
        DataAwarePruningOptions dataOptions, int threads, Action<string>? progress)
    {
        var subset = Subset(samples, dataOptions);
        var count = subset.Length;
        var curves = Measure(graph, scheme, options.Settings, free, subset, dataOptions, threads, progress, (_, _) => false).Select(m => m.Curve).ToList();
        var matrices = WeightMatrix.AllOf(graph);
        var total = matrices.Sum(m => (double)m.Values.Length);
        var fixedSparsities = options.LayerSparsities ?? new Dictionary<string, double>();
        var fixedRemoved = matrices.Sum(m => fixedSparsities.TryGetValue(m.LayerName, out var s) ? s * m.Values.Length : 0);
        var need = Math.Max(0, (options.Sparsity!.Value * total) - fixedRemoved);
        var shares = SparsityAllocator.Allocate(curves, need, options.Sensitivity.MaxLayerSparsity);
        var sparsities = new Dictionary<string, double>(fixedSparsities, StringComparer.Ordinal);
        foreach (var (name, share) in shares)
        {
            sparsities[name] = Math.Min(share, options.Sensitivity.MaxLayerSparsity);
        }

        var note = LayerReports.Invariant(
            $"global target {options.Sparsity} spread by reconstruction error over {free.Count} layers, measured on {count} calibration inputs at sparsities {string.Join(", ", dataOptions.AllocationSparsities)}: layers from {shares.Values.Min():0.###} to {shares.Values.Max():0.###}");
        return (options with { Sparsity = null, LayerSparsities = sparsities }, note);
    }

    /// <summary>The allocation's inputs: at most <see cref="DataAwarePruningOptions.AllocationInputs"/> of <paramref name="samples"/>, evenly spaced.</summary>
    public static float[][] Subset(IReadOnlyList<float[]> samples, DataAwarePruningOptions dataOptions)
    {
        var count = Math.Min(dataOptions.AllocationInputs, samples.Count);
        return Enumerable.Range(0, count).Select(i => samples[(int)((long)i * samples.Count / count)]).ToArray();
    }

    /// <summary>
    /// One walk of the dense network over <paramref name="samples"/>: every layer of
    /// <paramref name="free"/> pruned alone at each allocation sparsity, its added output error, and
    /// its swept weights where <paramref name="keepWeights"/> (layer, sparsity) holds.
    /// </summary>
    public static List<MeasuredLayer> Measure(
        ModelGraph graph, ISparsityScheme scheme, SchemeSettings settings, IReadOnlyList<string> free, float[][] samples,
        DataAwarePruningOptions dataOptions, int threads, Action<string>? progress, Func<string, double, bool> keepWeights)
    {
        var wanted = free.ToHashSet(StringComparer.Ordinal);
        var batched = graph.WithBatch(samples.Length);
        var executor = new ReferenceExecutor(graph, new ExecutorOptions { MaxDegreeOfParallelism = threads });
        var walk = new BatchActivations(batched, BatchActivations.Stack(batched.Inputs[0].Shape, samples), executor);
        var measured = new List<MeasuredLayer>();
        for (var index = 0; index < batched.Layers.Count; index++)
        {
            var layer = batched.Layers[index];
            var shape = batched.ShapeOf(layer.Output);
            var operands = walk.Operands(layer);
            if (wanted.Contains(layer.Name))
            {
                progress?.Invoke(LayerReports.Invariant($"measuring {layer.Name} ({measured.Count + 1}/{free.Count})"));
                var matrix = WeightMatrix.Of(layer);
                var statistics = LayerStatistics.Accumulate(layer, operands[0], operands[0], shape, (long)dataOptions.MaxSamplesPerColumn * (matrix.Columns + 1), threads);
                var variants = LayerRefit.Variants(
                    scheme, matrix, statistics, settings, dataOptions.AllocationSparsities, dataOptions.Dampening, threads, s => keepWeights(layer.Name, s));
                measured.Add(new MeasuredLayer(new LayerSensitivity(layer.Name, matrix.Values.Length, variants.Select(v => v.Point).ToArray()), variants, statistics.HasBias));
            }

            walk.Advance(index, layer, walk.Run(layer, operands, shape));
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        return measured;
    }
}

/// <summary>A layer as <see cref="ErrorAllocation.Measure"/> found it: its error curve and its variants.</summary>
internal sealed record MeasuredLayer(LayerSensitivity Curve, IReadOnlyList<LayerVariant> Variants, bool HasBias);
