using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation.Lowering;

/// <summary>
/// Lowering pass 1: folds Conv→Add, Conv→activation, Conv→Add→activation (any of
/// <see cref="ManifestOps.EpilogueActivations"/>: ReLU, Clip, LeakyRelu, HardSigmoid, Sigmoid, Tanh),
/// Conv→[Add]→gate→Mul (x · HardSigmoid(x) is HardSwish, x · Sigmoid(x) SiLU), Gemm→ReLU and Add→ReLU
/// into one step when the intermediate values have no other readers and are no model outputs, and (for the
/// Add) the residual exists before the convolution runs; a squeeze-and-excitation block whose convolutions
/// are dense (<see cref="EpilogueFolds.SqueezeExcitationOf"/>) into its pool's step. Every other layer is a
/// step of its own.
/// </summary>
internal static class FuseEpilogues
{
    public static List<StepDraft> Run(Manifest manifest)
    {
        var layers = manifest.Layers;
        var readers = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < layers.Count; i++)
        {
            producer[layers[i].Output] = i;
            foreach (var input in layers[i].Inputs)
            {
                if (!readers.TryGetValue(input, out var list))
                {
                    readers[input] = list = [];
                }

                list.Add(i);
            }
        }

        var outputs = manifest.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        ManifestLayer? SoleReader(string value, Func<string, bool> op) =>
            !outputs.Contains(value) && readers.TryGetValue(value, out var r) && r.Count == 1 && op(layers[r[0]].Op) ? layers[r[0]] : null;

        // x · gate(x): the value read by exactly a gate and the Mul of the value by the gate's output.
        (ManifestLayer Gate, ManifestLayer Mul)? Gating(string value)
        {
            if (outputs.Contains(value) || !readers.TryGetValue(value, out var r) || r.Count != 2)
            {
                return null;
            }

            var (gate, mul) = ManifestOps.IsEpilogueGate(layers[r[0]].Op) ? (layers[r[0]], layers[r[1]]) : (layers[r[1]], layers[r[0]]);
            return ManifestOps.IsEpilogueGate(gate.Op) && gate.Inputs[0] == value && EpilogueFolds.IsProductOf(mul, value, gate.Output)
                   && SoleReader(gate.Output, static op => op == "Mul") == mul
                ? (gate, mul)
                : null;
        }

        // GlobalAveragePool → Conv → [activation or gate] → Conv → activation → Mul by the pool's input, each
        // value read only by the next: the block's layers, when EpilogueFolds takes them as one.
        List<ManifestLayer>? SqueezeExcitation(ManifestLayer pool)
        {
            if (SoleReader(pool.Output, static op => op == "Conv") is not { } squeeze)
            {
                return null;
            }

            var block = new List<ManifestLayer> { squeeze };
            if (Gating(squeeze.Output) is var (gate, mul))
            {
                block.Add(gate);
                block.Add(mul);
            }
            else if (SoleReader(squeeze.Output, ManifestOps.IsEpilogueActivation) is { } activation)
            {
                block.Add(activation);
            }

            if (SoleReader(block[^1].Output, static op => op == "Conv") is not { } excite
                || SoleReader(excite.Output, ManifestOps.IsEpilogueActivation) is not { } factors
                || SoleReader(factors.Output, static op => op == "Mul") is not { } scale)
            {
                return null;
            }

            block.AddRange([excite, factors, scale]);
            return EpilogueFolds.SqueezeExcitationOf(pool, block) is null ? null : block;
        }

        var consumed = new HashSet<string>(StringComparer.Ordinal);
        var steps = new List<StepDraft>();
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            if (consumed.Contains(layer.Name))
            {
                continue;
            }

            var step = new StepDraft(layer);
            if (layer.Op == "GlobalAveragePool" && SqueezeExcitation(layer) is { } block)
            {
                step.Fused.AddRange(block);
                step.Output = block[^1].Output;
            }

            if (layer.Op == "Conv" && SoleReader(step.Output, static op => op == "Add") is { } add)
            {
                var other = add.Inputs[0] == step.Output ? add.Inputs[1] : add.Inputs[0];
                if (other != step.Output && (!producer.TryGetValue(other, out var p) || p < i))
                {
                    step.Residual = other;
                    step.Fused.Add(add);
                    step.Output = add.Output;
                }
            }

            if (layer.Op == "Conv" && Gating(step.Output) is var (gate, mul))
            {
                step.Fused.Add(gate);
                step.Fused.Add(mul);
                step.Output = mul.Output;
            }
            else if (layer.Op == "Conv" && SoleReader(step.Output, ManifestOps.IsEpilogueActivation) is { } activation)
            {
                step.Relu = activation.Op == "Relu";
                step.Fused.Add(activation);
                step.Output = activation.Output;
            }
            else if (layer.Op is "Gemm" or "Add" && SoleReader(step.Output, static op => op == "Relu") is { } relu)
            {
                step.Relu = true;
                step.Fused.Add(relu);
                step.Output = relu.Output;
            }

            consumed.UnionWith(step.Fused.Select(f => f.Name));
            steps.Add(step);
        }

        return steps;
    }
}
