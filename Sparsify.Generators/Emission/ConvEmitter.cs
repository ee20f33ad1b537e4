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
        var relu = Literals.Bool(step.Relu);
        var weights = step.Layer.Weights!;
        context.LoadBias(step);
        switch (step.Layer.Plan)
        {
            case LayerExecution.Dense:
                context.LoadFloats($"_weights{step.Ident}", weights.WeightsBlob!);
                context.Run.Line($"Convolution.Dense(in {geometry}, {input}, _weights{step.Ident}, {EmitContext.Bias(step)}, {context.Residual(step)}, {relu}, {output}, _threads);");
                break;
            case LayerExecution.SparseTable:
                var (factory, type) = weights.WeightsBlob!.Format == BlobFormat.Group ? ("FromGroups", "GroupLayer") : ("FromCsr", "CsrLayer");
                context.Fields.Line($"private readonly SparseConvolutionDriver _driver{step.Ident};");
                context.Constructor.Line($"_driver{step.Ident} = SparseConvolutions.{factory}(in {geometry}, ({type})weights.ReadEncoded({EmitContext.Location(weights.WeightsBlob!)}), {EmitContext.Bias(step)}{LayoutOf(step)});");
                EmitRun(context, step, input, output, relu);
                break;
            default:
                UnrolledConvEmitter.Emit(context, step, geometry);
                EmitRun(context, step, input, output, relu);
                break;
        }
    }

    /// <summary>The trailing factory argument of a companion: the convolution whose input layout it reads.</summary>
    public static string LayoutOf(Step step) => step.RunsWith is { } host ? $", in Geometry{host.Ident}" : string.Empty;

    // A companion runs inside its host's call.
    private static void EmitRun(EmitContext context, Step step, string input, string output, string relu)
    {
        if (step.RunsWith is null)
        {
            context.Run.Line(SparseRun(context, step, input, output, relu));
        }
    }

    /// <summary>A sparse driver's call: from its own input or the layout the step before wrote, into a tensor or the next step's layout, with its companion.</summary>
    private static string SparseRun(EmitContext context, Step step, string input, string output, string relu)
    {
        var driver = $"_driver{step.Ident}";
        var residual = context.Residual(step);
        var companion = step.Companion is { } c ? $"_driver{c.Ident}, {Literals.Bool(c.Relu)}, {context.Plan.Span(c.Output)}, " : string.Empty;
        return (step.InputFed, step.Feeds) switch
        {
            (false, null) => $"{driver}.Run({input}, {residual}, {relu}, {output}, {companion}_threads);",
            (false, { } next) => $"{driver}.RunInto({input}, {residual}, {relu}, _driver{next.Ident}, {companion}_threads);",
            (true, null) => $"{driver}.RunOnFedLayout({residual}, {relu}, {output}, {companion}_threads);",
            (true, { } next) => $"{driver}.RunOnFedLayoutInto({residual}, {relu}, _driver{next.Ident}, {companion}_threads);",
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
