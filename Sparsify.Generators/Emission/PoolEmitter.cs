using Sparsify.Generators.Model;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Emission;

/// <summary>MaxPool, AveragePool and GlobalAveragePool through the runtime's pooling kernels.</summary>
internal sealed class PoolEmitter : LayerEmitter
{
    public override void Emit(EmitContext context, Step step)
    {
        var layer = step.Layer;
        var x = layer.InputShapes[0];
        var input = context.Plan.Span(layer.Inputs[0]);
        var output = context.Plan.Span(step.Output);
        if (layer.Op == "GlobalAveragePool")
        {
            context.Run.Line($"Pooling.GlobalAverage(1, {Literals.Int(x[1])}, {Literals.Int(x[2] * x[3])}, {input}, {output});");
            return;
        }

        var pool = (PoolParameters)layer.Parameters;
        var w = pool.Window;
        var y = layer.OutputShape;
        int[] args = [1, x[1], x[2], x[3], y[2], y[3], w.KernelH, w.KernelW, w.StrideH, w.StrideW, w.DilationH, w.DilationW, w.Pads.Top, w.Pads.Left, w.Pads.Bottom, w.Pads.Right];
        var geometry = $"Pool{step.Ident}";
        context.Fields.Line($"private static readonly PoolGeometry {geometry} = new({string.Join(", ", System.Linq.Enumerable.Select(args, Literals.Int))});");
        context.Run.Line(layer.Op == "MaxPool"
            ? $"Pooling.Max(in {geometry}, {input}, {output}, _threads);"
            : $"Pooling.Average(in {geometry}, {Literals.Bool(pool.CountIncludePad)}, {input}, {output}, _threads);");
    }
}
