using System.Collections.Generic;
using System.Linq;
using Sparsify.Generators.Model;
using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Parsing;

/// <summary>
/// Checks that the layers of a parsed manifest fit together, so the emitters never meet a name they cannot
/// resolve, a size they cannot allocate or shapes that disagree with the attributes: references resolve to
/// a model input or an earlier layer, every shape follows from its inputs and attributes, and every tensor
/// and blob range is bounded.
/// </summary>
internal static class GraphChecks
{
    /// <summary>Each problem with the layer it belongs to (null: the model's inputs or outputs); checking stops at the first bad layer.</summary>
    public static List<(LayerSpec? Layer, string Problem)> Problems(IReadOnlyList<ValueSpec> inputs, IReadOnlyList<ValueSpec> outputs, IReadOnlyList<LayerSpec> layers, long blobLength)
    {
        var problems = new List<(LayerSpec?, string)>();
        var shapeOf = new Dictionary<string, ShapeSpec>();
        foreach (var input in inputs)
        {
            var shape = new ShapeSpec(input.Shape);
            if (Size(shape) is { } problem)
            {
                problems.Add((null, $"model input '{input.Name}': {problem}"));
            }
            else if (shapeOf.ContainsKey(input.Name))
            {
                problems.Add((null, $"model input '{input.Name}' is declared twice"));
            }

            shapeOf[input.Name] = shape;
        }

        if (problems.Count > 0)
        {
            return problems;
        }

        foreach (var layer in layers)
        {
            if (LayerProblem(layer, shapeOf, blobLength) is { } problem)
            {
                problems.Add((layer, problem));
                return problems;
            }

            shapeOf[layer.Output] = layer.OutputShape;
        }

        foreach (var output in outputs)
        {
            if (!shapeOf.TryGetValue(output.Name, out var shape))
            {
                problems.Add((null, $"model output '{output.Name}' is neither a model input nor any layer's output"));
            }
            else if (!shape.Dims.SequenceEqual(output.Shape))
            {
                problems.Add((null, $"model output '{output.Name}' is declared {string.Join("x", output.Shape)} but produced as {shape}"));
            }
        }

        return problems;
    }

    private static string? LayerProblem(LayerSpec layer, Dictionary<string, ShapeSpec> shapeOf, long blobLength)
    {
        for (var i = 0; i < layer.Inputs.Count; i++)
        {
            if (!shapeOf.TryGetValue(layer.Inputs[i], out var shape))
            {
                return $"input '{layer.Inputs[i]}' is neither a model input nor the output of an earlier layer";
            }

            if (shape != layer.InputShapes[i])
            {
                return $"input '{layer.Inputs[i]}' has shape {layer.InputShapes[i]} here but {shape} where it is produced";
            }
        }

        if (shapeOf.ContainsKey(layer.Output))
        {
            return $"output '{layer.Output}' is already produced by a model input or an earlier layer";
        }

        if (Size(layer.OutputShape) is { } size)
        {
            return $"output shape {layer.OutputShape}: {size}";
        }

        if (layer.Weights is { } w)
        {
            if ((long)w.Rows * w.Columns > ManifestFormat.MaxTensorElements)
            {
                return $"the {w.Rows}x{w.Columns} weight matrix exceeds {ManifestFormat.MaxTensorElements} elements";
            }

            foreach (var blob in new[] { w.WeightsBlob, w.BiasBlob })
            {
                if (blob is not null && (blob.Offset > blobLength || blob.Length > blobLength - blob.Offset))
                {
                    return $"a blob range ({blob.Offset}, {blob.Length} bytes) lies outside the {blobLength}-byte blob";
                }
            }
        }

        var expected = ExpectedOutput(layer, out var problem);
        if (problem is not null)
        {
            return problem;
        }

        return expected is not null && !expected.SequenceEqual(layer.OutputShape.Dims.Select(d => (long)d))
            ? $"output shape {layer.OutputShape} does not follow from its inputs and attributes, which give {string.Join("x", expected)}"
            : null;
    }

