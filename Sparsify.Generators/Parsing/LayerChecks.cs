using System.Globalization;
using Sparsify.Generators.Model;

namespace Sparsify.Generators.Parsing;

/// <summary>Checks that a parsed layer has what its op and plan need, so emitters can trust it.</summary>
internal static class LayerChecks
{
    /// <summary>What is wrong with <paramref name="layer"/>, or null.</summary>
    public static string? Problem(LayerSpec layer, int declaredUnrolled)
    {
        var w = layer.Weights;
        var weighted = layer.Op is "Conv" or "Gemm";
        if (weighted && w is null)
        {
            return $"a {layer.Op} layer needs its weight facts (matrix, format, weights-blob)";
        }

        if (!weighted && layer.Plan != PlanKind.Dense)
        {
            return $"plan {layer.Plan} needs weights, and {layer.Op} has none";
        }

        if (w is not null)
        {
            if (w.Rows <= 0 || w.Columns <= 0)
            {
                return "the weight matrix has no rows or columns";
            }

            if (w.Unrolled.Count != declaredUnrolled)
            {
                return $"{w.Unrolled.Count} 'nz' lines, but 'unrolled {declaredUnrolled}'";
            }

            switch (layer.Plan)
            {
                case PlanKind.Dense when w.WeightsBlob is not { Format: "fp32" }:
                    return "a Dense layer needs fp32 weights in the blob";
                case PlanKind.SparseTable when w.WeightsBlob is not { Format: "group" or "csr" }:
                    return "a SparseTable layer needs group or csr weights in the blob";
                case PlanKind.SparseUnrolled when w.Unrolled.Count != w.NonZeros:
                    return $"{w.Unrolled.Count} 'nz' lines, but 'nonzeros {w.NonZeros}'";
                case PlanKind.SparseUnrolled:
                    foreach (var nz in w.Unrolled)
                    {
                        if (nz.Row >= w.Rows || nz.Column >= w.Columns)
                        {
                            return System.FormattableString.Invariant($"nonzero at ({nz.Row}, {nz.Column}) lies outside the {w.Rows}x{w.Columns} matrix");
                        }
                    }

                    break;
            }

            if (w.BiasBlob is { Format: not "fp32" })
            {
                return "the bias must be fp32";
            }
        }

        return layer.Op switch
        {
            "Conv" => Window.Parse(layer) is null || layer.InputShapes[0].Dims.Count != 4 || Int(layer.Attr("group")) is not > 0
                ? "a Conv needs kernel, stride, dilation, pads and group attributes and a 4-D input" : null,
            "MaxPool" or "AveragePool" => Window.Parse(layer) is null || layer.InputShapes[0].Dims.Count != 4
                ? "a pool needs kernel, stride, dilation and pads attributes and a 4-D input" : null,
            "Gemm" => layer.InputShapes[0].Dims.Count != 2 ? "a Gemm reads a 2-D input" : null,
            "Add" => layer.Inputs.Count != 2 || layer.InputShapes[0] != layer.InputShapes[1] ? "Add needs two operands of one shape" : null,
            "LRN" => Int(layer.Attr("size")) is null || Float(layer.Attr("alpha")) is null || Float(layer.Attr("beta")) is null || Float(layer.Attr("bias")) is null
                ? "LRN needs size, alpha, beta and bias" : null,
            "Concat" or "Softmax" => Int(layer.Attr("axis")) is null ? $"{layer.Op} needs an axis" : null,
            _ => null,
        };
    }

    /// <summary>An integer attribute, or null.</summary>
    public static int? Int(string? text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>A float attribute written as <c>DECIMAL/0xBITS</c> (exact bits win), or null.</summary>
    public static float? Float(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var slash = text.IndexOf("/0x", System.StringComparison.Ordinal);
        if (slash >= 0 && uint.TryParse(text.Substring(slash + 3), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bits))
        {
            return BitConverterCompat.ToSingle(bits);
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}

/// <summary>A conv or pool window from the <c>kernel</c>, <c>stride</c>, <c>dilation</c> and <c>pads</c> attributes.</summary>
internal sealed record Window(int KernelH, int KernelW, int StrideH, int StrideW, int DilationH, int DilationW, int PadTop, int PadLeft, int PadBottom, int PadRight)
{
    /// <summary>The layer's window, or null when an attribute is missing or malformed.</summary>
    public static Window? Parse(LayerSpec layer)
    {
        var k = Pair(layer.Attr("kernel"), 'x');
        var s = Pair(layer.Attr("stride"), 'x');
        var d = Pair(layer.Attr("dilation"), 'x');
        var p = layer.Attr("pads")?.Split(',');
        if (k is null || s is null || d is null || p is not { Length: 4 })
        {
            return null;
        }

        var pads = new int[4];
        for (var i = 0; i < 4; i++)
        {
            if (LayerChecks.Int(p[i]) is not { } v || v < 0)
            {
                return null;
            }

            pads[i] = v;
        }

        return k.Value.A > 0 && k.Value.B > 0 && s.Value.A > 0 && s.Value.B > 0 && d.Value.A > 0 && d.Value.B > 0
            ? new Window(k.Value.A, k.Value.B, s.Value.A, s.Value.B, d.Value.A, d.Value.B, pads[0], pads[1], pads[2], pads[3])
            : null;
    }

    private static (int A, int B)? Pair(string? text, char separator)
    {
        var parts = text?.Split(separator);
        return parts is { Length: 2 } && LayerChecks.Int(parts[0]) is { } a && LayerChecks.Int(parts[1]) is { } b ? (a, b) : null;
    }
}

/// <summary>Float bit casts that netstandard2.0 lacks.</summary>
internal static class BitConverterCompat
{
    public static unsafe float ToSingle(uint bits) => *(float*)&bits;
}
