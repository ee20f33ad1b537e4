using Sparsify.Generators.Parsing;

namespace Sparsify.Generators.Emission;

/// <summary>LRN through the runtime's normalisation kernel; the constants are exact float immediates.</summary>
internal sealed class NormalizationEmitter : LayerEmitter
{
    public override void Emit(EmitContext context, Step step)
    {
        var layer = step.Layer;
        var x = layer.InputShapes[0];
        var pixels = x[2] * x[3];
        var size = LayerChecks.Int(layer.Attr("size"))!.Value;
        var alpha = Literals.Float(LayerChecks.Float(layer.Attr("alpha"))!.Value);
        var beta = Literals.Float(LayerChecks.Float(layer.Attr("beta"))!.Value);
        var bias = Literals.Float(LayerChecks.Float(layer.Attr("bias"))!.Value);
        context.Run.Line($"Normalization.Lrn(1, {Literals.Int(x[1])}, {Literals.Int(pixels)}, {Literals.Int(size)}, {alpha}, {beta}, {bias}, {context.Plan.Span(layer.Inputs[0])}, {context.Plan.Span(step.Output)}, _threads);");
    }
}
