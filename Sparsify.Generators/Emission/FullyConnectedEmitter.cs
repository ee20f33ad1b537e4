using Sparsify.Generators.Model;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Emission;

/// <summary>Gemm layers: dense kernel, the table-driven sparse kernel, or generated unrolled rows.</summary>
internal sealed class FullyConnectedEmitter : LayerEmitter
{
    public override void Emit(EmitContext context, Step step)
    {
        var w = step.Layer.Weights!;
        var input = context.Plan.Span(step.Layer.Inputs[0]);
        var output = context.Plan.Span(step.Output);
        var relu = Literals.Bool(step.Relu);
        context.LoadBias(step);
        switch (step.Layer.Plan)
        {
            case LayerExecution.Dense:
                context.LoadFloats($"_weights{step.Ident}", w.WeightsBlob!);
                context.Run.Line($"FullyConnected.Dense(1, {Literals.Int(w.Columns)}, {Literals.Int(w.Rows)}, {input}, _weights{step.Ident}, {EmitContext.Bias(step)}, {relu}, {output}, _threads);");
                break;
            case LayerExecution.SparseTable:
                var (factory, type) = w.WeightsBlob!.Format == BlobFormat.Group ? ("FromGroups", "GroupLayer") : ("FromCsr", "CsrLayer");
                context.Fields.Line($"private readonly SparseFullyConnected _sparse{step.Ident};");
                context.Constructor.Line($"_sparse{step.Ident} = SparseFullyConnected.{factory}({Literals.Int(w.Columns)}, {Literals.Int(w.Rows)}, ({type})weights.ReadEncoded({EmitContext.Location(w.WeightsBlob!)}), {EmitContext.Bias(step)});");
                context.Run.Line($"_sparse{step.Ident}.Run({input}, {relu}, {output}, _threads);");
                break;
            default:
                UnrolledFullyConnectedEmitter.Emit(context, step, input, output);
                break;
        }
    }
}
