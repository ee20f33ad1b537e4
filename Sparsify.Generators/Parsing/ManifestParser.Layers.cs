using System;
using System.Collections.Generic;
using System.Globalization;
using Sparsify.Generators.Model;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Parsing;

/// <summary>Layer blocks and the value syntax (names, numbers, dimensions, blob locations).</summary>
internal sealed partial class ManifestParser
{
    private static readonly string[] BlobFormats = ["fp32", "csr", "pe", "group"];

    private LayerSpec? ParseLayer(string? name)
    {
        var layerLine = _index;
        string? op = null, output = null, scheme = null, format = null, reason = null;
        PlanKind? plan = null;
        var overridden = false;
        var opLine = layerLine;
        var inputs = new List<string>();
        var inputShapes = new List<ShapeSpec>();
        ShapeSpec? outputShape = null;
        var attributes = new List<AttrSpec>();
        int rows = -1, columns = -1, groupSize = 1, unrolledCount = 0;
        double sparsity = 0;
        long nonZeros = 0;
        BlobRef? weightsBlob = null, biasBlob = null;
        var unrolled = new List<NonZeroSpec>();
        var hasWeights = false;
        var errors = _diagnostics.Count;
        var rank = -1;
        bool hasOverridden = false, hasReason = false, hasSparsity = false, hasNonZeros = false, hasGroupSize = false;
        bool hasWeightsBlob = false, hasBiasBlob = false, hasUnrolled = false;
        for (_index++; _index < _lines.Length; _index++)
        {
            _cancellation.ThrowIfCancellationRequested();
            var (key, value) = Split(_lines[_index]);
            if (key != "end" && !InOrder(key, ref rank, reported: _diagnostics.Count > errors))
            {
                continue;
            }

            switch (key)
            {
                case "end":
                    return Finish();
                case "op":
                    op = Name(value);
                    opLine = _index;
                    break;
                case "inputs":
                    foreach (var input in value.Split(' '))
                    {
                        if (Name(input) is { } inputName)
                        {
                            inputs.Add(inputName);
                        }
                    }

                    break;
                case "output":
                    output = Name(value);
                    break;
                case "input-shapes":
                    foreach (var dims in value.Split(' '))
                    {
                        if (Dims(dims) is { } d)
                        {
                            inputShapes.Add(new ShapeSpec(d.ToEquatableArray()));
                        }
                        else
                        {
                            Corrupt($"bad dimensions '{dims}'");
                        }
                    }

                    break;
                case "output-shape":
                    outputShape = Dims(value) is { } o ? new ShapeSpec(o.ToEquatableArray()) : null;
                    if (outputShape is null)
                    {
                        Corrupt($"bad dimensions '{value}'");
                    }

                    break;
                case "attr":
                    var (attrName, attrValue) = Split(value);
                    if (Name(attrName) is { } attrKey)
                    {
                        attributes.Add(new AttrSpec(attrKey, attrValue));
                    }
                    break;
                case "matrix":
                    hasWeights = true;
                    var rc = Dims(value);
                    if (rc is not { Length: 2 })
                    {
                        Corrupt($"matrix must be ROWSxCOLS, found '{value}'");
                        break;
                    }

                    (rows, columns) = (rc[0], rc[1]);
                    break;
                case "scheme":
                    scheme = Name(value);
                    break;
                case "sparsity":
                    hasSparsity = true;
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out sparsity))
                    {
                        Corrupt($"bad sparsity '{value}'");
                    }

                    break;
                case "nonzeros":
                    hasNonZeros = true;
                    nonZeros = Long(value);
                    break;
                case "group-size":
                    hasGroupSize = true;
                    groupSize = Math.Max(1, Int(value));
                    break;
                case "format":
                    format = Name(value);
                    break;
                case "weights-blob":
                    hasWeightsBlob = true;
                    weightsBlob = Location(value);
                    break;
                case "bias-blob":
                    hasBiasBlob = true;
                    biasBlob = Location(value);
                    break;
                case "unrolled":
                    hasUnrolled = true;
                    unrolledCount = Int(value);
                    break;
                case "nz":
                    var nz = value.Split(' ');
                    if (nz.Length != 3 || !int.TryParse(nz[0], NumberStyles.None, CultureInfo.InvariantCulture, out var row)
                        || !int.TryParse(nz[1], NumberStyles.None, CultureInfo.InvariantCulture, out var column)
                        || !uint.TryParse(nz[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bits) || nz[2].Length != 8)
                    {
                        Corrupt($"'nz' needs ROW COL BITS (8 hex digits), found '{value}'");
                        break;
                    }

                    unrolled.Add(new NonZeroSpec(row, column, bits));
                    break;
                case "plan":
                    plan = value switch
                    {
                        "Dense" => PlanKind.Dense,
                        "SparseTable" => PlanKind.SparseTable,
                        "SparseUnrolled" => PlanKind.SparseUnrolled,
                        _ => null,
                    };
                    if (plan is null)
                    {
                        Corrupt($"unknown plan '{value}'");
                    }

                    break;
                case "overridden":
                    hasOverridden = true;
                    overridden = value == "true";
                    if (!overridden && value != "false")
                    {
                        Corrupt($"'overridden' is true or false, found '{value}'");
                    }

                    break;
                case "reason":
                    hasReason = true;
                    reason = value;
                    break;
                default:
                    Corrupt($"unknown layer key '{key}'");
                    break;
            }
        }

