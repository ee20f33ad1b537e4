using System.Globalization;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Hardware.Zc706.Network;

/// <summary>
/// Turns a compiled model (its manifest and weight blob) into the <see cref="ArrayNetwork"/> the
/// array model executes. Every layer's weights are decoded from whatever format the build chose
/// (raw fp32, CSR, group, PE, or unrolled into the manifest) into one matrix; the array then stores
/// them in its own group format.
/// </summary>
public static class ManifestImporter
{
    /// <summary>Imports a compiled model.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <param name="blob">The weight blob it names.</param>
    /// <param name="withValues">
    /// True (default) decodes every weight, as functional runs need; false keeps only each row's
    /// nonzero columns of compressed layers, read straight from their format, which is all the cycle
    /// model needs and skips building dense matrices (AlexNet's fc6 alone is 37.7 M weights).
    /// </param>
    /// <exception cref="NotSupportedException">An op the array model does not execute.</exception>
    /// <exception cref="FormatException">A malformed attribute.</exception>
    public static ArrayNetwork Import(Manifest manifest, WeightBlobReader blob, bool withValues = true)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(blob);
        var layers = new ArrayLayer[manifest.Layers.Count];
        Parallel.For(0, layers.Length, i => layers[i] = Layer(manifest.Layers[i], blob, withValues));
        return new ArrayNetwork(
            manifest.Model,
            manifest.Inputs.Select(v => new ArrayValue(v.Name, [.. v.Shape])).ToArray(),
            manifest.Outputs.Select(v => new ArrayValue(v.Name, [.. v.Shape])).ToArray(),
            layers);
    }

    private static ArrayLayer Layer(ManifestLayer m, WeightBlobReader blob, bool withValues)
    {
        var attrs = m.Attributes.ToDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal);
        var layer = new ArrayLayer(m.Name, OpOf(m), [.. m.Inputs], m.Output, m.InputShapes.Select(s => s.ToArray()).ToArray(), [.. m.OutputShape]);
        return layer.Op switch
        {
            ArrayOp.Conv => layer with { Window = Window(m.Name, attrs), Group = Int(m.Name, attrs, "group"), Weights = Weights(m, blob, withValues) },
            ArrayOp.FullyConnected => layer with { Weights = Weights(m, blob, withValues) },
            ArrayOp.MaxPool or ArrayOp.AveragePool => layer with
            {
                Window = Window(m.Name, attrs),
                CountIncludePad = attrs.GetValueOrDefault("count_include_pad") == "true",
            },
            ArrayOp.Lrn => layer with
            {
                LrnSize = Int(m.Name, attrs, "size"),
                LrnAlpha = Float(m.Name, attrs, "alpha"),
                LrnBeta = Float(m.Name, attrs, "beta"),
                LrnBias = Float(m.Name, attrs, "bias"),
            },
            ArrayOp.Softmax => layer with { Axis = Int(m.Name, attrs, "axis"), CoerceTo2D = attrs.GetValueOrDefault("coerce_2d") == "true" },
            ArrayOp.Concat => layer with { Axis = Int(m.Name, attrs, "axis") },
            _ => layer,
        };
    }

    private static ArrayOp OpOf(ManifestLayer m) => m.Op switch
    {
        "Conv" => ArrayOp.Conv,
        "Gemm" => ArrayOp.FullyConnected,
        "MaxPool" => ArrayOp.MaxPool,
        "AveragePool" => ArrayOp.AveragePool,
        "GlobalAveragePool" => ArrayOp.GlobalAveragePool,
        "Relu" => ArrayOp.Relu,
        "LRN" => ArrayOp.Lrn,
        "Softmax" => ArrayOp.Softmax,
        "Flatten" or "Reshape" => ArrayOp.Reshape,
        "Add" => ArrayOp.Add,
        "Concat" => ArrayOp.Concat,
        _ => throw new NotSupportedException($"layer '{m.Name}': the ZC706 model does not execute {m.Op}"),
    };

    private static LayerWeights Weights(ManifestLayer m, WeightBlobReader blob, bool withValues)
    {
        var w = m.Weights ?? throw new FormatException($"layer '{m.Name}' ({m.Op}) has no weights in the manifest");
        var bias = w.BiasBlob is { } b ? blob.ReadFloats(b) : null;
        var storedDense = w.Format == "dense";
        if (!withValues && w.WeightsBlob is { Format: not BlobFormat.Fp32 } compressed)
        {
            var encoded = blob.ReadEncoded(compressed);
            Check(m, encoded.Rows, encoded.Columns);
            return new LayerWeights(w.Rows, w.Columns, w.Scheme, w.NonZeros, storedDense, null, bias) { RowColumns = WeightPatterns.RowColumns(encoded) };
        }

        float[] values;
        if (w.WeightsBlob is { } location)
        {
            values = blob.DecodeWeights(location);
        }
        else
        {
            values = new float[(long)w.Rows * w.Columns];
            foreach (var u in w.Unrolled)
            {
                values[((long)u.Row * w.Columns) + u.Column] = u.Value;
            }
        }

        if (values.Length != (long)w.Rows * w.Columns)
        {
            throw new FormatException($"layer '{m.Name}': {values.Length} weights decoded, the manifest says {w.Rows} × {w.Columns}");
        }

        return new LayerWeights(w.Rows, w.Columns, w.Scheme, w.NonZeros, storedDense, values, bias);
    }

    private static void Check(ManifestLayer m, int rows, int columns)
    {
        if (rows != m.Weights!.Rows || columns != m.Weights.Columns)
        {
            throw new FormatException($"layer '{m.Name}': the blob holds a {rows} × {columns} matrix, the manifest says {m.Weights.Rows} × {m.Weights.Columns}");
        }
    }

    private static Window Window(string layer, Dictionary<string, string> attrs)
    {
        var (kh, kw) = Pair(layer, attrs, "kernel");
        var (sh, sw) = Pair(layer, attrs, "stride");
        var (dh, dw) = attrs.ContainsKey("dilation") ? Pair(layer, attrs, "dilation") : (1, 1);
        var pads = attrs.TryGetValue("pads", out var p) ? p.Split(',').Select(x => Parse(layer, "pads", x)).ToArray() : [0, 0, 0, 0];
        if (pads.Length != 4)
        {
            throw new FormatException($"layer '{layer}': pads '{p}' is not top,left,bottom,right");
        }

        return new Window(kh, kw, sh, sw, dh, dw, pads[0], pads[1], pads[2], pads[3]);
    }

    private static (int, int) Pair(string layer, Dictionary<string, string> attrs, string name)
    {
        var text = attrs.GetValueOrDefault(name) ?? throw new FormatException($"layer '{layer}' lacks attribute '{name}'");
        var parts = text.Split('x');
        return parts.Length == 2 ? (Parse(layer, name, parts[0]), Parse(layer, name, parts[1])) : throw new FormatException($"layer '{layer}': {name} '{text}' is not HxW");
    }

    private static int Int(string layer, Dictionary<string, string> attrs, string name) =>
        Parse(layer, name, attrs.GetValueOrDefault(name) ?? throw new FormatException($"layer '{layer}' lacks attribute '{name}'"));

    private static int Parse(string layer, string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"layer '{layer}': {name} '{text}' is not an integer");

    // Floats travel as "decimal/0xBITS"; the bits are exact.
    private static float Float(string layer, Dictionary<string, string> attrs, string name)
    {
        var text = attrs.GetValueOrDefault(name) ?? throw new FormatException($"layer '{layer}' lacks attribute '{name}'");
        var slash = text.IndexOf("/0x", StringComparison.Ordinal);
        if (slash >= 0 && uint.TryParse(text.AsSpan(slash + 3), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var bits))
        {
            return BitConverter.UInt32BitsToSingle(bits);
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"layer '{layer}': {name} '{text}' is not a number");
    }
}
