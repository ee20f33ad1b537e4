using System;
using System.Collections.Generic;
using System.Linq;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Manifests;

/// <summary>
/// Checks that the layers of a manifest fit their ops, plans and each other, so no reader meets a name it
/// cannot resolve, a size it cannot allocate, a plan without its weights or shapes that disagree with the
/// parameters: references resolve to a model input or an earlier layer, every shape follows from its inputs
/// and parameters, and every tensor and blob range is bounded. <see cref="ManifestReader"/> runs them.
/// </summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
static class ManifestChecks
{
    /// <summary>The first problem, with the index of the layer it belongs to (null: the model's inputs or outputs); null when there is none.</summary>
    /// <param name="manifest">The manifest as read.</param>
    public static (int? Layer, string Text)? FirstProblem(Manifest manifest)
    {
        var shapeOf = new Dictionary<string, EquatableList<int>>(StringComparer.Ordinal);
        foreach (var input in manifest.Inputs)
        {
            if (Size(input.Shape) is { } problem)
            {
                return (null, $"model input '{input.Name}': {problem}");
            }

            if (shapeOf.ContainsKey(input.Name))
            {
                return (null, $"model input '{input.Name}' is declared twice");
            }

            shapeOf[input.Name] = input.Shape;
        }

        for (var i = 0; i < manifest.Layers.Count; i++)
        {
            var layer = manifest.Layers[i];
            if ((LayerProblem(layer) ?? GraphProblem(layer, shapeOf, manifest.BlobLength)) is { } problem)
            {
                return (i, problem);
            }

            shapeOf[layer.Output] = layer.OutputShape;
        }

        foreach (var output in manifest.Outputs)
        {
            if (!shapeOf.TryGetValue(output.Name, out var shape))
            {
                return (null, $"model output '{output.Name}' is neither a model input nor any layer's output");
            }

            if (!shape.Equals(output.Shape))
            {
                return (null, $"model output '{output.Name}' is declared {Text(output.Shape)} but produced as {Text(shape)}");
            }
        }

        return null;
    }

    /// <summary>Dimensions as <c>1x3x224x224</c>.</summary>
    /// <param name="shape">The shape.</param>
    public static string Text(IEnumerable<int> shape) => string.Join("x", shape);

    // What the layer's op and plan need of its own lines.
    private static string? LayerProblem(ManifestLayer layer)
    {
        var w = layer.Weights;
        if (w is null)
        {
            return layer.Plan != LayerExecution.Dense ? $"plan {layer.Plan} needs weights, and {layer.Op} has none" : OpProblem(layer);
        }

        if (w.Rows <= 0 || w.Columns <= 0)
        {
            return "the weight matrix has no rows or columns";
        }

        switch (layer.Plan)
        {
            case LayerExecution.Dense when w.WeightsBlob is not { Format: BlobFormat.Fp32 }:
                return "a Dense layer needs fp32 weights in the blob";
            case LayerExecution.SparseTable when w.WeightsBlob is not { Format: BlobFormat.Group or BlobFormat.Csr }:
                return "a SparseTable layer needs group or csr weights in the blob";
            case LayerExecution.SparseUnrolled when w.Unrolled.Count != w.NonZeros:
                return FormattableString.Invariant($"{w.Unrolled.Count} 'nz' lines, but 'nonzeros {w.NonZeros}'");
            case LayerExecution.SparseUnrolled:
                foreach (var nz in w.Unrolled)
                {
                    if (nz.Row >= w.Rows || nz.Column >= w.Columns)
                    {
                        return FormattableString.Invariant($"nonzero at ({nz.Row}, {nz.Column}) lies outside the {w.Rows}x{w.Columns} matrix");
                    }
                }

                break;
        }

        if (w.BiasBlob is { Format: not BlobFormat.Fp32 })
        {
            return "the bias must be fp32";
        }

        return OpProblem(layer);
    }

    // float.IsFinite is not in netstandard2.0, which the generator compiles this file for.
    private static bool IsFinite(float value) => !float.IsNaN(value) && !float.IsInfinity(value);

    private static BlobLocation[]? PerChannelArrays(LayerParameters parameters) => parameters switch
    {
        ChannelAffineParameters affine => [affine.Scale, affine.Shift],
        ChannelLayerNormParameters norm => [norm.Scale, norm.Shift],
        _ => null,
    };

    private static bool IsPerChannel(BlobLocation values, int channels) =>
        values.Format == BlobFormat.Fp32 && values.Length == (long)channels * sizeof(float);

