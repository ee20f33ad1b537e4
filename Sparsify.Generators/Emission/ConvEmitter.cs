using System.Collections.Generic;
using Sparsify.Generators.Model;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Emission;

/// <summary>Conv layers: dense kernel, the table-driven sparse driver, or generated unrolled tile bodies.</summary>
internal sealed class ConvEmitter : LayerEmitter
{
    public override void Emit(EmitContext context, Step step)
    {
        var geometry = $"Geometry{step.Ident}";
        context.Fields.Line($"private static readonly ConvGeometry {geometry} = new({Geometry(step.Layer)});");
        var input = context.Plan.Span(step.Layer.Inputs[0]);
        var output = context.Plan.Span(step.Output);
        var activation = Activation(step);
        var weights = step.Layer.Weights!;
        context.LoadBias(step);
        switch (step.Layer.Plan)
        {
            case LayerExecution.Dense:
                // The runtime packs the weights for its GEMM once, here, instead of on every call.
                context.Fields.Line($"private readonly DenseConvolution _conv{step.Ident};");
                context.Constructor.Line($"_conv{step.Ident} = new DenseConvolution(in {geometry}, weights.ReadFloats({EmitContext.Location(weights.WeightsBlob!)}), {EmitContext.Bias(step)}, {activation});");
                context.Run.Line($"_conv{step.Ident}.Run({input}, {context.Residual(step)}, {output}, _threads);");
                break;
            case LayerExecution.SparseTable:
                var (factory, type) = weights.WeightsBlob!.Format == BlobFormat.Group ? ("FromGroups", "GroupLayer") : ("FromCsr", "CsrLayer");
                context.Fields.Line($"private readonly SparseConvolutionDriver _driver{step.Ident};");
                context.Constructor.Line($"_driver{step.Ident} = SparseConvolutions.{factory}(in {geometry}, ({type})weights.ReadEncoded({EmitContext.Location(weights.WeightsBlob!)}), {EmitContext.Bias(step)}{LayoutOf(step)});");
                EmitRun(context, step, input, output, activation);
                break;
            default:
                UnrolledConvEmitter.Emit(context, step, geometry);
                EmitRun(context, step, input, output, activation);
                break;
        }
    }

    /// <summary>The trailing factory argument of a companion: the convolution whose input layout it reads.</summary>
    public static string LayoutOf(Step step) => step.RunsWith is { } host ? $", in Geometry{host.Ident}" : string.Empty;

    // A companion runs inside its host's step.
    private static void EmitRun(EmitContext context, Step step, string input, string output, string activation)
    {
        if (step.RunsWith is null)
        {
            var ident = step.Ident;
            context.Fields.Line($"private readonly SparseConvolutionStep _step{ident};");
            context.Wiring.Line($"_step{ident} = new SparseConvolutionStep({Wiring(step, activation)});");
            context.Run.Line($"_step{ident}.Run({Spans(context, step, input, output)});");
        }
    }

    /// <summary>The step's constructor arguments: its driver, threads, activation, and the links the plan gives it.</summary>
    private static string Wiring(Step step, string activation)
    {
        var args = new List<string> { $"_driver{step.Ident}", "threads", $"activation: {activation}" };
        if (step.InputFed)
        {
            args.Add("inputFed: true");
        }

        if (step.Feeds is { } next)
        {
            args.Add($"feeds: _driver{next.Ident}");
        }

        if (step.Companion is { } c)
        {
            args.Add($"companion: _driver{c.Ident}");
            if (Activation(c) is var companionActivation && companionActivation != "Activation.None")
            {
                args.Add($"companionActivation: {companionActivation}");
            }
        }

        return string.Join(", ", args);
    }

    /// <summary>The tensors of one call, named: those the wiring leaves to the step (a fed input, a fed output) are left out.</summary>
    private static string Spans(EmitContext context, Step step, string input, string output)
    {
        var args = new List<string>();
        if (!step.InputFed)
        {
            args.Add($"input: {input}");
        }

        if (step.Residual is not null)
        {
            args.Add($"residual: {context.Residual(step)}");
        }

        if (step.Feeds is null)
        {
            args.Add($"output: {output}");
        }

        if (step.Companion is { } c)
        {
            args.Add($"companionOutput: {context.Plan.Span(c.Output)}");
        }

        return string.Join(", ", args);
    }

    /// <summary>
    /// The runtime's <c>Activation</c> of the function the plan folded into the step's epilogue (from
    /// <see cref="EpilogueFolds.ActivationStart"/>), or <c>Activation.None</c>.
    /// </summary>
    public static string Activation(Step step)
    {
        var start = EpilogueFolds.ActivationStart(step.Fused);
        var folded = new List<ManifestLayer>();
        for (var i = start; i < step.Fused.Count; i++)
        {
            folded.Add(step.Fused[i]);
        }

        return ActivationOf(folded);
    }

    /// <summary>
    /// The runtime's <c>Activation</c> of an activation's layers, with their constants: one epilogue activation,
    /// a gate and its Mul (HardSwish or SiLU), or none (<c>Activation.None</c>).
    /// </summary>
    public static string ActivationOf(IReadOnlyList<ManifestLayer> layers)
    {
        if (layers.Count == 2)
        {
            return layers[0].Parameters is HardSigmoidParameters hard
                ? $"Activation.HardSwish({Literals.Float(hard.Alpha)}, {Literals.Float(hard.Beta)})"
                : "Activation.Swish";
        }

        return layers.Count == 0 ? "Activation.None" : layers[0].Parameters switch
        {
            ClipParameters clip => $"Activation.Clip({Literals.Float(clip.Min)}, {Literals.Float(clip.Max)})",
            LeakyReluParameters leaky => $"Activation.LeakyRelu({Literals.Float(leaky.Alpha)})",
            HardSigmoidParameters hard => $"Activation.HardSigmoid({Literals.Float(hard.Alpha)}, {Literals.Float(hard.Beta)})",
            _ => $"Activation.{layers[0].Op}",
        };
    }

    /// <summary>The ConvGeometry constructor arguments at batch 1, as the compiler derives the geometry.</summary>
    public static string Geometry(ManifestLayer layer)
    {
        var g = ConvParameters.GeometryOf(layer);
        int[] args =
        [
            g.Batch, g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth, g.KernelHeight, g.KernelWidth,
            g.StrideH, g.StrideW, g.DilationH, g.DilationW, g.PadTop, g.PadLeft, g.Group,
        ];
        return string.Join(", ", System.Linq.Enumerable.Select(args, Literals.Int));
    }
}
