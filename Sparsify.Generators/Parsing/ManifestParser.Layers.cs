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
        for (_index++; _index < _lines.Length; _index++)
        {
            _cancellation.ThrowIfCancellationRequested();
            var (key, value) = Split(_lines[_index]);
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
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out sparsity))
                    {
                        Corrupt($"bad sparsity '{value}'");
                    }

                    break;
                case "nonzeros":
                    nonZeros = Long(value);
                    break;
                case "group-size":
                    groupSize = (int)Math.Max(1, Long(value));
                    break;
                case "format":
                    format = Name(value);
                    break;
                case "weights-blob":
                    weightsBlob = Location(value);
                    break;
                case "bias-blob":
                    biasBlob = Location(value);
                    break;
                case "unrolled":
                    unrolledCount = (int)Long(value);
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
                    overridden = value == "true";
                    break;
                case "reason":
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

            if (op is null || output is null || outputShape is null || plan is null || inputs.Count == 0 || inputs.Count != inputShapes.Count)
            {
                Corrupt($"layer '{name}' lacks op, inputs, output, shapes or plan");
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
