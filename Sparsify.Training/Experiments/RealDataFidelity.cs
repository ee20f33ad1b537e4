using System.Diagnostics;
using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Sparsity;
using Sparsify.Core.Sparsity.DataAware;

namespace Sparsify.Training.Experiments;

/// <summary>One scheme at one target, pruned one way, measured on held-out real inputs.</summary>
/// <param name="Scheme">The scheme's name.</param>
/// <param name="Method"><c>magnitude</c> or <c>data-aware</c>.</param>
/// <param name="TargetSparsity">The global target over the prunable weights.</param>
/// <param name="Sparsity">The sparsity reached over the prunable weights.</param>
/// <param name="Fidelity">Outputs against the dense model's on the held-out inputs.</param>
/// <param name="Seconds">Wall time of the pruning.</param>
public sealed record RealDataFidelityRow(string Scheme, string Method, double TargetSparsity, double Sparsity, OutputFidelity Fidelity, double Seconds);

/// <summary>
/// Magnitude against data-aware pruning on real inputs: each scheme and target is pruned by
/// magnitude and, with calibration inputs, data-aware on them; both are measured on held-out inputs
/// the calibration never saw. Every free layer gets the target (uniform), the first conv stays dense.
/// </summary>
public static class RealDataFidelity
{
    /// <summary>
    /// Measures every row. <paramref name="loadModel"/> is called once per row (pruning works in
    /// place). <paramref name="calibration"/> empty: magnitude rows only.
    /// </summary>
    public static IReadOnlyList<RealDataFidelityRow> Measure(
        Func<ModelGraph> loadModel, IReadOnlyList<string> schemes, IReadOnlyList<double> sparsities, SchemeSettings settings,
        IReadOnlyList<float[]> calibration, IReadOnlyList<float[]> heldOut, int threads, Action<RealDataFidelityRow>? progress = null, Action<string>? layerProgress = null)
    {
        ArgumentNullException.ThrowIfNull(loadModel);
        ArgumentNullException.ThrowIfNull(schemes);
        ArgumentNullException.ThrowIfNull(sparsities);
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(heldOut);
        var options = new ExecutorOptions { MaxDegreeOfParallelism = threads };
        var dense = new ReferenceExecutor(loadModel(), options);
        var reference = heldOut.Select(dense.Run).ToArray();
        var rows = new List<RealDataFidelityRow>();
        foreach (var scheme in schemes)
        {
            foreach (var target in sparsities)
            {
                var pruning = new ModelPruningOptions { Sparsity = target, Allocation = SparsityAllocation.Uniform, Settings = settings };
                var methods = calibration.Count > 0 && DataAwarePruner.Schemes.Contains(scheme) ? new[] { "magnitude", "data-aware" } : ["magnitude"];
                foreach (var method in methods)
                {
                    var graph = loadModel();
                    var watch = Stopwatch.StartNew();
                    var report = method == "magnitude"
                        ? ModelPruner.Prune(graph, scheme, pruning).Report
                        : DataAwarePruner.Prune(graph, SparsitySchemes.Get(scheme), pruning, calibration, new DataAwarePruningOptions { MaxDegreeOfParallelism = threads }, out _,
                            layerProgress is null ? null : message => layerProgress($"{scheme} {target}: {message} at {watch.Elapsed.TotalSeconds:F0} s")).Report;
                    watch.Stop();
                    var executor = new ReferenceExecutor(graph, options);
                    var fidelity = OutputFidelity.Compare(reference, heldOut.Select(executor.Run).ToArray());
                    var row = new RealDataFidelityRow(scheme, method, target, report.Sparsity, fidelity, watch.Elapsed.TotalSeconds);
                    rows.Add(row);
                    progress?.Invoke(row);
                }
            }
        }

        return rows;
    }
}