    private static string? OpProblem(ManifestLayer layer)
    {
        var rank = layer.InputShapes[0].Count;
        return layer.Parameters switch
        {
            ConvParameters conv => !conv.Window.IsValid || conv.Group < 1 || rank != 4
                ? "a Conv needs a positive kernel, stride, dilation and group, pads of at least 0 and a 4-D input" : null,
            PoolParameters pool => !pool.Window.IsValid || rank != 4
                ? "a pool needs a positive kernel, stride and dilation, pads of at least 0 and a 4-D input" : null,
            LrnParameters lrn => lrn.Size < 1 ? "LRN needs a size of at least 1" : null,
            HardSigmoidParameters hardSigmoid => !IsFinite(hardSigmoid.Alpha) || !IsFinite(hardSigmoid.Beta) ? "a HardSigmoid needs a finite alpha and beta" : null,
            LeakyReluParameters leaky => !IsFinite(leaky.Alpha) ? "a LeakyRelu needs a finite alpha" : null,
            ClipParameters clip => !(clip.Min <= clip.Max) ? "a Clip needs bounds that are numbers with min at most max" : null,
            ChannelAffineParameters affine => rank < 2 || !IsPerChannel(affine.Scale, layer.InputShapes[0][1]) || !IsPerChannel(affine.Shift, layer.InputShapes[0][1])
                ? "a BatchNormalization needs an input of rank 2 or more and one fp32 scale and shift per channel" : null,
            ChannelLayerNormParameters norm => rank < 2 || !IsFinite(norm.Epsilon) || norm.Epsilon < 0
                || !IsPerChannel(norm.Scale, layer.InputShapes[0][1]) || !IsPerChannel(norm.Shift, layer.InputShapes[0][1])
                ? "a ChannelLayerNorm needs an input of rank 2 or more, a finite epsilon of at least 0 and one fp32 scale and shift per channel" : null,
            PadParameters pad => rank != 4 || Array.IndexOf(PadParameters.Modes, pad.Mode) < 0 || !IsFinite(pad.Value)
                || (pad.Mode == "reflect" && (Math.Max(pad.Pads.Top, pad.Pads.Bottom) >= layer.InputShapes[0][2] || Math.Max(pad.Pads.Left, pad.Pads.Right) >= layer.InputShapes[0][3]))
                ? "a Pad needs a 4-D input, a mode of constant, reflect or edge, a finite value and, to reflect, pads shorter than the side" : null,
            ReduceParameters reduce => reduce.First < 0 || reduce.First > reduce.Last || reduce.Last >= rank
                ? "a reduction needs a run of axes of its input, first at most last" : null,
            SliceParameters slice => slice.Axis < 0 || slice.Axis >= rank || slice.Start < 0 || slice.Start >= slice.End || slice.End > layer.InputShapes[0][slice.Axis]
                ? "a Slice needs an axis of its input and 0 <= start < end <= that axis's length" : null,
            BroadcastParameters broadcast => layer.Inputs.Count != 2 || Array.IndexOf(ManifestOps.BroadcastFunctions, broadcast.Function) < 0
                || ManifestOps.BroadcastShape(layer.InputShapes[0], layer.InputShapes[1]) is null
                ? $"a Broadcast needs two operands whose shapes broadcast and a function of {string.Join(", ", ManifestOps.BroadcastFunctions)}" : null,
            TransposeParameters transpose => !TransposeParameters.IsPermutation(transpose.Perm, rank)
                ? "a Transpose needs a permutation of its input's axes" : null,
            ChannelShuffleParameters shuffle => rank != 4 || shuffle.Groups < 1 || layer.InputShapes[0][1] % shuffle.Groups != 0
                ? "a ChannelShuffle needs a 4-D input whose channels divide into its groups" : null,
            _ => layer.Op switch
            {
                "Gemm" => rank != 2 ? "a Gemm reads a 2-D input" : null,
                "GlobalAveragePool" => rank != 4 ? "a global pool reads a 4-D input" : null,
                "Add" => layer.Inputs.Count != 2 || !layer.InputShapes[0].Equals(layer.InputShapes[1]) ? "Add needs two operands of one shape" : null,
                "MatMul" => layer.Inputs.Count != 2 || ManifestOps.MatMulShape(layer.InputShapes[0], layer.InputShapes[1]) is null
                    ? "a MatMul needs two operands of rank 2 or more, [..., M, K] and [..., K, N], whose leading axes broadcast" : null,
                "Mul" => layer.Inputs.Count != 2 || ManifestOps.MultiplyPlane(layer.InputShapes[0], layer.InputShapes[1]) is null
                    ? "Mul needs two operands of one shape, or a 4-D one and one value per channel of it (N x C x 1 x 1)" : null,
                _ => null,
            },
        };
    }

