using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Core.Sparsity;

/// <summary>One measurement: a layer pruned alone and the output error that caused.</summary>
/// <param name="RequestedSparsity">The sparsity asked of the scheme.</param>
/// <param name="Sparsity">The sparsity the scheme achieved (the allocator works with this one).</param>
/// <param name="RelativeError">‖y − y_dense‖₂ / ‖y_dense‖₂ over all outputs and calibration inputs.</param>
public sealed record SensitivityPoint(double RequestedSparsity, double Sparsity, double RelativeError);

/// <summary>How much one layer's pruning disturbs the model's output, at a few sparsities.</summary>
/// <param name="LayerName">The layer.</param>
/// <param name="Weights">Its prunable weights (the allocator's weight).</param>
/// <param name="Points">Measurements in increasing sparsity.</param>
public sealed record LayerSensitivity(string LayerName, long Weights, IReadOnlyList<SensitivityPoint> Points);

/// <summary>
/// Measures per-layer sensitivity: each layer is pruned alone, at each sparsity of
/// <see cref="SensitivityOptions.Sparsities"/> and at <see cref="SensitivityOptions.MaxLayerSparsity"/>,
/// with the scheme that will prune it, and the reference executor measures the relative output error
/// against the dense model on the calibration inputs. Cost: one dense run plus (layers × sparsities)
/// runs of the calibration batch, and as many scheme calls.
/// </summary>
/// <remarks>
/// The error is taken before a final Softmax (a graph output written by a Softmax is replaced by its
/// input), whose saturation would hide differences. The weights are changed while a layer is
/// measured and restored bit for bit afterwards, also when something throws; the graph must not be
/// used by another thread meanwhile.
/// </remarks>
public static class SensitivityAnalysis
{
    /// <summary>Measures the layers <paramref name="layerNames"/> of <paramref name="graph"/>.</summary>
    public static IReadOnlyList<LayerSensitivity> Measure(
        ModelGraph graph, ISparsityScheme scheme, IEnumerable<string> layerNames, SchemeSettings? settings = null, SensitivityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(layerNames);
        settings ??= SchemeSettings.Default;
        options ??= new SensitivityOptions();
        settings.Validate();
        options.Validate();

        var layers = layerNames.Select(name => LayerNames.FindPrunable(graph, name, "layerNames")).ToArray();
        var grid = options.Sparsities.Append(options.MaxLayerSparsity).Where(s => s <= options.MaxLayerSparsity).Distinct().Order().ToArray();
        var executor = new ReferenceExecutor(WithoutFinalSoftmax(graph), new ExecutorOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism });
        var inputs = options.CalibrationInputs ?? SeededInputs(graph, options.CalibrationBatch, options.Seed);
        var dense = executor.Run(inputs);

        var result = new List<LayerSensitivity>(layers.Length);
        foreach (var layer in layers)
        {
            var matrix = WeightMatrix.Of(layer);
            var original = (float[])matrix.Values.Clone();
            var points = new List<SensitivityPoint>(grid.Length);
            try
            {
                foreach (var sparsity in grid)
                {
                    var pruning = scheme.Prune(matrix, sparsity, settings);
                    pruning.Apply();
                    points.Add(new SensitivityPoint(sparsity, pruning.Mask.Sparsity, RelativeError(dense, executor.Run(inputs))));
                    original.CopyTo(matrix.Values, 0);
                }
            }
            finally
            {
                original.CopyTo(matrix.Values, 0);
            }

            result.Add(new LayerSensitivity(layer.Name, matrix.Values.Length, points));
        }

        return result;
    }

    /// <summary>‖y − y₀‖₂ / ‖y₀‖₂ over all outputs (the plain norm of the difference when y₀ is all zero).</summary>
    public static double RelativeError(IReadOnlyList<Tensor> reference, IReadOnlyList<Tensor> actual)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(actual);
        double difference = 0;
        double norm = 0;
        for (var t = 0; t < reference.Count; t++)
        {
            var y0 = reference[t].Data;
            var y = actual[t].Data;
            for (var i = 0; i < y0.Length; i++)
            {
                var d = (double)y[i] - y0[i];
                difference += d * d;
                norm += (double)y0[i] * y0[i];
            }
        }

        return norm == 0 ? Math.Sqrt(difference) : Math.Sqrt(difference / norm);
    }

    private static ModelGraph WithoutFinalSoftmax(ModelGraph graph)
    {
        var read = graph.Layers.SelectMany(l => l.Inputs).ToHashSet(StringComparer.Ordinal);
        var softmaxes = graph.Layers
            .OfType<SoftmaxLayer>()
            .Where(s => graph.Outputs.Any(o => o.Name == s.Output) && !read.Contains(s.Output))
            .ToDictionary(s => s.Output, StringComparer.Ordinal);
        if (softmaxes.Count == 0)
        {
            return graph;
        }

        var outputs = graph.Outputs.Select(o => softmaxes.TryGetValue(o.Name, out var s) ? s.Inputs[0] : o.Name).Distinct().ToArray();
        var layers = graph.Layers.Where(l => l is not SoftmaxLayer || !softmaxes.ContainsKey(l.Output)).ToArray();
        return ModelGraph.Create(graph.Name, graph.Inputs, layers, outputs, graph.Notes);
    }

    private static Tensor[] SeededInputs(ModelGraph graph, int batch, int seed)
    {
        var random = new Random(seed);
        return graph.Inputs.Select(input =>
        {
            var tensor = new Tensor(input.Shape.WithBatch(batch));
            for (var i = 0; i < tensor.Data.Length; i++)
            {
                tensor.Data[i] = (float)random.NextDouble();
            }

            return tensor;
        }).ToArray();
    }
}