        Corrupt($"layer '{name}' has no 'end' line");
        return null;

        LayerSpec? Finish()
        {
            if (_diagnostics.Count > errors || name is null)
            {
                return null;
            }

            if (op is null || output is null || outputShape is null || plan is null || !hasOverridden || !hasReason || inputs.Count == 0 || inputs.Count != inputShapes.Count)
            {
                Corrupt($"layer '{name}' lacks op, inputs, output, shapes, plan, overridden or reason");
                return null;
            }

            if (hasWeights && (scheme is null || !hasSparsity || !hasNonZeros || !hasGroupSize || format is null || !hasWeightsBlob || !hasBiasBlob || !hasUnrolled))
            {
                Corrupt($"layer '{name}' has a weight matrix but lacks one of scheme, sparsity, nonzeros, group-size, format, weights-blob, bias-blob, unrolled");
                return null;
            }

            if (!hasWeights && (scheme is not null || hasSparsity || hasNonZeros || hasGroupSize || format is not null || hasWeightsBlob || hasBiasBlob || hasUnrolled || unrolled.Count > 0))
            {
                Corrupt($"layer '{name}' has weight keys but no 'matrix' line");
                return null;
            }


            if (Array.IndexOf(SupportedOps, op) < 0)
            {
                Report(DiagnosticDescriptors.UnknownOp, opLine, name, op, string.Join(", ", SupportedOps));
                return null;
            }

            WeightsSpec? weights = null;
            if (hasWeights)
            {
                weights = new WeightsSpec(rows, columns, scheme ?? "dense", sparsity, nonZeros, groupSize, format ?? "dense", weightsBlob, biasBlob, unrolled.ToEquatableArray());
            }

            var layer = new LayerSpec(
                name, op, inputs.ToEquatableArray(), output, inputShapes.ToEquatableArray(), outputShape, attributes.ToEquatableArray(),
                weights, plan.Value, reason ?? string.Empty, overridden, layerLine);
            if (LayerChecks.Problem(layer, unrolledCount) is { } problem)
            {
                Report(DiagnosticDescriptors.InvalidLayer, layerLine, name, problem);
                return null;
            }

            return layer;
        }
    }

    // Keys come in the order ManifestFormat.LayerKeys gives (the runtime's reader expects them so); attr and nz may repeat.
    // One report per layer: after a key out of place, the keys after it would all read as out of place too.
    private bool InOrder(string key, ref int rank, bool reported)
    {
        var at = Array.IndexOf(ManifestFormat.LayerKeys, key);
        if (at < 0)
        {
            Corrupt($"unknown layer key '{key}'");
            return false;
        }

        if (at < rank || (at == rank && key is not ("attr" or "nz")))
        {
            if (!reported)
            {
                Corrupt($"'{key}' out of place: a layer's keys come once each, in the order {string.Join(", ", ManifestFormat.LayerKeys)}");
            }

            return false;
        }

        rank = at;
        return true;
    }

    private string? Name(string value)
    {
        if (!ManifestFormat.TryDecodeName(value, out var name))
        {
            Corrupt($"expected one name (whitespace, control and format characters and '%' written as %XX), found '{value}'");
            return null;
        }

        return name;
    }

    private string? Hex(string value)
    {
        foreach (var c in value)
        {
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            {
                Corrupt($"expected lowercase hex, found '{value}'");
                return null;
            }
        }

        return value;
    }

    private int Int(string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            Corrupt($"expected a non-negative 32-bit integer, found '{value}'");
            return -1;
        }

        return n;
    }

    private long Long(string value)
    {
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            Corrupt($"expected a non-negative integer, found '{value}'");
            return -1;
        }

        return n;
    }

    private static int[]? Dims(string value)
    {
        var parts = value.Split('x');
        var dims = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
            {
                return null;
            }
        }

        return dims;
    }

    private BlobRef? Location(string value)
    {
        if (value == "none")
        {
            return null;
        }

        var parts = value.Split(' ');
        if (parts.Length != 3 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            || Array.IndexOf(BlobFormats, parts[2]) < 0)
        {
            Corrupt($"a blob location is 'OFFSET LENGTH fp32|csr|pe|group' or 'none', found '{value}'");
            return null;
        }

        return new BlobRef(offset, length, parts[2]);
    }
}
