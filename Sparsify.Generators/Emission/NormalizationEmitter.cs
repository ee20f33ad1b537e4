using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Emission;

/// <summary>LRN through the runtime's normalisation kernel; the constants are exact float immediates.</summary>
internal sealed class NormalizationEmitter : LayerEmitter
{
    public override void Emit(EmitContext context, Step step)
    {
        var layer = step.Layer;
        var x = layer.InputShapes[0];
        var pixels = x[2] * x[3];
        var lrn = (LrnParameters)layer.Parameters;
        var size = lrn.Size;
        var alpha = Literals.Float(lrn.Alpha);
        var beta = Literals.Float(lrn.Beta);
        var bias = Literals.Float(lrn.Bias);
        context.Run.Line($"Normalization.Lrn(1, {Literals.Int(x[1])}, {Literals.Int(pixels)}, {Literals.Int(size)}, {alpha}, {beta}, {bias}, {context.Plan.Span(layer.Inputs[0])}, {context.Plan.Span(step.Output)}, _threads);");
    }
}
