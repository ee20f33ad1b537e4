using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Core.Onnx;

// torch.nn.LocalResponseNorm is exported not as ONNX LRN but as its definition:
//   x*x → Unsqueeze(1) → Reshape to N×1×C×H×W → Pad the channel axis → AveragePool size×1×1
//   → (If on a shape check: Squeeze or Identity) → Reshape to N×C×H×W → ·alpha → +k → ^beta → x / that,
// which is ONNX LRN(size, alpha, beta, bias = k) exactly where the pads match LRN's window.
internal sealed partial class OnnxImporter
{
    private const string TorchLrnPattern = "torch's LocalResponseNorm";
    private static readonly string[] IfBranches = ["then_branch", "else_branch"];

    private bool TryRecogniseTorchLrn(NodeProto square)
    {
        if (square.Input.Count != 2 || Resolve(square.Input[0]) != Resolve(square.Input[1]))
        {
            return false;
        }

        var x = Resolve(square.Input[0]);
        if (!_shapes.TryGetValue(x, out var shape) || shape.Rank != 4)
        {
            return false;
        }

        int[] dims = [.. shape.Dims], fiveD = [shape[0], 1, shape[1], shape[2], shape[3]];
        var chain = new List<NodeProto> { square };
        if (Next(square, "Unsqueeze") is not { } unsqueeze || IntegersOf(unsqueeze, 1, "axes", 13) is not [1])
        {
            return false;
        }

        chain.Add(unsqueeze);
        if (Next(unsqueeze, "Reshape") is not { } view || !ReshapesTo(view, fiveD, fiveD))
        {
            return false;
        }

        chain.Add(view);
        var (current, before, after) = (view, 0L, 0L);
        while (Next(current, "Pad") is { } pad)
        {
            if (ChannelPads(pad) is not var (padBefore, padAfter))
            {
                return false;
            }

            (current, before, after) = (pad, before + padBefore, after + padAfter);
            chain.Add(pad);
        }

        if (Next(current, "AveragePool") is not { } pool || WindowAlongChannels(pool) is not { } size || before + after != size - 1)
        {
            return false;
        }

        chain.Add(pool);
        current = pool;
        while (Next(current, "If", "Squeeze", "Identity", "Reshape") is { } step && step.OpType != "Reshape")
        {
            if (step.OpType == "If" ? !BothBranchesDropTheAxis(step, pool.Output[0]) : step.OpType == "Squeeze" && IntegersOf(step, 1, "axes", 13) is not (null or [1]))
            {
                return false;
            }

            chain.Add(step);
            current = step;
        }

        if (Next(current, "Reshape") is not { } back || !ReshapesTo(back, dims, null))
        {
            return false;
        }

        chain.Add(back);
        if (Next(back, "Mul") is not { } scale || ScalarOperand(scale, back.Output[0]) is not { } alpha
            || Next(scale, "Add") is not { } shift || ScalarOperand(shift, scale.Output[0]) is not { } bias
            || Next(shift, "Pow") is not { } power || power.Input.Count != 2 || Resolve(power.Input[0]) != shift.Output[0] || LookAheadConstant(power.Input[1]) is not { Count: 1 } exponent
            || Next(power, "Div") is not { } divide || Resolve(divide.Input[0]) != x || Resolve(divide.Input[1]) != power.Output[0])
        {
            return false;
        }

        chain.AddRange([scale, shift, power, divide]);

        // ONNX LRN sums channels c - floor((size-1)/2) to c + ceil((size-1)/2); torch pads size/2
        // before, which is the same window for every odd size and one channel off for an even one.
        if (before != (size - 1) / 2)
        {
            throw new SparsifyModelException($"{TorchLrnPattern} of size {size} averages channels c-{before} to c+{after}, a window ONNX LRN (c-{(size - 1) / 2} to c+{size / 2}) cannot express; only odd sizes are supported");
        }

        if (!TryConsume(chain, Output(divide)))
        {
            return false;
        }

        AppendRecognised(new LrnLayer(NodeName(square), x, Output(divide), (int)size, (float)alpha, (float)exponent.RealAt(0), (float)bias), TorchLrnPattern, chain.Count);
        return true;
    }

    // A Reshape whose constant target gives exactly `dims` from an input of dims `from` (null: only -1 may be inferred).
    private bool ReshapesTo(NodeProto reshape, int[] dims, int[]? from)
    {
        if (reshape.Input.Count != 2 || LookAheadConstant(reshape.Input[1]) is not { IsReal: false } target)
        {
            return false;
        }

        var values = target.Integers!;
        if (values.Length != dims.Length)
        {
            return false;
        }

        for (var i = 0; i < dims.Length; i++)
        {
            var copied = values[i] == 0 && from is not null ? from[i] : values[i];
            if (copied != dims[i] && values[i] != -1)
            {
                return false;
            }
        }

        return values.Count(v => v == -1) <= 1;
    }

    // The constant padding a Pad adds along the channel axis (axis 2) of the 5-D view, or null if it pads any other axis.
    private (long Before, long After)? ChannelPads(NodeProto pad)
    {
        var attributes = new NodeAttributes(pad);
        if (attributes.String("mode", "constant") != "constant")
        {
            return null;
        }

        var pads = _opset < 11 ? attributes.Ints("pads") : IntegersOf(pad, 1, "pads", 11);
        var fill = _opset < 11 ? attributes.Float("value", 0f) : pad.Input.Count > 2 && pad.Input[2].Length > 0 ? LookAheadConstant(pad.Input[2])?.Scalar("the pad value") : 0;
        if (pads is not { Length: 10 } || fill != 0 || pads.Where((_, i) => i is not 2 and not 7).Any(p => p != 0) || pads[2] < 0 || pads[7] < 0)
        {
            return null;
        }

        return (pads[2], pads[7]);
    }

    // The window of an AveragePool over size×1×1 with stride 1 and no padding of its own, or null.
    private static long? WindowAlongChannels(NodeProto pool)
    {
        var attributes = new NodeAttributes(pool);
        var kernel = attributes.Ints("kernel_shape");
        var ones = new long[] { 1, 1, 1 };
        var noPads = new long[6];
        var autoPad = attributes.String("auto_pad", "NOTSET");
        return kernel is [> 0 and <= int.MaxValue and var size, 1, 1]
            && (attributes.Ints("strides") ?? ones).SequenceEqual(ones)
            && (attributes.Ints("dilations") ?? ones).SequenceEqual(ones)
            && (attributes.Ints("pads") ?? noPads).SequenceEqual(noPads)
            && autoPad is "NOTSET" or "VALID"
            ? size
            : null;
    }

    // Torch's shape check after the pool: each branch is a Squeeze of axis 1 or an Identity of the
    // pooled value, so either gives the same values, which the Reshape after it lays out.
    private static bool BothBranchesDropTheAxis(NodeProto choice, string pooled)
    {
        var attributes = new NodeAttributes(choice);
        return choice.Output.Count == 1 && IfBranches.All(name =>
            attributes.Graph(name) is { Output.Count: 1 } branch
            && branch.Node.All(n => n.OpType is "Constant" or "Squeeze" or "Identity")
            && branch.Node.Where(n => n.OpType != "Constant").ToList() is [var only]
            && only.Input.Count > 0 && only.Input[0] == pooled && only.Output.Count == 1 && only.Output[0] == branch.Output[0].Name);
    }
}
