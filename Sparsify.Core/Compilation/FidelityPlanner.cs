using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Sparsity;
using Sparsify.Core.Sparsity.DataAware;

namespace Sparsify.Core.Compilation;

/// <summary>
/// Plans to a fidelity target: per layer, dense or a sparsity, so the Conv/Gemm layers take least time
/// by the planner's cost model (<see cref="LayerPlanner.EstimateMicroseconds"/>) while the mean cosine of
/// the model's outputs on the validation inputs stays at or above the target.
/// </summary>
/// <remarks>
/// <para>One walk of the dense network prunes each free layer alone at each allocation sparsity
/// (<see cref="ErrorAllocation.Measure"/>), keeping the swept weights where the cost model runs the
/// layer sparse. From all dense, a greedy path moves one layer at a time to the faster option that
/// saves the most time per unit of added error (the reconstruction error scaled by the layer's
/// measured effect on the output, see <see cref="InOutputTerms"/>); its steps are the candidate plans,
/// and the global <see cref="CompileOptions.Sparsity"/> bounds how far it goes. The fastest candidate whose
/// <em>estimate</em> (every layer's alone-pruned weights put in at once, run on the validation
/// inputs) meets the target is found by bisection.</para>
/// <para>The estimate is pessimistic: the real prune goes layer by layer and refits each layer to
/// the dense outputs from the inputs it now gets. So the chosen plan is pruned for real and
/// measured, the measured gap rescales the estimates of the candidates not yet ruled out, and the
/// fastest one predicted to pass is pruned and measured next. At most <see cref="MaxPrunes"/> real
/// prunes; the fastest plan that passed its measurement is kept.</para>
/// </remarks>
internal static class FidelityPlanner
{
    /// <summary>Real (sequential, data-aware) prunes at most.</summary>
    public const int MaxPrunes = 3;

    // Inputs and the sparsity each layer's effect on the output is measured with.
    private const int SensitivityInputs = 16;
    private const double SensitivitySparsity = 0.7;

