using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using DataType = Sparsify.Core.Onnx.Protos.TensorProto.Types.DataType;

namespace Sparsify.Core.Onnx.Folding;

// The operators that move, pick or make values: shapes, indexing, concatenation and fills.
internal static partial class ConstantFolder
{
    private static ConstantTensor ShapeOf(int[] dims, NodeAttributes attributes)
    {
        // Opset 15 adds start and end, clamped like Slice's.
        var rank = dims.Length;
        var start = Clamp(attributes.Int("start", 0), rank);
        var end = Clamp(attributes.Int("end", rank), rank);
        return ConstantTensor.Int64Vector(dims.Skip(start).Take(Math.Max(0, end - start)).Select(d => (long)d).ToArray());

        static int Clamp(long axis, int rank) => (int)Math.Clamp(axis < 0 ? axis + rank : axis, 0, rank);
    }

    private static ConstantTensor Gather(ConstantTensor data, ConstantTensor indices, NodeAttributes attributes)
    {
        if (data.Rank == 0)
        {
            throw new SparsifyModelException("the data must have rank 1 or more");
        }

        var axis = NormalizeAxis(attributes.Int("axis", 0), data.Rank, "axis");
        var extent = data.Dims[axis];
        var picked = indices.ToIntegers("indices").Select(i => i >= -extent && i < extent
            ? (int)(i < 0 ? i + extent : i)
            : throw new SparsifyModelException($"index {i} is out of range for axis {axis} of extent {extent}")).ToArray();
        int[] dims = [.. data.Dims[..axis], .. indices.Dims, .. data.Dims[(axis + 1)..]];
        var inner = (int)SizeMath.Product(data.Dims.AsSpan(axis + 1));
        var count = picked.Length;
        return data.Gather(dims, i =>
        {
            var within = i % inner;
            var index = i / inner % count;
            var outer = i / inner / count;
            return ((outer * extent) + picked[index]) * inner + within;
        });
    }

    private static ConstantTensor Unsqueeze(ConstantTensor x, long[] axes)
    {
        var rank = x.Rank + axes.Length;
        var inserted = new bool[rank];
        foreach (var axis in axes)
        {
            var at = NormalizeAxis(axis, rank, "axis");
            inserted[at] = !inserted[at] ? true : throw new SparsifyModelException($"axis {axis} is given twice");
        }

        var dims = new int[rank];
        for (int i = 0, source = 0; i < rank; i++)
        {
            dims[i] = inserted[i] ? 1 : x.Dims[source++];
        }

        return x.WithDims(dims);
    }

    private static ConstantTensor Squeeze(ConstantTensor x, long[]? axes)
    {
        var removed = new bool[x.Rank];
        foreach (var axis in axes ?? Enumerable.Range(0, x.Rank).Where(a => x.Dims[a] == 1).Select(a => (long)a))
        {
            var at = NormalizeAxis(axis, x.Rank, "axis");
            removed[at] = x.Dims[at] == 1 ? true : throw new SparsifyModelException($"axis {axis} has extent {x.Dims[at]}; only an axis of extent 1 can be squeezed");
        }

        return x.WithDims(x.Dims.Where((_, a) => !removed[a]).ToArray());
    }