    private static string? GraphProblem(ManifestLayer layer, Dictionary<string, EquatableList<int>> shapeOf, long blobLength)
    {
        for (var i = 0; i < layer.Inputs.Count; i++)
        {
            if (!shapeOf.TryGetValue(layer.Inputs[i], out var shape))
            {
                return $"input '{layer.Inputs[i]}' is neither a model input nor the output of an earlier layer";
            }

            if (!shape.Equals(layer.InputShapes[i]))
            {
                return $"input '{layer.Inputs[i]}' has shape {Text(layer.InputShapes[i])} here but {Text(shape)} where it is produced";
            }
        }

        if (shapeOf.ContainsKey(layer.Output))
        {
            return $"output '{layer.Output}' is already produced by a model input or an earlier layer";
        }

        if (Size(layer.OutputShape) is { } size)
        {
            return $"output shape {Text(layer.OutputShape)}: {size}";
        }

        if (layer.Weights is { } w)
        {
            if ((long)w.Rows * w.Columns > ManifestFormat.MaxTensorElements)
            {
                return FormattableString.Invariant($"the {w.Rows}x{w.Columns} weight matrix exceeds {ManifestFormat.MaxTensorElements} elements");
            }

            foreach (var blob in new[] { w.WeightsBlob, w.BiasBlob })
            {
                if (blob is not null && (blob.Offset > blobLength || blob.Length > blobLength - blob.Offset))
                {
                    return FormattableString.Invariant($"a blob range ({blob.Offset}, {blob.Length} bytes) lies outside the {blobLength}-byte blob");
                }
            }
        }

        if (PerChannelArrays(layer.Parameters) is { } arrays
            && Array.Find(arrays, b => b.Offset > blobLength || b.Length > blobLength - b.Offset) is { } outside)
        {
            return FormattableString.Invariant($"a blob range ({outside.Offset}, {outside.Length} bytes) lies outside the {blobLength}-byte blob");
        }

        var expected = ExpectedOutput(layer, out var problem);
        if (problem is not null)
        {
            return problem;
        }

        return expected is not null && !expected.SequenceEqual(layer.OutputShape.Select(d => (long)d))
            ? $"output shape {Text(layer.OutputShape)} does not follow from its inputs and parameters, which give {string.Join("x", expected)}"
            : null;
    }

