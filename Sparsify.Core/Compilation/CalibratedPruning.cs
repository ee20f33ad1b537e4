using System.Globalization;
using Sparsify.Core.Calibration;
using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Sparsity;
using Sparsify.Core.Sparsity.DataAware;

namespace Sparsify.Core.Compilation;

/// <summary>
/// The compile's pruning when calibration data are given: load and split them, prune data-aware on
/// the calibration part, and measure the pruned model against the dense one on the held-out part;
/// with <see cref="CompileOptions.FidelityTarget"/>, plan per layer to the target
/// (<see cref="FidelityPlanner"/>). The graph's weights change in place.
/// </summary>
public static class CalibratedPruning
{
    /// <summary>Prunes <paramref name="graph"/> on <paramref name="source"/> as <paramref name="options"/> say; <paramref name="progress"/> gets a line per step.</summary>
    /// <exception cref="CalibrationDataException">Calibration data that cannot be used.</exception>
    /// <exception cref="FidelityTargetException">No plan keeps the fidelity target.</exception>
    public static (ModelPruning Pruning, CalibrationSummary Summary) Prune(ModelGraph graph, CompileOptions options, CalibrationSource source, Action<string>? progress)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        ValidateTarget(options.FidelityTarget);
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
        if (options.FidelityTarget is { } target)
        {
            if (!FidelitySchemes.Contains(scheme.Name))
            {
                throw new ArgumentException($"FidelityTarget plans per-layer sparsity, which the {scheme.Name} scheme does not take; use one of {string.Join(", ", FidelitySchemes)}", nameof(options));
            }

            var planned = FidelityPlanner.Prune(
                graph, scheme, options, target, calibration.Samples.Select(s => s.Input).ToArray(), validationInputs, dense!, threads, progress);
            return (planned.Pruning, new CalibrationSummary("data-aware", calibration.Samples.Count, validationInputs.Length, planned.Fidelity, planned.Layers) { Plan = planned.Plan });
        }

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

    /// <summary>The schemes a fidelity target can plan: data-aware ones that take any sparsity per layer.</summary>
    public static IReadOnlyList<string> FidelitySchemes { get; } = ["unstructured", "balanced", "locality", "nm"];

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a fidelity target outside (0, 1].</summary>
    public static void ValidateTarget(double? target)
    {
        if (target is { } t && !(t > 0 && t <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(target), t, "FidelityTarget must be in (0, 1]: the mean cosine of the outputs against the dense model's");
        }
    }

    /// <summary>The reference executor's output for each input, batch 1.</summary>
    internal static float[][] Run(ModelGraph graph, float[][] inputs, int threads)
    {
        var executor = new ReferenceExecutor(graph, new ExecutorOptions { MaxDegreeOfParallelism = threads });
        return inputs.Select(executor.Run).ToArray();
    }
}