    private static ConstantTensor Concat(ConstantTensor[] parts, NodeAttributes attributes)
    {
        if (!attributes.Has("axis"))
        {
            throw new SparsifyModelException("attribute 'axis' is required");
        }

        var first = parts[0];
        var axis = NormalizeAxis(attributes.Int("axis", 0), first.Rank, "axis");
        foreach (var part in parts)
        {
            ExpectSameType(first, part, "the inputs");
            if (part.Rank != first.Rank || Enumerable.Range(0, first.Rank).Any(a => a != axis && part.Dims[a] != first.Dims[a]))
            {
                throw new SparsifyModelException($"inputs of shapes {string.Join(", ", parts.Select(p => Shape.Format(p.Dims)))} cannot be concatenated on axis {axis}");
            }
        }

        var dims = (int[])first.Dims.Clone();
        dims[axis] = (int)Math.Min(int.MaxValue, parts.Sum(p => (long)p.Dims[axis]));
        var inner = (int)SizeMath.Product(first.Dims.AsSpan(axis + 1));
        var all = parts.Aggregate(Concatenated);
        var offsets = new int[parts.Length];
        var ends = new int[parts.Length];
        for (int p = 0, offset = 0, end = 0; p < parts.Length; p++)
        {
            offsets[p] = offset;
            offset += parts[p].Count;
            ends[p] = end += parts[p].Dims[axis];
        }

        return all.Gather(dims, i =>
        {
            var within = i % inner;
            var position = i / inner % dims[axis];
            var outer = i / inner / dims[axis];
            var p = 0;
            while (position >= ends[p])
            {
                p++;
            }

            var start = p == 0 ? 0 : ends[p - 1];
            return offsets[p] + ((outer * parts[p].Dims[axis]) + position - start) * inner + within;
        });
    }

    private static ConstantTensor Slice(ConstantTensor x, int opset, NodeAttributes attributes, ConstantTensor? starts, ConstantTensor? ends, ConstantTensor? axes, ConstantTensor? steps)
    {
        long[] startValues, endValues;
        long[]? axisValues, stepValues = null;
        if (opset < 10)
        {
            startValues = attributes.Ints("starts") ?? throw new SparsifyModelException("attribute 'starts' is required");
            endValues = attributes.Ints("ends") ?? throw new SparsifyModelException("attribute 'ends' is required");
            axisValues = attributes.Ints("axes");
        }
        else
        {
            startValues = (starts ?? throw new SparsifyModelException("input 1 (starts) is missing")).ToIntegers("starts");
            endValues = (ends ?? throw new SparsifyModelException("input 2 (ends) is missing")).ToIntegers("ends");
            axisValues = axes?.ToIntegers("axes");
            stepValues = steps?.ToIntegers("steps");
        }

        axisValues ??= Enumerable.Range(0, startValues.Length).Select(a => (long)a).ToArray();
        if (endValues.Length != startValues.Length || axisValues.Length != startValues.Length || (stepValues is not null && stepValues.Length != startValues.Length))
        {
            throw new SparsifyModelException("starts, ends, axes and steps must have the same length");
        }

        var begin = new long[x.Rank];
        var step = Enumerable.Repeat(1L, x.Rank).ToArray();
        var dims = (int[])x.Dims.Clone();
        var seen = new bool[x.Rank];
        for (var i = 0; i < startValues.Length; i++)
        {
            var axis = NormalizeAxis(axisValues[i], x.Rank, "axis");
            seen[axis] = !seen[axis] ? true : throw new SparsifyModelException($"axis {axisValues[i]} is given twice");
            var s = stepValues?[i] ?? 1;
            if (s == 0)
            {
                throw new SparsifyModelException("a step of 0 is not allowed");
            }

            long extent = x.Dims[axis];
            var first = startValues[i] < 0 ? startValues[i] + extent : startValues[i];
            var last = endValues[i] < 0 ? endValues[i] + extent : endValues[i];
            (first, last) = s > 0
                ? (Math.Clamp(first, 0, extent), Math.Clamp(last, 0, extent))
                : (Math.Clamp(first, 0, extent - 1), Math.Clamp(last, -1, extent - 1));
            var count = s > 0 ? (last - first + s - 1) / s : (first - last + (-s) - 1) / (-s);
            dims[axis] = (int)Math.Max(0, count);
            begin[axis] = first;
            step[axis] = s;
        }

        var strides = RowMajorStrides(x.Dims);
        return x.Gather(dims, i =>
        {
            long source = 0;
            for (var axis = x.Rank - 1; axis >= 0; axis--)
            {
                source += (begin[axis] + (i % dims[axis] * step[axis])) * strides[axis];
                i /= dims[axis];
            }

            return (int)source;
        });
    }