    /// <summary>The output dimensions the op gives for the layer's inputs and attributes (null: any shape with as many elements).</summary>
    private static long[]? ExpectedOutput(LayerSpec layer, out string? problem)
    {
        problem = null;
        var x = layer.InputShapes[0];
        switch (layer.Op)
        {
            case "Conv":
            {
                var w = layer.Weights!;
                var window = Window.Parse(layer)!;
                var group = LayerChecks.Int(layer.Attr("group"))!.Value;
                var perGroup = x[1] / group;
                if (x[1] % group != 0 || w.Rows % group != 0 || w.Columns != (long)perGroup * window.KernelH * window.KernelW)
                {
                    problem = $"a {w.Rows}x{w.Columns} weight matrix does not fit {x[1]} input channels in {group} groups with a {window.KernelH}x{window.KernelW} kernel";
                    return null;
                }

                return Windowed(x, w.Rows, window, ceilMode: false, out problem);
            }

            case "MaxPool" or "AveragePool":
                return Windowed(x, x[1], Window.Parse(layer)!, layer.Attr("ceil_mode") == "true", out problem);
            case "GlobalAveragePool":
                return x.Dims.Count == 4 ? [x[0], x[1], 1, 1] : Fail("a global pool reads a 4-D input", out problem);
            case "Gemm":
                return layer.Weights!.Columns == x[1] ? [x[0], layer.Weights.Rows] : Fail($"a {layer.Weights.Rows}x{layer.Weights.Columns} weight matrix cannot read {x[1]} features", out problem);
            case "Softmax":
                var axis = LayerChecks.Int(layer.Attr("axis"))!.Value;
                return axis >= -x.Dims.Count && axis < x.Dims.Count ? x.Dims.Select(d => (long)d).ToArray() : Fail($"axis {axis} does not fit an input of rank {x.Dims.Count}", out problem);
            case "Relu" or "LRN" or "Add":
                return x.Dims.Select(d => (long)d).ToArray();
            case "Concat":
                return Concatenated(layer, out problem);
            default:
                // Flatten and Reshape keep the elements.
                return Elements(layer.OutputShape) == Elements(x) ? null : Fail($"a reshape of {x} cannot give {layer.OutputShape}", out problem);
        }
    }

    private static long[]? Windowed(ShapeSpec x, long channels, Window w, bool ceilMode, out string? problem)
    {
        var height = SlidingWindow.OutputSize(x[2], w.KernelH, w.StrideH, w.DilationH, w.PadTop, w.PadBottom, ceilMode);
        var width = SlidingWindow.OutputSize(x[3], w.KernelW, w.StrideW, w.DilationW, w.PadLeft, w.PadRight, ceilMode);
        return height < 1 || width < 1
            ? Fail($"the {w.KernelH}x{w.KernelW} window does not fit the {x[2]}x{x[3]} input with its padding", out problem)
            : Ok([x[0], channels, height, width], out problem);
    }

    private static long[]? Concatenated(LayerSpec layer, out string? problem)
    {
        var rank = layer.InputShapes[0].Dims.Count;
        var axis = LayerChecks.Int(layer.Attr("axis"))!.Value;
        axis = axis < 0 ? axis + rank : axis;
        if (axis < 0 || axis >= rank || layer.InputShapes.Any(s => s.Dims.Count != rank))
        {
            return Fail($"axis {axis} does not fit inputs of rank {rank}", out problem);
        }

        var result = layer.InputShapes[0].Dims.Select(d => (long)d).ToArray();
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
    private static string? Size(ShapeSpec shape)
    {
        if (shape.Dims.Count == 0 || shape.Dims.Any(d => d < 1))
        {
            return "dimensions must be at least 1";
        }

        return Elements(shape) > ManifestFormat.MaxTensorElements ? $"more than {ManifestFormat.MaxTensorElements} elements" : null;
    }

    // Saturates instead of overflowing: any product past the limit is as good as infinite.
    private static long Elements(ShapeSpec shape)
    {
        long n = 1;
        foreach (var d in shape.Dims)
        {
            n = System.Math.Min(n * System.Math.Max(d, 0), ManifestFormat.MaxTensorElements + 1);
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
