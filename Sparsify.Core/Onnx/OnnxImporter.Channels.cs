using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Core.Onnx;

// Data movement along one axis: Slice and Split of computed values (torch's chunk), and the
// Reshape–Transpose–Reshape channel shuffle of ShuffleNet as one step.
internal sealed partial class OnnxImporter
{
    private const string ChannelShufflePattern = "Reshape, Transpose, Reshape channel shuffle";

    // Starts, ends and axes are attributes before opset 10 and constant inputs since; only step 1.
    private void ConvertSlice(NodeProto node, NodeAttributes attributes)
    {
        var x = Activation(node, 0);
        var shape = _shapes[x];
        long[]? Input(int index, string role) => index >= node.Input.Count || node.Input[index].Length == 0 ? null
            : IntegersOf(node, index, role, 10) ?? throw new SparsifyModelException($"{role} (input {index}) must be a constant");
        var starts = (_opset < 10 ? attributes.Ints("starts") : Input(1, "starts")) ?? throw new SparsifyModelException("starts are required");
        var ends = (_opset < 10 ? attributes.Ints("ends") : Input(2, "ends")) ?? throw new SparsifyModelException("ends are required");
        var axes = (_opset < 10 ? attributes.Ints("axes") : Input(3, "axes")) ?? Enumerable.Range(0, starts.Length).Select(a => (long)a).ToArray();
        var steps = _opset < 10 ? null : Input(4, "steps");
        if (ends.Length != starts.Length || axes.Length != starts.Length || (steps is not null && steps.Length != starts.Length))
        {
            throw new SparsifyModelException($"starts, ends, axes and steps must have one value per sliced axis; got {starts.Length}, {ends.Length}, {axes.Length} and {steps?.Length ?? starts.Length}");
        }

        var cut = new List<(int Axis, int Start, int End)>();
        for (var i = 0; i < starts.Length; i++)
        {
            if (steps is not null && steps[i] != 1)
            {
                throw new SparsifyModelException($"a Slice with step {steps[i]} is not supported; only step 1");
            }

            var axis = axes[i] < 0 ? axes[i] + shape.Rank : axes[i];
            if (axis < 0 || axis >= shape.Rank)
            {
                throw new SparsifyModelException($"axis {axes[i]} does not fit an input of shape {shape}");
            }

            var length = shape[(int)axis];
            var start = (int)Math.Clamp(starts[i] < 0 ? starts[i] + length : starts[i], 0, length);
            var end = (int)Math.Clamp(ends[i] < 0 ? ends[i] + length : ends[i], 0, length);
            if (start >= end)
            {
                throw new SparsifyModelException($"the Slice [{starts[i]}, {ends[i]}) of axis {axis} (length {length}) is empty");
            }

            if (start != 0 || end != length)
            {
                cut.Add(((int)axis, start, end));
            }
        }

        switch (cut.Count)
        {
            case 0:
                RemovePassThrough(node, $"Slice {NodeName(node)} keeps every value: removed");
                break;
            case 1:
                Append(new SliceLayer(NodeName(node), x, Output(node), cut[0].Axis, cut[0].Start, cut[0].End));
                break;
            default:
                throw new SparsifyModelException($"a Slice of {cut.Count} axes at once is not supported; only of one axis");
        }
    }

    // Each part is a Slice of its own; the sizes are an attribute before opset 13 and an optional input since.
    private void ConvertSplit(NodeProto node, NodeAttributes attributes)
    {
        var x = Activation(node, 0);
        var shape = _shapes[x];
        var axis = attributes.IntValue("axis", 0);
        axis = axis < 0 ? axis + shape.Rank : axis;
        if (axis < 0 || axis >= shape.Rank)
        {
            throw new SparsifyModelException($"axis {attributes.IntValue("axis", 0)} does not fit an input of shape {shape}");
        }

        var length = shape[axis];
        var parts = node.Output.Count;
        var sizes = _opset < 13 ? attributes.Ints("split")
            : node.Input.Count > 1 && node.Input[1].Length > 0 ? IntegersOf(node, 1, "split", 13) ?? throw new SparsifyModelException("split (input 1) must be a constant")
            : null;
        if (sizes is null)
        {
            sizes = length % parts == 0 ? Enumerable.Repeat((long)(length / parts), parts).ToArray()
                : throw new SparsifyModelException($"axis {axis} of length {length} does not split into {parts} equal parts");
        }

        if (sizes.Length != parts || sizes.Any(s => s < 1) || sizes.Sum() != length)
        {
            throw new SparsifyModelException($"split sizes [{string.Join(",", sizes)}] must be positive, one per output ({parts}), and sum to the axis length {length}");
        }

        var start = 0;
        for (var i = 0; i < parts; i++)
        {
            var end = start + (int)sizes[i];
            var output = node.Output[i];
            if (output.Length > 0 && (_readers.ContainsKey(output) || _graphOutputs.Contains(output)))
            {
                Append(new SliceLayer(UniqueName($"{NodeName(node)}/{i}"), x, output, axis, start, end));
            }

            start = end;
        }
    }

    // Reshape N×C×H×W to N×G×(C/G)×H×W, Transpose (0, 2, 1, 3, 4), Reshape back to N×C×H×W.
    private bool TryRecogniseChannelShuffle(NodeProto view)
    {
        if (view.Input.Count != 2 || !_shapes.TryGetValue(Resolve(view.Input[0]), out var shape) || shape.Rank != 4
            || LookAheadConstant(view.Input[1]) is not { IsReal: false, Integers: { Length: 5 } target })
        {
            return false;
        }

        var x = Resolve(view.Input[0]);
        Shape grouped;
        try
        {
            grouped = ReshapeLayer.Reshape("channel-shuffle", x, "grouped", target).InferOutputShape([shape]);
        }
        catch (SparsifyModelException)
        {
            return false;
        }

        int[] dims = [.. shape.Dims], five = [.. grouped.Dims];
        if (five[0] != dims[0] || five[3] != dims[2] || five[4] != dims[3]
            || Next(view, "Transpose") is not { } transpose || new NodeAttributes(transpose).Ints("perm") is not [0, 2, 1, 3, 4]
            || Next(transpose, "Reshape") is not { } back || !ReshapesTo(back, dims, [five[0], five[2], five[1], five[3], five[4]]))
        {
            return false;
        }

        List<NodeProto> chain = [view, transpose, back];
        if (!TryConsume(chain, Output(back)))
        {
            return false;
        }

        AppendRecognised(new ChannelShuffleLayer(NodeName(view), x, Output(back), five[1]), ChannelShufflePattern, chain.Count);
        return true;
    }
}
