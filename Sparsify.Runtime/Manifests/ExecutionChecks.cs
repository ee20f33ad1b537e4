using System;
using System.Collections.Generic;
using System.Linq;

namespace Sparsify.Runtime.Manifests;

/// <summary>
/// Checks that a manifest's <see cref="ExecutionPlan"/> fits its layers, so whoever prints or follows it never
/// meets a step, value or buffer it cannot resolve: every layer runs in exactly one step, steps read only
/// values that exist by then, folded layers form an epilogue the kernels have (<see cref="EpilogueFolds"/>), feeding and companion links
/// pair sparse convolutions both ways, every value a step touches has a buffer long enough, and an unrolled
/// convolution has an input offset for each weight column it uses.
/// <see cref="ManifestReader"/> runs them after <see cref="ManifestChecks"/>.
/// </summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
static class ExecutionChecks
{
    /// <summary>
    /// The first problem: the index of the step it belongs to (null: the buffers or values, then <c>Key</c>
    /// names the kind of line), and what is wrong; null when there is none.
    /// </summary>
    /// <param name="manifest">A manifest whose layers passed <see cref="ManifestChecks"/>.</param>
    public static (int? Step, string Key, string Text)? FirstProblem(Manifest manifest)
    {
        var plan = manifest.Execution;
        var layers = new Dictionary<string, ManifestLayer>(StringComparer.Ordinal);
        foreach (var layer in manifest.Layers)
        {
            layers[layer.Name] = layer;
        }

        var buffers = new Dictionary<string, ValueBuffer>(StringComparer.Ordinal);
        foreach (var value in plan.Values)
        {
            if (buffers.ContainsKey(value.Value))
            {
                return (null, "value", $"value '{value.Value}' is given a buffer twice");
            }

            if (value.Buffer >= plan.BufferLengths.Count || value.Length < 1 || value.Length > plan.BufferLengths[value.Buffer])
            {
                return (null, "value", FormattableString.Invariant($"value '{value.Value}' needs {value.Length} floats of buffer {value.Buffer}, which the plan does not have"));
            }

            buffers[value.Value] = value;
        }

        var ran = new HashSet<string>(StringComparer.Ordinal);
        var available = new HashSet<string>(manifest.Inputs.Select(i => i.Name), StringComparer.Ordinal);
        var stepOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            stepOf[plan.Steps[i].Layer] = i;
        }

        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            if (StepProblem(manifest, step, i, layers, ran, available, stepOf, buffers) is { } problem)
            {
                return (i, "step", problem);
            }
        }

        if (manifest.Layers.FirstOrDefault(l => !ran.Contains(l.Name)) is { } missing)
        {
            return (null, "step", $"layer '{missing.Name}' runs in no step");
        }

        foreach (var value in manifest.Inputs.Select(v => v.Name).Concat(manifest.Outputs.Select(v => v.Name)))
        {
            if (!buffers.TryGetValue(value, out var buffer))
            {
                return (null, "value", $"model value '{value}' has no buffer");
            }

            var shape = manifest.Inputs.Concat(manifest.Outputs).First(v => v.Name == value).Shape;
            if (buffer.Length != ExecutionPlan.ElementsAtBatchOne(shape))
            {
                return (null, "value", FormattableString.Invariant($"model value '{value}' is given {buffer.Length} floats, its shape has {ExecutionPlan.ElementsAtBatchOne(shape)}"));
            }
        }

        return null;
    }

    private static string? StepProblem(
        Manifest manifest, ExecutionStep step, int index, Dictionary<string, ManifestLayer> layers, HashSet<string> ran,
        HashSet<string> available, Dictionary<string, int> stepOf, Dictionary<string, ValueBuffer> buffers)
    {
        if (!layers.TryGetValue(step.Layer, out var layer))
        {
            return $"no layer is named '{step.Layer}'";
        }

        var fused = new List<ManifestLayer>();
        foreach (var name in step.Fused)
        {
            if (!layers.TryGetValue(name, out var f))
            {
                return $"it folds '{name}', which the manifest does not have";
            }

            fused.Add(f);
        }

        var members = new List<ManifestLayer> { layer };
        members.AddRange(fused);
        foreach (var member in members)
        {
            if (!ran.Add(member.Name))
            {
                return $"layer '{member.Name}' runs in more than one step";
            }
        }

        if (EpilogueProblem(layer, fused, step) is { } epilogue)
        {
            return epilogue;
        }

        var produced = new HashSet<string>(members.Select(m => m.Output), StringComparer.Ordinal);
        foreach (var read in members.SelectMany(m => m.Inputs).Where(v => !produced.Contains(v)).Distinct())
        {
            if (!available.Contains(read))
            {
                return $"it reads '{read}' before any step writes it";
            }

            if (!buffers.ContainsKey(read))
            {
                return $"it reads '{read}', which has no buffer";
            }
        }

        if (!available.Add(step.Output))
        {
            return $"'{step.Output}' is written twice";
        }

        if (!buffers.TryGetValue(step.Output, out var output) || output.Length != ExecutionPlan.ElementsAtBatchOne(members[members.Count - 1].OutputShape))
        {
            return $"its output '{step.Output}' has no buffer of its length";
        }

        if (layer.Op is "Flatten" or "Reshape" && output.Buffer != buffers[layer.Inputs[0]].Buffer)
        {
            return "a reshape relabels its input's buffer, so its output must share it";
        }

        return TapProblem(layer, step) ?? LinkProblem(manifest.Execution.Steps, step, index, layer, layers, stepOf);
    }

    // The offsets themselves are the runtime's to confirm (generated code asks its layout); here, that they
    // name exactly the columns the unrolled weights use, so the code has an offset for every tap it reads.
    private static string? TapProblem(ManifestLayer layer, ExecutionStep step)
    {
        var columns = layer.TapColumns();
        if (columns.Length == 0 && step.Taps.Count > 0)
        {
            return "only an unrolled convolution has tap offsets";
        }

        if (step.Taps.Count != columns.Length || step.Taps.Where((tap, i) => tap.Column != columns[i]).Any())
        {
            return FormattableString.Invariant($"its taps must give one offset for each of the {columns.Length} weight columns its nonzeros use, in ascending order");
        }

        return step.Taps.Any(tap => tap.Offset < 0) ? "a tap offset is negative" : null;
    }

    // Conv → [Add] → [an epilogue activation, or a gate and the Mul of the value by it], Gemm → [ReLU],
    // Add → [ReLU], a squeeze-and-excitation block after its pool: the epilogues the kernels have.
    private static string? EpilogueProblem(ManifestLayer layer, List<ManifestLayer> fused, ExecutionStep step)
    {
        if (layer.Op == "GlobalAveragePool" && fused.Count > 0)
        {
            if (EpilogueFolds.SqueezeExcitationOf(layer, fused) is not { } block)
            {
                return $"the layers folded into GlobalAveragePool '{layer.Name}' must be a squeeze-and-excitation block: two dense 1x1 convolutions of the pooled value with their activations, then the Mul of the pool's input by the second one's";
            }

            return step.Output != block.Scale.Output || step.Residual is not null || step.Relu
                ? $"its output must be the block's Mul '{block.Scale.Output}', with no residual or ReLU"
                : null;
        }

        var value = layer.Output;
        string? residual = null;
        var relu = false;
        for (var i = 0; i < fused.Count; i++)
        {
            var f = fused[i];
            if (f.Op == "Add" && i == 0 && layer.Op == "Conv" && f.Inputs.Contains(value))
            {
                residual = f.Inputs[0] == value ? f.Inputs[1] : f.Inputs[0];
                if (residual == value)
                {
                    return "a folded Add must add another value to the convolution's output";
                }
            }
            else if (i == fused.Count - 2 && layer.Op == "Conv" && ManifestOps.IsEpilogueGate(f.Op) && f.Inputs[0] == value && EpilogueFolds.IsProductOf(fused[i + 1], value, f.Output))
            {
                i++;
                f = fused[i];
            }
            else if (i == fused.Count - 1 && f.Inputs[0] == value
                && (layer.Op == "Conv" ? ManifestOps.IsEpilogueActivation(f.Op) : f.Op == "Relu" && layer.Op is "Gemm" or "Add"))
            {
                relu = f.Op == "Relu";
            }
            else
            {
                return $"'{f.Name}' ({f.Op}) cannot be folded into {layer.Op} '{layer.Name}' there";
            }

            value = f.Output;
        }

        return step.Output != value || step.Residual != residual || step.Relu != relu
            ? $"its output, residual and ReLU must follow from the folded layers (output '{value}', residual '{residual}', ReLU {(relu ? "true" : "false")})"
            : null;
    }

    private static string? LinkProblem(
        EquatableList<ExecutionStep> steps, ExecutionStep step, int index, ManifestLayer layer, Dictionary<string, ManifestLayer> layers, Dictionary<string, int> stepOf)
    {
        // Steps before this one name layers already checked; a later one may not, so look it up softly.
        bool IsSparseConv(ManifestLayer? l) => l is { IsSparseConvolution: true };
        ManifestLayer? LayerOf(ExecutionStep s) => layers.TryGetValue(s.Layer, out var l) ? l : null;

        if (step.Feeds is { } fed)
        {
            if (!stepOf.TryGetValue(fed, out var j) || j <= index)
            {
                return $"it feeds '{fed}', which is no later step";
            }

            var next = steps[j];
            var nextLayer = LayerOf(next);
            if (!IsSparseConv(layer) || !IsSparseConv(nextLayer) || step.RunsWith is not null || !next.InputFed
                || nextLayer!.Inputs[0] != step.Output || next.Residual == step.Output || next.RunsWith is not null)
            {
                return $"it cannot feed '{fed}': both must be sparse convolutions, the second reading this step's output and marked as fed";
            }
        }

        if (step.InputFed && steps.Count(s => s.Feeds == step.Layer) != 1)
        {
            return "it is marked as fed, but not exactly one step feeds it";
        }

        if (step.Companion is { } companionName)
        {
            if (index == 0 || steps[index - 1].Layer != companionName || steps[index - 1].RunsWith != step.Layer)
            {
                return $"its companion '{companionName}' must be the step right before it, run with it";
            }

            var companion = steps[index - 1];
            var companionLayer = LayerOf(companion);
            if (!IsSparseConv(layer) || !IsSparseConv(companionLayer) || step.RunsWith is not null
                || companion.Residual is not null || companion.InputFed || companion.Feeds is not null || companion.Companion is not null
                || companionLayer!.Inputs[0] != layer.Inputs[0])
            {
                return $"'{companionName}' cannot run with it: both must be sparse convolutions of one input, the companion without residual or links of its own";
            }
        }

        if (step.RunsWith is { } host && (index + 1 >= steps.Count || steps[index + 1].Layer != host || steps[index + 1].Companion != step.Layer))
        {
            return $"it runs with '{host}', which must be the next step and name it as its companion";
        }

        return null;
    }
}