    public static (ModelPruning Pruning, IReadOnlyList<DataAwareLayerResult> Layers, OutputFidelity Fidelity, FidelityPlan Plan) Prune(
        ModelGraph graph, ISparsityScheme scheme, CompileOptions options, double target, float[][] calibration, float[][] validation, float[][] denseValidation,
        int threads, Action<string>? progress)
    {
        if (validation.Length == 0)
        {
            throw new ArgumentException("FidelityTarget needs validation inputs to check the target on; CalibrationValidationFraction is 0", nameof(options));
        }

        var pruningOptions = options.ToPruningOptions();
        var free = ModelPruner.FreeLayers(graph, pruningOptions);
        if (free.Count == 0)
        {
            throw new ArgumentException("FidelityTarget has no layer to plan: every Conv/Gemm layer is excluded, fixed or kept dense", nameof(options));
        }

        var layers = free.Select(name => graph.Layers.First(l => l.Name == name)).ToArray();
        var denseCost = layers.Select(l => LayerPlanner.EstimateMicroseconds(graph, l, 0, options.Planner)).ToArray();
        var subset = ErrorAllocation.Subset(calibration, options.DataAware);
        var indexOf = layers.Select((l, i) => (l.Name, Index: i)).ToDictionary(x => x.Name, x => x.Index, StringComparer.Ordinal);
        var measured = ErrorAllocation.Measure(
            graph, scheme, options.Settings, free, subset, options.DataAware, threads, progress,
            (name, s) => LayerPlanner.EstimateMicroseconds(graph, layers[indexOf[name]], s, options.Planner) < denseCost[indexOf[name]]);
        var choices = measured.Select((m, i) => Choices(graph, layers[i], m, denseCost[i], options.Planner)).ToArray();
        var snapshot = WeightSnapshot.Capture(graph);
        choices = InOutputTerms(graph, layers, measured, choices, subset.Take(SensitivityInputs).ToArray(), snapshot, threads, progress);
        var candidates = Candidates(choices, WeightMatrix.AllOf(graph), pruningOptions, free, options.Sparsity);
        var estimates = new Dictionary<int, double> { [candidates.Count - 1] = 1.0 };
        double Estimate(int index)
        {
            if (!estimates.TryGetValue(index, out var value))
            {
                progress?.Invoke(LayerReports.Invariant($"estimating candidate {index + 1} of {candidates.Count} (1 is the fastest)"));
                for (var l = 0; l < choices.Length; l++)
                {
                    if (choices[l][candidates[index][l]].Weights is { } weights)
                    {
                        LayerRefit.WriteBack(WeightMatrix.Of(layers[l]), measured[l].HasBias, weights);
                    }
                }

                value = OutputFidelity.Compare(denseValidation, CalibratedPruning.Run(graph, validation, threads)).MeanCosine;
                snapshot.Restore();
                estimates[index] = value;
            }

            return value;
        }

        var first = FirstPassing(0, candidates.Count - 1, i => Estimate(i) >= target);
        if (first == candidates.Count - 1 && first > 0)
        {
            // Even the least pruned candidate's estimate falls short; the real prune does better, so try it.
            first--;
        }

        if (first == candidates.Count - 1)
        {
            throw new FidelityTargetException(target, 1.0, "no layer can be pruned: every free layer's sparse options cost more than dense by the planner's cost model");
        }

        var results = new List<(int Index, ModelPruning Pruning, IReadOnlyList<DataAwareLayerResult> Layers, OutputFidelity Fidelity, WeightSnapshot Weights)>();
        // The fastest candidate passed lies in [low, high]: below low each one pruned failed, high passed (or is dense).
        int low = 0, high = candidates.Count - 1, next = first;
        while (true)
        {
            var tried = Verify(next);
            if (tried.Fidelity.MeanCosine >= target)
            {
                high = Math.Min(high, next);
            }
            else
            {
                low = Math.Max(low, next + 1);
            }

            // The latest measurement rescales the estimated loss of the others (the estimate is pessimistic, by a factor that drifts with the plan).
            var ratio = estimates[next] < 1 ? (1 - tried.Fidelity.MeanCosine) / (1 - estimates[next]) : 1;
            next = FirstPassing(low, high, i => 1 - (ratio * (1 - Estimate(i))) >= target);
            if (results.Count >= MaxPrunes || next >= high || results.Any(r => r.Index == next))
            {
                break;
            }

            snapshot.Restore();
        }

        var passing = results.Where(r => r.Fidelity.MeanCosine >= target).ToArray();
        if (passing.Length == 0)
        {
            snapshot.Restore();
            throw new FidelityTargetException(target, results.Max(r => r.Fidelity.MeanCosine), "lower the target, or give more calibration inputs");
        }

        var kept = passing.MinBy(r => r.Index);
        kept.Weights.Restore();
        var chosen = Sparsities(choices, candidates[kept.Index], free);
        var plan = new FidelityPlan(
            target, kept.Fidelity.MeanCosine, estimates[kept.Index], chosen,
            choices.Select((c, l) => c[candidates[kept.Index][l]].Microseconds).Sum(), denseCost.Sum(),
            estimates.Count - 1, results.Count, measured[0].Curve.Points.Count);
        return (kept.Pruning, kept.Layers, kept.Fidelity, plan);

        (int Index, ModelPruning Pruning, IReadOnlyList<DataAwareLayerResult> Layers, OutputFidelity Fidelity, WeightSnapshot Weights) Verify(int index)
        {
            var sparsities = Sparsities(choices, candidates[index], free);
            progress?.Invoke(LayerReports.Invariant($"pruning candidate {index + 1} of {candidates.Count} ({sparsities.Count(s => s.Value > 0)} of {free.Count} layers sparse)"));
            var fixedSparsities = new Dictionary<string, double>(pruningOptions.LayerSparsities ?? new Dictionary<string, double>(), StringComparer.Ordinal);
            foreach (var (name, s) in sparsities)
            {
                fixedSparsities[name] = s;
            }

            var pruning = DataAwarePruner.Prune(
                graph, scheme, pruningOptions with { Sparsity = null, LayerSparsities = fixedSparsities }, calibration,
                options.DataAware with { Allocation = DataAwareAllocation.AsPlanned }, out var layerResults, progress);
            var fidelity = OutputFidelity.Compare(denseValidation, CalibratedPruning.Run(graph, validation, threads));
            progress?.Invoke(LayerReports.Invariant($"candidate {index + 1}: estimated mean cosine {estimates[index]:0.0000}, measured {fidelity.MeanCosine:0.0000}"));
            var result = (index, pruning, layerResults, fidelity, WeightSnapshot.Capture(graph));
            results.Add(result);
            return result;
        }
    }

