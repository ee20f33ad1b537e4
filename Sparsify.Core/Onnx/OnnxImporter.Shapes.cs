using Sparsify.Runtime.Kernels;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Onnx.Protos;

namespace Sparsify.Core.Onnx;

// Operators that change a value's shape: the reshapes (Reshape, Squeeze, Unsqueeze) and the
// reductions (ReduceMean, ReduceSum, GlobalMaxPool).
internal sealed partial class OnnxImporter
{
    private ReshapeLayer ConvertReshape(NodeProto node, NodeAttributes attributes)
    {
        var x = Activation(node, 0);
        long[] target;
        if (_opset < 5 || node.Input.Count < 2)
        {
            target = attributes.Ints("shape") ?? throw new SparsifyModelException("needs a shape input");
        }
        else
        {
            target = _tensors.ReadInt64(ConstantInput(node, 1, "shape"));
        }

        if (attributes.Int("allowzero", 0) != 0 && target.Contains(0))
        {
            throw new SparsifyModelException("allowzero=1 with a 0 in the shape (an empty tensor) is not supported");
        }

        return ReshapeLayer.Reshape(NodeName(node), x, Output(node), target);
    }

    // A max over the whole plane: a MaxPool whose window is the input's H×W, which every back end runs.
    private PoolLayer ConvertGlobalMaxPool(NodeProto node)
    {
        var x = Activation(node, 0);
        var shape = _shapes[x];
        if (shape.Rank != 4)
        {
            throw new SparsifyModelException($"only a 4-D GlobalMaxPool (NCHW) is supported; got shape {shape}");
        }

        var window = new Window2D(shape[2], shape[3], 1, 1, 1, 1, Padding2D.None);
        return new PoolLayer(NodeName(node), x, Output(node), PoolKind.Max, window);
    }

    // Of computed values, a change of view: a Reshape to the shape the axes give. Axes are an attribute
    // before opset 13 and an input since; a Squeeze without them drops every axis of length 1.
    private ReshapeLayer ConvertSqueeze(NodeProto node, NodeAttributes attributes)
    {
        var x = Activation(node, 0);
        var dims = _shapes[x].Dims.ToArray().Select(d => (long)d).ToList();
        var axes = _opset < 13 ? attributes.Ints("axes")
            : node.Input.Count > 1 && node.Input[1].Length > 0 ? IntegersOf(node, 1, "axes", 13) ?? throw new SparsifyModelException("axes (input 1) must be a constant")
            : null;
        var squeeze = node.OpType == "Squeeze";
        var rank = squeeze ? dims.Count : dims.Count + (axes?.Length ?? 0);
        var normalised = axes?.Select(a => a < 0 ? a + rank : a).Order().ToArray();
        if (!squeeze && normalised is null)
        {
            throw new SparsifyModelException("an Unsqueeze needs its axes");
        }

        if (normalised is not null && (normalised.Any(a => a < 0 || a >= rank) || normalised.Distinct().Count() != normalised.Length))
        {
            throw new SparsifyModelException($"axes [{string.Join(",", axes!)}] do not fit a result of rank {rank}, or repeat");
        }

        if (squeeze)
        {
            var drop = normalised ?? Enumerable.Range(0, dims.Count).Where(i => dims[i] == 1).Select(i => (long)i).ToArray();
            if (drop.Any(a => dims[(int)a] != 1))
            {
                throw new SparsifyModelException($"a Squeeze of axes [{string.Join(",", drop)}] of shape {_shapes[x]} drops an axis whose length is not 1");
            }

            dims = dims.Where((_, i) => !drop.Contains(i)).ToList();
        }
        else
        {
            foreach (var a in normalised!)
            {
                dims.Insert((int)a, 1);
            }
        }

        return ReshapeLayer.Reshape(NodeName(node), x, Output(node), dims);
    }

    // A mean over H and W is a global average pool (without keepdims, flattened to [N, C]); any other
    // reduction over a run of adjacent axes is a Reduce step. ReduceSum's axes are an input since opset 13
    // (ReduceMean's only from opset 18, past what the importer reads); no axes reduce every axis.
    private void ConvertReduce(NodeProto node, NodeAttributes attributes)
    {
        var x = Activation(node, 0);
        var rank = _shapes[x].Rank;
        var given = node.OpType == "ReduceSum" && _opset >= 13
            ? node.Input.Count > 1 && node.Input[1].Length > 0 ? IntegersOf(node, 1, "axes", 13) ?? throw new SparsifyModelException("axes (input 1) must be a constant") : null
            : attributes.Ints("axes");
        if (given is { Length: 0 } && attributes.Int("noop_with_empty_axes", 0) != 0)
        {
            RemovePassThrough(node, $"{node.OpType} {NodeName(node)} of no axes removed (noop_with_empty_axes)");
            return;
        }

        var axes = (given is null or { Length: 0 } ? Enumerable.Range(0, rank).Select(a => (long)a) : given.Select(a => a < 0 ? a + rank : a)).Order().ToArray();
        if (axes.Any(a => a < 0 || a >= rank) || axes.Distinct().Count() != axes.Length)
        {
            throw new SparsifyModelException($"axes [{string.Join(",", given ?? [])}] do not fit an input of shape {_shapes[x]}, or repeat");
        }

        var keepDims = attributes.Int("keepdims", 1) != 0;
        if (node.OpType == "ReduceSum" || rank != 4 || axes is not [2, 3])
        {
            if (axes[^1] - axes[0] + 1 != axes.Length)
            {
                throw new SparsifyModelException($"a {node.OpType} over axes [{string.Join(",", axes)}] is not supported; only over adjacent axes");
            }

            Append(new ReduceLayer(NodeName(node), x, Output(node), node.OpType == "ReduceMean", (int)axes[0], (int)axes[^1], keepDims));
            return;
        }

        if (keepDims)
        {
            Append(new GlobalAveragePoolLayer(NodeName(node), x, Output(node)));
            return;
        }

        var pooled = $"{Output(node)}/pooled";
        Append(new GlobalAveragePoolLayer(NodeName(node), x, pooled));
        Append(ReshapeLayer.Flatten(UniqueName($"{NodeName(node)}/flatten"), pooled, Output(node)));
    }
}
