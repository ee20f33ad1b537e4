using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Core.Sparsity.DataAware;

/// <summary>
/// Prunes with calibration data: layer by layer in network order, each layer's input statistics
/// are taken on the network pruned so far (<see cref="LayerStatistics"/>); the weights are first
/// refit so the layer reproduces the <em>dense</em> network's outputs from the inputs it now gets
/// (which also corrects the bias and the drift of the layers before), then removed with
/// second-order information in the scheme's structure (<see cref="ObsSweep"/>,
/// <see cref="ObsSelectors"/>), the weights that stay updated to compensate. Which layers are
/// pruned and how much is decided as <see cref="ModelPruner"/> decides it; only what is kept and
/// the kept values change. The weights are changed <b>in place</b>.
/// </summary>
public static class DataAwarePruner
{

    /// <summary>The schemes with a data-aware form.</summary>
    public static IReadOnlyList<string> Schemes { get; } = ["unstructured", "balanced", "locality", "nm", "filter"];

    /// <summary>
    /// Prunes <paramref name="graph"/> with <paramref name="scheme"/> on <paramref name="samples"/>
    /// (model inputs at batch 1, in the single input's layout) and returns the masks and the
    /// report; <paramref name="results"/> gets each pruned layer's measured error.
    /// </summary>
    public static ModelPruning Prune(
        ModelGraph graph, ISparsityScheme scheme, ModelPruningOptions options, IReadOnlyList<float[]> samples,
        DataAwarePruningOptions? dataOptions, out IReadOnlyList<DataAwareLayerResult> results, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(samples);
        dataOptions ??= new DataAwarePruningOptions();
        dataOptions.Validate();
        if (!Schemes.Contains(scheme.Name))
        {
            throw new ArgumentException($"the {scheme.Name} scheme has no data-aware form; data-aware schemes: {string.Join(", ", Schemes)}", nameof(scheme));
        }

        if (graph.Inputs.Count != 1)
        {
            throw new SparsifyModelException($"data-aware pruning needs a model with one input; '{graph.Name}' has {graph.Inputs.Count}");
        }

        if (samples.Count == 0)
        {
            throw new ArgumentException("data-aware pruning needs at least one calibration sample", nameof(samples));
        }

        var threads = Math.Max(1, dataOptions.MaxDegreeOfParallelism);
        var plan = ModelPruner.ComputeMasks(graph, scheme, options);
        var allocationNote = (string?)null;
        if (dataOptions.Allocation == DataAwareAllocation.ReconstructionError && ErrorAllocation.Applies(graph, scheme, options) is { } free)
        {
            var allocated = ErrorAllocation.Allocate(graph, scheme, options, free, samples, dataOptions, threads, progress);
            allocationNote = allocated.Note;
            plan = ModelPruner.ComputeMasks(graph, scheme, allocated.Options);
        }

        var byLayer = plan.Layers.ToDictionary(l => l.Matrix.LayerName, StringComparer.Ordinal);
        var batched = graph.WithBatch(samples.Count);
        var input = BatchActivations.Stack(batched.Inputs[0].Shape, samples);
        var executor = new ReferenceExecutor(graph, new ExecutorOptions { MaxDegreeOfParallelism = threads });
        var dense = new BatchActivations(batched, input, executor);
        var pruned = new BatchActivations(batched, input, executor);
        var layers = new List<LayerPruning>();
        var measured = new List<DataAwareLayerResult>();
        var toPrune = plan.Layers.Count(l => l.Report.Scheme != ModelPruner.DenseScheme);
        for (var index = 0; index < batched.Layers.Count; index++)
        {
            var layer = batched.Layers[index];
            var shape = batched.ShapeOf(layer.Output);
            var denseOperands = dense.Operands(layer);
            var prunedOperands = pruned.Operands(layer);
            var denseOutput = dense.Run(layer, denseOperands, shape);
            Tensor prunedOutput;
            if (byLayer.TryGetValue(layer.Name, out var magnitude) && magnitude.Report.Scheme != ModelPruner.DenseScheme)
            {
                progress?.Invoke(LayerReports.Invariant($"pruning {layer.Name} ({measured.Count + 1}/{toPrune})"));
                var statistics = LayerStatistics.Accumulate(
                    layer, prunedOperands[0], denseOperands[0], shape, (long)dataOptions.MaxSamplesPerColumn * (magnitude.Matrix.Columns + 1), threads);
                var (pruning, result) = LayerRefit.Prune(scheme, magnitude, statistics, options.Settings, dataOptions.Dampening, threads);
                layers.Add(pruning);
                measured.Add(result);
                prunedOutput = pruned.Run(layer, prunedOperands, shape);
            }
            else
            {
                if (magnitude is not null)
                {
                    layers.Add(magnitude);
                }

                prunedOutput = prunedOperands.Zip(denseOperands).All(p => ReferenceEquals(p.First, p.Second))
                    ? denseOutput
                    : pruned.Run(layer, prunedOperands, shape);
            }

            dense.Advance(index, layer, denseOutput);
            pruned.Advance(index, layer, prunedOutput);

            // Whole-batch activations and per-layer statistics are hundreds of MB each and die young:
            // collecting them now keeps the peak near what is live.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        results = measured;
        var notes = plan.Report.Notes
            .Concat(allocationNote is null ? [] : [allocationNote])
            .Append(LayerReports.Invariant($"data-aware: {samples.Count} calibration inputs; each pruned layer refit to the dense model's outputs and pruned by second-order saliency (OBS sweep, dampening {dataOptions.Dampening})"))
            .ToArray();
        var report = plan.Report with
        {
            Layers = layers.Select(l => l.Report).ToArray(),
            Notes = notes,
            TargetSparsity = options.Sparsity,
            Allocation = allocationNote is null ? plan.Report.Allocation : SparsityAllocation.Sensitivity,
        };
        return new ModelPruning(graph, layers, report, plan.Sensitivity);
    }
}
