using System.Globalization;
using Sparsify.Core.Calibration;
using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Sparsity;
using Sparsify.Core.Sparsity.DataAware;

namespace Sparsify.Core.Compilation;

/// <summary>
/// The compile's pruning when calibration data are given: load and split them, prune data-aware on
/// the calibration part, and measure the pruned model against the dense one on the held-out part.
/// </summary>
internal static class CalibratedPruning
{
    public static (ModelPruning Pruning, CalibrationSummary Summary) Prune(ModelGraph graph, CompileOptions options, CalibrationSource source, Action<string>? progress)
    {
        if (graph.Inputs.Count != 1 || graph.Outputs.Count != 1)
        {
            throw new SparsifyModelException($"calibration needs a model with one input and one output; '{graph.Name}' has {graph.Inputs.Count} and {graph.Outputs.Count}");
        }

        var (calibration, validation) = source.Load(graph.Inputs[0].Shape.WithBatch(1));
        progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{calibration.Samples.Count} calibration inputs, {validation.Samples.Count} held out"));
        var threads = Math.Max(1, options.DataAware.MaxDegreeOfParallelism);
        var validationInputs = validation.Samples.Select(s => s.Input).ToArray();
        var dense = validationInputs.Length > 0 ? Run(graph, validationInputs, threads) : null;
        var scheme = SparsitySchemes.Get(options.Scheme);
        ModelPruning pruning;
        IReadOnlyList<DataAwareLayerResult> layers = [];
        string method;
        if (DataAwarePruner.Schemes.Contains(scheme.Name))
        {
            method = "data-aware";
            pruning = DataAwarePruner.Prune(
                graph, scheme, options.ToPruningOptions(), calibration.Samples.Select(s => s.Input).ToArray(), options.DataAware, out layers, progress);
        }
        else
        {
            method = "magnitude";
            pruning = ModelPruner.Prune(graph, scheme, options.ToPruningOptions());
        }

        var fidelity = dense is null ? null : OutputFidelity.Compare(dense, Run(graph, validationInputs, threads));
        return (pruning, new CalibrationSummary(method, calibration.Samples.Count, validationInputs.Length, fidelity, layers));
    }

    private static float[][] Run(ModelGraph graph, float[][] inputs, int threads)
    {
        var executor = new ReferenceExecutor(graph, new ExecutorOptions { MaxDegreeOfParallelism = threads });
        return inputs.Select(executor.Run).ToArray();
    }
}
