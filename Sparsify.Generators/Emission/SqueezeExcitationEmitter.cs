using Sparsify.Generators.Model;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Emission;

/// <summary>A GlobalAveragePool with the rest of its squeeze-and-excitation block folded in: one runtime <c>SqueezeExcitation</c>.</summary>
internal sealed class SqueezeExcitationEmitter : LayerEmitter
{
    public override void Emit(EmitContext context, Step step)
    {
        // The plan's checks accepted the step, so the folded layers are a block.
        var block = EpilogueFolds.SqueezeExcitationOf(step.Layer, step.Fused)!;
        var field = $"_block{step.Ident}";
        context.Fields.Line($"private readonly SqueezeExcitation {field};");
        context.Constructor.Line($"{field} = new SqueezeExcitation(");
        context.Constructor.Line($"    channels: {Literals.Int(block.Channels)}, pixels: {Literals.Int(block.Pixels)},");
        context.Constructor.Line($"    squeeze: {Floats(block.Squeeze.Weights!.WeightsBlob)}, squeezeBias: {Floats(block.Squeeze.Weights.BiasBlob)}, squeezeActivation: {ConvEmitter.ActivationOf(block.SqueezeActivation)},");
        context.Constructor.Line($"    excite: {Floats(block.Excite.Weights!.WeightsBlob)}, exciteBias: {Floats(block.Excite.Weights.BiasBlob)}, gate: {ConvEmitter.ActivationOf([block.Gate])});");
        context.Run.Line($"{field}.Run({context.Plan.Span(block.Pool.Inputs[0])}, {context.Plan.Span(step.Output)}, _threads);");
    }

    private static string Floats(Runtime.Blob.BlobLocation? blob) => blob is null ? "null" : $"weights.ReadFloats({EmitContext.Location(blob)})";
}