    /// <summary>The output dimensions the op gives for the layer's inputs and parameters (null: any shape with as many elements).</summary>
    private static long[]? ExpectedOutput(ManifestLayer layer, out string? problem)
    {
        problem = null;
        var x = layer.InputShapes[0];
        switch (layer.Parameters)
        {
            case ConvParameters conv:
            {
                var w = layer.Weights!;
                var window = conv.Window;
                var perGroup = x[1] / conv.Group;
                if (x[1] % conv.Group != 0 || w.Rows % conv.Group != 0 || w.Columns != (long)perGroup * window.KernelH * window.KernelW)
                {
                    problem = FormattableString.Invariant(
                        $"a {w.Rows}x{w.Columns} weight matrix does not fit {x[1]} input channels in {conv.Group} groups with a {window.KernelH}x{window.KernelW} kernel");
                    return null;
                }

                return Windowed(x, w.Rows, window, ceilMode: false, out problem);
            }

            case PoolParameters pool:
                return Windowed(x, x[1], pool.Window, pool.CeilMode, out problem);
            case SoftmaxParameters softmax:
                return softmax.Axis >= -x.Count && softmax.Axis < x.Count
                    ? x.Select(d => (long)d).ToArray()
                    : Fail(FormattableString.Invariant($"axis {softmax.Axis} does not fit an input of rank {x.Count}"), out problem);
            case AxisParameters axis when layer.Op == "Concat":
                return Concatenated(layer, axis.Axis, out problem);
            case TransposeParameters transpose:
                return transpose.Perm.Select(axis => (long)x[axis]).ToArray();
            case BroadcastParameters:
                return ManifestOps.BroadcastShape(layer.InputShapes[0], layer.InputShapes[1])!.Select(d => (long)d).ToArray();
            case ReduceParameters reduce:
                var kept = x.Select(d => (long)d).ToList();
                for (var axis = reduce.Last; axis >= reduce.First; axis--)
                {
                    if (reduce.KeepDims)
                    {
                        kept[axis] = 1;
                    }
                    else
                    {
                        kept.RemoveAt(axis);
                    }
                }

                return kept.Count == 0 ? [1] : kept.ToArray();
            case PadParameters pad:
                return [x[0], x[1], (long)x[2] + pad.Pads.Top + pad.Pads.Bottom, (long)x[3] + pad.Pads.Left + pad.Pads.Right];
            case SliceParameters slice:
                var sliced = x.Select(d => (long)d).ToArray();
                sliced[slice.Axis] = slice.End - slice.Start;
                return sliced;
        }

        switch (layer.Op)
        {
            case "GlobalAveragePool":
                return [x[0], x[1], 1, 1];
            case "MatMul":
                return ManifestOps.MatMulShape(layer.InputShapes[0], layer.InputShapes[1])!.Select(d => (long)d).ToArray();
            case "Gemm":
                return layer.Weights!.Columns == x[1]
                    ? [x[0], layer.Weights.Rows]
                    : Fail(FormattableString.Invariant($"a {layer.Weights.Rows}x{layer.Weights.Columns} weight matrix cannot read {x[1]} features"), out problem);
            case var unary when ManifestOps.IsUnaryFunction(unary):
                return x.Select(d => (long)d).ToArray();
            case "Relu" or "Clip" or "LeakyRelu" or "Sigmoid" or "HardSigmoid" or "Gelu" or "LRN" or "Add" or "Mul" or "BatchNormalization" or "ChannelLayerNorm" or "ChannelShuffle":
                return x.Select(d => (long)d).ToArray();
            default:
                // Flatten and Reshape keep the elements.
                return Elements(layer.OutputShape) == Elements(x) ? null : Fail($"a reshape of {Text(x)} cannot give {Text(layer.OutputShape)}", out problem);
        }
    }

    private static long[]? Windowed(EquatableList<int> x, long channels, Window2D w, bool ceilMode, out string? problem)
    {
        var height = w.OutputHeight(x[2], ceilMode);
        var width = w.OutputWidth(x[3], ceilMode);
        return height < 1 || width < 1
            ? Fail(FormattableString.Invariant($"the {w.KernelH}x{w.KernelW} window does not fit the {x[2]}x{x[3]} input with its padding"), out problem)
            : Ok([x[0], channels, height, width], out problem);
    }

    private static long[]? Concatenated(ManifestLayer layer, int axis, out string? problem)
    {
        var rank = layer.InputShapes[0].Count;
        axis = axis < 0 ? axis + rank : axis;
        if (axis < 0 || axis >= rank || layer.InputShapes.Any(s => s.Count != rank))
        {
            return Fail(FormattableString.Invariant($"axis {axis} does not fit inputs of rank {rank}"), out problem);
        }

        var result = layer.InputShapes[0].Select(d => (long)d).ToArray();
        result[axis] = layer.InputShapes.Sum(s => (long)s[axis]);
        for (var d = 0; d < rank; d++)
        {
            if (d != axis && layer.InputShapes.Any(s => s[d] != result[d]))
            {
                return Fail("the inputs differ outside the concatenation axis", out problem);
            }
        }

        return Ok(result, out problem);
    }

    /// <summary>Why a shape cannot be allocated, or null: dimensions at least 1, at most <see cref="ManifestFormat.MaxTensorElements"/> elements.</summary>
    private static string? Size(EquatableList<int> shape)
    {
        if (shape.Count == 0 || shape.Any(d => d < 1))
        {
            return "dimensions must be at least 1";
        }

        return Elements(shape) > ManifestFormat.MaxTensorElements ? FormattableString.Invariant($"more than {ManifestFormat.MaxTensorElements} elements") : null;
    }

    // Saturates instead of overflowing: any product past the limit is as good as infinite.
    private static long Elements(EquatableList<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            n = Math.Min(n * Math.Max(d, 0), ManifestFormat.MaxTensorElements + 1);
        }

        return n;
    }

    private static long[]? Fail(string message, out string? problem)
    {
        problem = message;
        return null;
    }

    private static long[] Ok(long[] dims, out string? problem)
    {
        problem = null;
        return dims;
    }
}