    /// <summary>
    /// The layers' errors rescaled to what reaches the output: each layer's variant nearest
    /// <see cref="SensitivitySparsity"/> is put in alone and 1 − the mean cosine of the model's outputs
    /// measured on a few calibration inputs; the ratio to its reconstruction error scales all its
    /// options (an error in a late layer passes to the output whole, an early one's may fade or grow).
    /// </summary>
    private static Choice[][] InOutputTerms(
        ModelGraph graph, Ir.Layer[] layers, List<MeasuredLayer> measured, Choice[][] choices, float[][] inputs, WeightSnapshot snapshot, int threads, Action<string>? progress)
    {
        var dense = CalibratedPruning.Run(graph, inputs, threads);
        var scaled = new Choice[choices.Length][];
        for (var l = 0; l < choices.Length; l++)
        {
            var probe = choices[l].Skip(1).MinBy(c => Math.Abs(c.Sparsity - SensitivitySparsity));
            if (probe is null)
            {
                scaled[l] = choices[l];
                continue;
            }

            progress?.Invoke(LayerReports.Invariant($"output sensitivity of {layers[l].Name} ({l + 1}/{choices.Length})"));
            LayerRefit.WriteBack(WeightMatrix.Of(layers[l]), measured[l].HasBias, probe.Weights!);
            var loss = Math.Max(1e-6, 1 - OutputFidelity.Compare(dense, CalibratedPruning.Run(graph, inputs, threads)).MeanCosine);
            snapshot.Restore();
            var factor = loss / Math.Max(probe.Error, 1e-12);
            scaled[l] = choices[l].Select(c => c with { Error = c.Error * factor }).ToArray();
        }

        return scaled;
    }

    /// <summary>The smallest i in [low, high] for which <paramref name="passes"/> holds, assuming it holds from some i on; high when none below does.</summary>
    private static int FirstPassing(int low, int high, Func<int, bool> passes)
    {
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            if (passes(mid))
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        return high;
    }

    // A layer's options: dense first, then each measured sparsity the cost model runs faster than dense.
    private static Choice[] Choices(ModelGraph graph, Ir.Layer layer, MeasuredLayer measured, double denseCost, PlannerOptions planner) =>
        measured.Variants
            .Where(v => v.Weights is not null)
            .Select(v => new Choice(v.Point.RequestedSparsity, v.Point.Sparsity, LayerPlanner.EstimateMicroseconds(graph, layer, v.Point.Sparsity, planner), Math.Max(0, v.Point.RelativeError), v.Weights))
            .Where(c => c.Microseconds < denseCost)
            .Prepend(new Choice(0, 0, denseCost, 0, null))
            .ToArray();

    // Candidate plans (an option index per layer) from the fastest to all dense, each under the sparsity
    // bound: from all dense, each step moves one layer to a faster option, the one that saves the most
    // time per unit of added error, so neighbouring candidates differ in one layer.
    private static List<int[]> Candidates(Choice[][] choices, IReadOnlyList<WeightMatrix> matrices, ModelPruningOptions options, IReadOnlyList<string> free, double? bound)
    {
        var weights = matrices.ToDictionary(m => m.LayerName, m => (double)m.Values.Length, StringComparer.Ordinal);
        var total = weights.Values.Sum();
        var fixedRemoved = (options.LayerSparsities ?? new Dictionary<string, double>()).Sum(p => p.Value * weights[p.Key]);
        var removed = fixedRemoved;
        var plan = new int[choices.Length];
        var plans = new List<int[]> { (int[])plan.Clone() };
        while (true)
        {
            (int Layer, int Option, double Score) best = (-1, -1, double.NegativeInfinity);
            for (var l = 0; l < choices.Length; l++)
            {
                var now = choices[l][plan[l]];
                for (var o = 0; o < choices[l].Length; o++)
                {
                    var option = choices[l][o];
                    var more = (option.Sparsity - now.Sparsity) * weights[free[l]];
                    if (option.Microseconds >= now.Microseconds || (bound is { } b && (removed + more) / total > b + 1e-9))
                    {
                        continue;
                    }

                    var score = (now.Microseconds - option.Microseconds) / Math.Max(option.Error - now.Error, 1e-12);
                    if (score > best.Score)
                    {
                        best = (l, o, score);
                    }
                }
            }

            if (best.Layer < 0)
            {
                break;
            }

            removed += (choices[best.Layer][best.Option].Sparsity - choices[best.Layer][plan[best.Layer]].Sparsity) * weights[free[best.Layer]];
            plan[best.Layer] = best.Option;
            plans.Add((int[])plan.Clone());
        }

        plans.Reverse();
        return plans;
    }

    private static Dictionary<string, double> Sparsities(Choice[][] choices, int[] plan, IReadOnlyList<string> free) =>
        free.Select((name, l) => (name, choices[l][plan[l]].RequestedSparsity)).ToDictionary(x => x.name, x => x.RequestedSparsity, StringComparer.Ordinal);

    private sealed record Choice(double RequestedSparsity, double Sparsity, double Microseconds, double Error, float[][]? Weights);
}
