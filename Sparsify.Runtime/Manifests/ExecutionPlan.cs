namespace Sparsify.Runtime.Manifests;

/// <summary>
/// How a compiled model runs, as the compiler lowered it: the layers grouped into steps (a layer and the
/// layers folded into its epilogue), which sparse convolutions write straight into the next one's input
/// layout or share one with a companion, and which activation buffer holds each value. Decided once, by the
/// compiler's lowering passes; the generator prints it, the other run times follow it. Part of the
/// manifest's schema (linked into the generator).
/// </summary>
/// <param name="Steps">The steps in execution order; a companion comes right before the step that runs it.</param>
/// <param name="BufferLengths">Floats of each activation buffer, by index.</param>
/// <param name="Values">Where each value lives: model inputs, and every step's output.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ExecutionPlan(EquatableList<ExecutionStep> Steps, EquatableList<int> BufferLengths, EquatableList<ValueBuffer> Values)
{
    /// <summary>The floats a value of <paramref name="shape"/> takes at batch 1 (every dimension after the first): its buffer length.</summary>
    /// <param name="shape">The value's shape, batch first (each dimension at least 1, the product within int).</param>
    public static int ElementsAtBatchOne(EquatableList<int> shape)
    {
        long n = 1;
        for (var i = 1; i < shape.Count; i++)
        {
            n = System.Math.Min(n * shape[i], int.MaxValue);
        }

        return (int)n;
    }
}

/// <summary>One unit of work: a layer, and the Add and activation layers folded into its epilogue.</summary>
/// <param name="Layer">The layer that does the work.</param>
/// <param name="Fused">
/// The layers folded into its epilogue, in order: an Add, an activation, or an Add then an activation. A
/// Conv's activation is any of <see cref="ManifestOps.EpilogueActivations"/> or a gate and its Mul, a Gemm's or
/// an Add's a ReLU; each back end applies the folded function with its layers' constants
/// (<see cref="EpilogueFolds.ActivationStart"/>). A GlobalAveragePool folds the rest of a
/// squeeze-and-excitation block (<see cref="EpilogueFolds.SqueezeExcitationOf"/>).
/// </param>
/// <param name="Output">The value the step writes: the last folded layer's output, or the layer's own.</param>
/// <param name="Residual">The value a folded Add adds before the ReLU, or null.</param>
/// <param name="Relu">Whether the folded activation is a ReLU.</param>
/// <param name="Feeds">The sparse convolution whose input layout this step writes instead of its output tensor, or null.</param>
/// <param name="InputFed">Whether the step before wrote this step's input layout (its input tensor is never made).</param>
/// <param name="Companion">The sparse convolution of the same input this step also runs, on its own input layout, or null.</param>
/// <param name="RunsWith">The step that runs this one as its companion, or null.</param>
/// <param name="Reason">Why the step is shaped so (one line, for the report and the generated code).</param>
/// <param name="Taps">
/// For an unrolled sparse convolution, where each weight column its nonzeros use reads the input layout
/// (its host's, for a companion), columns ascending; empty for every other step. Generated code embeds these
/// offsets, and the runtime confirms each against its layout before it runs them.
/// </param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ExecutionStep(
    string Layer, EquatableList<string> Fused, string Output, string? Residual, bool Relu,
    string? Feeds, bool InputFed, string? Companion, string? RunsWith, string Reason, EquatableList<TapOffset> Taps)
{
    /// <summary>
    /// This step as a back end whose epilogue applies only ReLU runs it: when the folded activation is another
    /// function (or a gate and its Mul), the step without it, writing the activation's input, and a step for
    /// each of the activation's layers alone, to run after it in order; a squeeze-and-excitation block as its
    /// pool and each of its other layers alone; otherwise this step and none.
    /// </summary>
    /// <param name="layers">The manifest's layers by name.</param>
    public (ExecutionStep Step, System.Collections.Generic.IReadOnlyList<ExecutionStep> After) WithReluEpilogueOnly(System.Collections.Generic.IReadOnlyDictionary<string, ManifestLayer> layers)
    {
        var after = new System.Collections.Generic.List<ExecutionStep>();
        if (Relu || Fused.Count == 0)
        {
            return (this, after);
        }

        var fused = new ManifestLayer[Fused.Count];
        for (var i = 0; i < fused.Length; i++)
        {
            if (!layers.TryGetValue(Fused[i], out var layer))
            {
                return (this, after);
            }

            fused[i] = layer;
        }

        var block = layers.TryGetValue(Layer, out var own) ? EpilogueFolds.SqueezeExcitationOf(own, fused) : null;
        var first = block is null ? EpilogueFolds.ActivationStart(fused) : 0;
        if (first == fused.Length)
        {
            return (this, after);
        }

        var none = new EquatableList<string>(System.Array.Empty<string>());
        var noTaps = new EquatableList<TapOffset>(System.Array.Empty<TapOffset>());
        var kept = new string[first];
        for (var i = 0; i < fused.Length; i++)
        {
            if (i < first)
            {
                kept[i] = Fused[i];
            }
            else
            {
                var alone = fused[i];
                after.Add(new ExecutionStep(alone.Name, none, alone.Output, null, false, null, false, null, null, "applied after " + Layer, noTaps));
            }
        }

        return (this with { Fused = new EquatableList<string>(kept), Output = block?.Pool.Output ?? fused[first].Inputs[0] }, after);
    }
}

/// <summary>Where one weight column of an unrolled convolution reads its input layout.</summary>
/// <param name="Column">The weight-matrix column (channel within the conv group, then kernel row, then kernel column).</param>
/// <param name="Offset">Floats from a grid pixel of the layout to the column's input value.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record TapOffset(int Column, int Offset);

/// <summary>The activation buffer a value lives in.</summary>
/// <param name="Value">The value.</param>
/// <param name="Buffer">The buffer's index.</param>
/// <param name="Length">The value's floats at batch 1 (the first of the buffer's).</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ValueBuffer(string Value, int Buffer, int Length);
