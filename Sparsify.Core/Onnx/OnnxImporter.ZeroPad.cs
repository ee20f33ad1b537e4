using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Onnx.Protos;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Core.Onnx;

// A Pad of zeros on the spatial axes only, read by nothing but one Conv or AveragePool, is that
// layer's own padding (torch exports avg_pool2d(padding=p) this way in Inception V3): the Pad
// becomes the layer's pads, and an AveragePool then counts the padded zeros, as it did.
internal sealed partial class OnnxImporter
{
    private const string ZeroPadPattern = "a zero Pad before a Conv or AveragePool";

    private readonly Dictionary<NodeProto, Padding2D> _absorbedPads = new(ReferenceEqualityComparer.Instance);

    private bool TryAbsorbZeroPad(NodeProto pad)
    {
        if (pad.Input.Count == 0 || pad.Output.Count != 1 || !_shapes.TryGetValue(Resolve(pad.Input[0]), out var shape) || shape.Rank != 4
            || Next(pad, "Conv", "AveragePool") is not { } reader || _readersOf[pad.Output[0]].Count != 1 || _graphOutputs.Contains(pad.Output[0])
            || SpatialZeroPads(pad) is not { } pads)
        {
            return false;
        }

        var attributes = new NodeAttributes(reader);
        if (attributes.String("auto_pad", "NOTSET") != "NOTSET" || Resolve(reader.Input[0]) != pad.Output[0])
        {
            return false;
        }

        // The pool's own padding, if any, must already count as zeros, and ceil_mode would let a
        // window run past the padded edge, where counting differs.
        var ownPads = attributes.Ints("pads");
        if (reader.OpType == "AveragePool" && ((ownPads?.Any(p => p != 0) == true && attributes.Int("count_include_pad", 0) == 0) || attributes.Int("ceil_mode", 0) != 0))
        {
            return false;
        }

        _done.Add(pad);
        Unread(pad);
        _aliases[pad.Output[0]] = Resolve(pad.Input[0]);
        _readers[Resolve(pad.Input[0])] = _readers.GetValueOrDefault(Resolve(pad.Input[0])) + 1;
        _absorbedPads[reader] = pads;
        _notes.Add($"{ZeroPadPattern}: Pad {NodeName(pad)} becomes the padding of {reader.OpType} {NodeName(reader)}");
        return true;
    }

    // A Pad no layer absorbs: of H and W only, pads and value as attributes before opset 11 and inputs since.
    private PadLayer ConvertPad(NodeProto pad, NodeAttributes attributes)
    {
        var x = Activation(pad, 0);
        var mode = attributes.String("mode", "constant");
        var pads = (_opset < 11 ? attributes.Ints("pads") : IntegersOf(pad, 1, "pads", 11))
            ?? throw new SparsifyModelException("the pads must be given, as constants");
        var value = _opset < 11 ? attributes.Float("value", 0f)
            : pad.Input.Count > 2 && pad.Input[2].Length > 0 ? (float)(LookAheadConstant(pad.Input[2]) ?? throw new SparsifyModelException("the pad value (input 2) must be a constant")).Scalar("the pad value")
            : 0f;
        if (pads.Any(p => p < 0))
        {
            throw new SparsifyModelException($"negative pads [{string.Join(",", pads)}] (a crop) are not supported");
        }

        if (pads is not [0, 0, var top, var left, 0, 0, var bottom, var right] || new[] { top, left, bottom, right }.Any(p => p > int.MaxValue))
        {
            throw new SparsifyModelException($"pads [{string.Join(",", pads)}] pad more than H and W of a 4-D input; only those are supported");
        }

        return new PadLayer(NodeName(pad), x, Output(pad), mode, new Padding2D((int)top, (int)left, (int)bottom, (int)right), value);
    }

    // The pads of a constant-mode Pad of zeros that pads only H and W (non-negative), or null.
    private Padding2D? SpatialZeroPads(NodeProto pad)
    {
        var attributes = new NodeAttributes(pad);
        if (attributes.String("mode", "constant") != "constant")
        {
            return null;
        }

        var pads = _opset < 11 ? attributes.Ints("pads") : IntegersOf(pad, 1, "pads", 11);
        var fill = _opset < 11 ? attributes.Float("value", 0f) : pad.Input.Count > 2 && pad.Input[2].Length > 0 ? LookAheadConstant(pad.Input[2])?.Scalar("the pad value") : 0;
        if (pads is not [0, 0, var top, var left, 0, 0, var bottom, var right] || fill != 0 || new[] { top, left, bottom, right }.Any(p => p is < 0 or > int.MaxValue))
        {
            return null;
        }

        return new Padding2D((int)top, (int)left, (int)bottom, (int)right);
    }

    /// <summary>A layer's window with the padding of a Pad absorbed into it added.</summary>
    private Window2D WithAbsorbedPads(NodeProto node, Window2D window)
    {
        if (!_absorbedPads.TryGetValue(node, out var extra))
        {
            return window;
        }

        static int Sum(int own, int absorbed) => (long)own + absorbed <= int.MaxValue
            ? own + absorbed
            : throw new SparsifyModelException($"its padding {own} plus the absorbed Pad's {absorbed} is more than the largest dimension");
        var padded = window with { Pads = new Padding2D(Sum(window.Pads.Top, extra.Top), Sum(window.Pads.Left, extra.Left), Sum(window.Pads.Bottom, extra.Bottom), Sum(window.Pads.Right, extra.Right)) };
        padded.Validate();
        return padded;
    }
}