    private static ConstantTensor Reshape(ConstantTensor x, long[] target, NodeAttributes attributes)
    {
        if (attributes.Int("allowzero", 0) != 0 && target.Contains(0))
        {
            throw new SparsifyModelException("allowzero=1 with a 0 in the shape (an empty tensor) is not supported");
        }

        return x.WithDims(ReshapeLayer.ResolveTarget(x.Dims, target));
    }

    private static ConstantTensor Transpose(ConstantTensor x, NodeAttributes attributes)
    {
        var perm = attributes.Ints("perm") ?? Enumerable.Range(0, x.Rank).Reverse().Select(a => (long)a).ToArray();
        if (perm.Length != x.Rank || perm.Distinct().Count() != x.Rank || perm.Any(p => p < 0 || p >= x.Rank))
        {
            throw new SparsifyModelException($"perm [{string.Join(",", perm)}] is not a permutation of the {x.Rank} axes");
        }

        var dims = perm.Select(p => x.Dims[p]).ToArray();
        var strides = RowMajorStrides(x.Dims);

        return x.Gather(dims, i =>
        {
            var source = 0;
            for (var axis = x.Rank - 1; axis >= 0; axis--)
            {
                source += i % dims[axis] * strides[perm[axis]];
                i /= dims[axis];
            }

            return source;
        });
    }

    private static int[] RowMajorStrides(int[] dims)
    {
        var strides = new int[dims.Length];
        for (int axis = dims.Length - 1, stride = 1; axis >= 0; stride *= dims[axis], axis--)
        {
            strides[axis] = stride;
        }

        return strides;
    }

    private static ConstantTensor Expand(ConstantTensor x, long[] shape)
    {
        var target = shape.Select(d => d is >= 0 and <= int.MaxValue ? (int)d : throw new SparsifyModelException($"shape [{string.Join(",", shape)}] has an invalid dimension {d}")).ToArray();
        var dims = BroadcastDims(x.Dims, target);
        var source = BroadcastSource(dims, x.Dims);
        return x.Gather(dims, source);
    }

    private static ConstantTensor ConstantOfShape(long[] shape, NodeAttributes attributes)
    {
        var dims = shape.Select(d => d is >= 0 and <= int.MaxValue ? (int)d : throw new SparsifyModelException($"shape [{string.Join(",", shape)}] has an invalid dimension {d}")).ToArray();
        var value = attributes.Tensor("value");
        var fill = value is null
            ? ConstantTensor.Real([1], DataType.Float, [0])
            : new OnnxTensorReader(null).ReadConstant(value);
        if (fill.Count != 1)
        {
            throw new SparsifyModelException($"attribute 'value' must hold one value, but has shape {Shape.Format(fill.Dims)}");
        }

        return fill.Gather(dims, _ => 0);
    }

    private static ConstantTensor Range(ConstantTensor start, ConstantTensor limit, ConstantTensor delta)
    {
        ExpectSameType(start, limit, "start and limit");
        ExpectSameType(start, delta, "start and delta");
        double first = start.Scalar("start"), end = limit.Scalar("limit"), step = delta.Scalar("delta");
        if (step == 0)
        {
            throw new SparsifyModelException("delta must not be 0");
        }

        var count = Math.Max(0, Math.Ceiling((end - first) / step));
        if (!(count <= ModelLimits.MaxTensorElements))
        {
            throw new SparsifyModelException($"a Range from {first} to {end} by {step} has too many values");
        }

        var dims = new[] { (int)count };
        return start.IsReal
            ? ConstantTensor.Real(dims, start.Type, Enumerable.Range(0, dims[0]).Select(i => ConstantTensor.RoundReal(start.Type, first + (i * step))).ToArray())
            : ConstantTensor.Integer(dims, start.Type, Enumerable.Range(0, dims[0]).Select(i => start.Integers![0] + (i * delta.Integers![0])).ToArray());
    }
}
