using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Emission;

/// <summary>
/// LRN, the per-channel affine step (BatchNormalization) and the LayerNorm over the channels through the
/// runtime's kernels; constants are exact float immediates, scales and shifts are loaded from the weight blob.
/// </summary>
internal sealed class NormalizationEmitter : LayerEmitter
{
    public override void Emit(EmitContext context, Step step)
    {
        var layer = step.Layer;
        var x = layer.InputShapes[0];
        var input = context.Plan.Span(layer.Inputs[0]);
        var output = context.Plan.Span(step.Output);
        var plane = 1;
        for (var d = 2; d < x.Count; d++)
        {
            plane *= x[d];
        }

        switch (layer.Parameters)
        {
            case ChannelAffineParameters affine:
                context.LoadFloats($"_scale{step.Ident}", affine.Scale);
                context.LoadFloats($"_shift{step.Ident}", affine.Shift);
                context.Run.Line($"Elementwise.ChannelAffine({input}, _scale{step.Ident}, _shift{step.Ident}, {Literals.Int(plane)}, {output});");
                return;
            case ChannelLayerNormParameters norm:
                context.LoadFloats($"_scale{step.Ident}", norm.Scale);
                context.LoadFloats($"_shift{step.Ident}", norm.Shift);
                context.Run.Line($"Normalization.ChannelLayerNorm(1, {Literals.Int(x[1])}, {Literals.Int(plane)}, {Literals.Float(norm.Epsilon)}, _scale{step.Ident}, _shift{step.Ident}, {input}, {output});");
                return;
        }

        var lrn = (LrnParameters)layer.Parameters;
        var alpha = Literals.Float(lrn.Alpha);
        var beta = Literals.Float(lrn.Beta);
        var bias = Literals.Float(lrn.Bias);
        context.Run.Line($"Normalization.Lrn(1, {Literals.Int(x[1])}, {Literals.Int(plane)}, {Literals.Int(lrn.Size)}, {alpha}, {beta}, {bias}, {input}, {output}, _threads);");
    }
}
