using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Emission;

/// <summary>Slice, ChannelShuffle, Transpose and Pad through the runtime's data-movement kernels (batch 1).</summary>
internal sealed class MovementEmitter : LayerEmitter
{
    public override void Emit(EmitContext context, Step step)
    {
        var layer = step.Layer;
        var x = layer.InputShapes[0];
        var input = context.Plan.Span(layer.Inputs[0]);
        var output = context.Plan.Span(step.Output);
        switch (layer.Parameters)
        {
            case SliceParameters slice:
                int outer = 1, inner = 1;
                for (var d = 1; d < slice.Axis; d++)
                {
                    outer *= x[d];
                }

                for (var d = slice.Axis + 1; d < x.Count; d++)
                {
                    inner *= x[d];
                }

                var length = slice.Axis == 0 ? 1 : x[slice.Axis];
                context.Run.Line($"DataMovement.Slice({input}, {Literals.Int(outer)}, {Literals.Int(length)}, {Literals.Int(inner)}, {Literals.Int(slice.Start)}, {Literals.Int(slice.End)}, {output});");
                break;
            case PadParameters pad:
                var p = pad.Pads;
                context.Run.Line($"DataMovement.Pad({input}, {Literals.Int(x[1])}, {Literals.Int(x[2])}, {Literals.Int(x[3])}, new Padding2D({Literals.Int(p.Top)}, {Literals.Int(p.Left)}, {Literals.Int(p.Bottom)}, {Literals.Int(p.Right)}), {Literals.String(pad.Mode)}, {Literals.Float(pad.Value)}, {output});");
                break;
            case TransposeParameters transpose:
                context.Run.Line($"DataMovement.Transpose({input}, {Literals.IntArray(x)}, {Literals.IntArray(transpose.Perm)}, {output});");
                break;
            case ChannelShuffleParameters shuffle:
                context.Run.Line($"DataMovement.ChannelShuffle({input}, 1, {Literals.Int(x[1])}, {Literals.Int(x[2] * x[3])}, {Literals.Int(shuffle.Groups)}, {output});");
                break;
        }
    }
}
