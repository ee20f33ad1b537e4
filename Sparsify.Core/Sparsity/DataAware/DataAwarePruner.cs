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
    private const int ChunkInputs = 8;

    /// <summary>The schemes with a data-aware form.</summary>
    public static IReadOnlyList<string> Schemes { get; } = ["unstructured", "balanced", "locality", "nm", "filter"];

    /// <summary>
    /// Prunes <paramref name="graph"/> with <paramref name="scheme"/> on <paramref name="samples"/>
    /// (model inputs at batch 1, in the single input's layout) and returns the masks and the
    /// report; <paramref name="results"/> gets each pruned layer's measured error.
    /// </summary>
    public static ModelPruning Prune(
        ModelGraph graph, ISparsityScheme scheme, ModelPruningOptions options, IReadOnlyList<float[]> samples,
        DataAwarePruningOptions? dataOptions, out IReadOnlyList<DataAwareLayerResult> results, Action<int, int, string>? progress = null)
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

        var plan = ModelPruner.ComputeMasks(graph, scheme, options);
        var byLayer = plan.Layers.ToDictionary(l => l.Matrix.LayerName, StringComparer.Ordinal);
        var batched = graph.WithBatch(samples.Count);
        var input = Stack(batched.Inputs[0].Shape, samples);
        var threads = Math.Max(1, dataOptions.MaxDegreeOfParallelism);
        var executor = new ReferenceExecutor(graph, new ExecutorOptions { MaxDegreeOfParallelism = threads });
        var dense = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [batched.Inputs[0].Name] = input };
        var pruned = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [batched.Inputs[0].Name] = input };
        var lastReader = LastReaders(batched);
        var outputs = batched.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var layers = new List<LayerPruning>();
        var measured = new List<DataAwareLayerResult>();
        var toPrune = plan.Layers.Count(l => l.Report.Scheme != ModelPruner.DenseScheme);
        for (var index = 0; index < batched.Layers.Count; index++)
        {
            var layer = batched.Layers[index];
            var shape = batched.ShapeOf(layer.Output);
            var denseOperands = layer.Inputs.Select(n => dense[n]).ToArray();
            var prunedOperands = layer.Inputs.Select(n => pruned[n]).ToArray();
            var denseOutput = RunInChunks(executor, layer, denseOperands, shape);
            if (byLayer.TryGetValue(layer.Name, out var magnitude) && magnitude.Report.Scheme != ModelPruner.DenseScheme)
            {
                progress?.Invoke(measured.Count, toPrune, layer.Name);
                var statistics = LayerStatistics.Accumulate(
                    layer, prunedOperands[0], denseOperands[0], shape, (long)dataOptions.MaxSamplesPerColumn * (magnitude.Matrix.Columns + 1), threads);
                var (pruning, result) = LayerRefit.Prune(scheme, magnitude, statistics, options.Settings, dataOptions.Dampening, threads);
                layers.Add(pruning);
                measured.Add(result);
                pruned[layer.Output] = RunInChunks(executor, layer, prunedOperands, shape);
            }
            else
            {
                if (magnitude is not null)
                {
                    layers.Add(magnitude);
                }

                pruned[layer.Output] = prunedOperands.Zip(denseOperands).All(p => ReferenceEquals(p.First, p.Second))
                    ? denseOutput
                    : RunInChunks(executor, layer, prunedOperands, shape);
            }

            dense[layer.Output] = denseOutput;
            foreach (var name in layer.Inputs.Where(n => lastReader[n] == index && !outputs.Contains(n)))
            {
                dense.Remove(name);
                pruned.Remove(name);
            }

            // Whole-batch activations and per-layer statistics are hundreds of MB each and die young:
            // collecting them now keeps the peak near what is live (12 GB instead of 3 for ResNet18 on 250 photos).
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        progress?.Invoke(measured.Count, toPrune, string.Empty);
        results = measured;
        var notes = plan.Report.Notes.Append(LayerReports.Invariant(
            $"data-aware: {samples.Count} calibration inputs; each pruned layer refit to the dense model's outputs and pruned by second-order saliency (OBS sweep, dampening {dataOptions.Dampening})")).ToArray();
        return new ModelPruning(graph, layers, plan.Report with { Layers = layers.Select(l => l.Report).ToArray(), Notes = notes }, plan.Sensitivity);
    }

    // The layer over the whole calibration batch, a few inputs at a time: the kernels' scratch (im2col
    // of a 56×56 layer is 7 MB an input) then stays small however many inputs there are.
    private static Tensor RunInChunks(ReferenceExecutor executor, Layer layer, Tensor[] operands, Shape shape)
    {
        var batch = shape[0];
        if (batch <= ChunkInputs || layer is ReshapeLayer)
        {
            return executor.RunLayer(layer, operands, shape);
        }

        var output = new Tensor(shape);
        var outputPer = shape.ElementCount / batch;
        for (var first = 0; first < batch; first += ChunkInputs)
        {
            var count = Math.Min(ChunkInputs, batch - first);
            var part = operands.Select(t => Slice(t, first, count)).ToArray();
            var result = executor.RunLayer(layer, part, shape.WithBatch(count));
            result.Data.CopyTo(output.Data, (long)first * outputPer);
        }

        return output;
    }

    private static Tensor Slice(Tensor t, int first, int count)
    {
        var per = t.Length / t.Shape[0];
        return new Tensor(t.Shape.WithBatch(count), t.Data.AsSpan(first * per, count * per).ToArray());
    }

    // One [N, ...] tensor from the batch-1 samples, checked against the input's size.
    private static Tensor Stack(Shape shape, IReadOnlyList<float[]> samples)
    {
        var per = shape.ElementCount / shape[0];
        var data = new float[shape.ElementCount];
        for (var i = 0; i < samples.Count; i++)
        {
            if (samples[i].Length != per)
            {
                throw new ArgumentException($"calibration sample {i} has {samples[i].Length} values; the model's input needs {per}", nameof(samples));
            }

            samples[i].CopyTo(data, i * per);
        }

        return new Tensor(shape, data);
    }

    private static Dictionary<string, int> LastReaders(ModelGraph graph)
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var l = 0; l < graph.Layers.Count; l++)
        {
            foreach (var input in graph.Layers[l].Inputs)
            {
                last[input] = l;
            }
        }

        return last;
    }
}
