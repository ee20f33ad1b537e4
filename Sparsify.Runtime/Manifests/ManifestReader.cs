using System;
using System.Collections.Generic;
using System.Globalization;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Manifests;

/// <summary>
/// Reads the text <c>ManifestWriter</c> writes back into a <see cref="Manifest"/>: the one reader of the
/// format, compiled into the run times as code and into the source generator as linked source (hence plain
/// string handling only). A manifest it returns has passed <see cref="ManifestChecks"/>, so whoever executes
/// or emits it can trust every name, shape and range. Every problem is a <see cref="ManifestException"/>
/// naming the line.
/// </summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
static partial class ManifestReader
{
    /// <summary>Reads <paramref name="text"/>.</summary>
    /// <param name="text">The manifest's text.</param>
    /// <exception cref="ManifestException">Not a manifest, another version, a malformed line, an edit, or layers that do not fit.</exception>
    public static Manifest Read(string text) => Read(text, out _);

    /// <summary>Reads <paramref name="text"/> and says where its parts are, for diagnostics at a line.</summary>
    /// <param name="text">The manifest's text.</param>
    /// <param name="lines">The 0-based lines of the class name, the source hash and each layer.</param>
    /// <exception cref="ManifestException">Not a manifest, another version, a malformed line, an edit, or layers that do not fit.</exception>
    public static Manifest Read(string text, out ManifestLines lines)
    {
        var cursor = new Cursor((text ?? throw new ArgumentNullException(nameof(text))).Replace("\r\n", "\n").Split('\n'));
        var first = cursor.First();
        if (first.Key != ManifestFormat.Signature || !int.TryParse(first.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new ManifestException(
                ManifestProblem.NotAManifest, 0, $"not a Sparsify manifest: the first line must be '{ManifestFormat.Signature} <version>'");
        }

        if (version != ManifestFormat.CurrentVersion)
        {
            throw new ManifestException(
                ManifestProblem.UnsupportedVersion, 0,
                FormattableString.Invariant($"manifest format version {version} is not the one this Sparsify reads ({ManifestFormat.CurrentVersion}); rebuild the model with the same Sparsify packages as the application"));
        }

        var model = cursor.Name(cursor.Expect("model"));
        var className = cursor.Expect("class");
        var classLine = cursor.Line;
        var source = cursor.Expect("source-sha256");
        var sourceLine = cursor.Line;
        if (source != ManifestFormat.NoSource)
        {
            cursor.Hex(source);
        }

        var blobSha = cursor.Hex(cursor.Expect("blob-sha256"));
        var blobLength = cursor.Long(cursor.Expect("blob-length"));
        var inputs = new List<ManifestValue>();
        var outputs = new List<ManifestValue>();
        var layers = new List<ManifestLayer>();
        var layerLines = new List<int>();
        var steps = new List<ExecutionStep>();
        var stepLines = new List<int>();
        var buffers = new List<int>();
        var values = new List<ValueBuffer>();
        while (!cursor.AtEnd)
        {
            var (key, value) = cursor.Next();
            switch (key)
            {
                case "input":
                    inputs.Add(ReadValue(value, cursor));
                    break;
                case "output":
                    outputs.Add(ReadValue(value, cursor));
                    break;
                case "layer":
                    layerLines.Add(cursor.Line);
                    layers.Add(ReadLayer(cursor.Name(value), cursor));
                    break;
                case "step":
                    stepLines.Add(cursor.Line);
                    steps.Add(ReadStep(cursor.Name(value), cursor));
                    break;
                case "buffer":
                    buffers.Add(cursor.Int(value));
                    break;
                case "value":
                    var parts = Words(value);
                    values.Add(parts.Length == 3
                        ? new ValueBuffer(cursor.Name(parts[0]), cursor.Int(parts[1]), cursor.Int(parts[2]))
                        : throw cursor.Error($"expected 'value NAME BUFFER FLOATS', found '{value}'"));
                    break;
                case ManifestFormat.DigestKey:
                    // Whether it is the last line, and the digest of the ones before, is checked below.
                    break;
                default:
                    throw cursor.Error($"unknown key '{key}'");
            }
        }

        if (inputs.Count == 0 || outputs.Count == 0 || layers.Count == 0)
        {
            throw new ManifestException(
                ManifestProblem.Malformed, cursor.Line, "the manifest is truncated: it needs at least one input, output and layer");
        }

        // Checked after every line reads, so a line that cannot be read is reported as such and a well-formed
        // edit as an edit; the graph is checked for manifests whose digest holds (crafted, not edited).
        if (!ManifestFormat.HasValidDigest(text))
        {
            throw new ManifestException(
                ManifestProblem.Edited, cursor.Line,
                $"its last line is not the '{ManifestFormat.DigestKey}' of the lines before it: the manifest was edited after Sparsify wrote it; rebuild the model");
        }

        var plan = new ExecutionPlan(new(steps), new(buffers), new(values));
        var manifest = new Manifest(version, model, className, source, blobSha, blobLength, new(inputs), new(outputs), new(layers), plan);
        if (ManifestChecks.FirstProblem(manifest) is { } problem)
        {
            var line = problem.Layer is { } index ? layerLines[index] : cursor.FirstLineOf("input");
            throw new ManifestException(ManifestProblem.InvalidLayer, line, problem.Text, problem.Layer is { } i ? layers[i].Name : null);
        }

        if (ExecutionChecks.FirstProblem(manifest) is { } planProblem)
        {
            var line = planProblem.Step is { } index ? stepLines[index] : cursor.FirstLineOf(planProblem.Key);
            throw new ManifestException(ManifestProblem.InvalidStep, line, planProblem.Text, planProblem.Step is { } i ? steps[i].Layer : null);
        }

        lines = new ManifestLines(classLine, sourceLine, new(layerLines), new(stepLines));
        return manifest;
    }

    private static ManifestLayer ReadLayer(string name, Cursor cursor)
    {
        var op = cursor.Expect("op");
        if (!ManifestOps.IsSupported(op))
        {
            throw new ManifestException(
                ManifestProblem.UnknownOp, cursor.Line, $"op '{op}' is not one Sparsify compiles ({string.Join(", ", ManifestOps.Supported)})", name);
        }

        var inputs = new List<string>();
        foreach (var input in Words(cursor.Expect("inputs")))
        {
            inputs.Add(cursor.Name(input));
        }

        var output = cursor.Name(cursor.Expect("output"));
        var inputShapes = new List<EquatableList<int>>();
        foreach (var dims in Words(cursor.Expect("input-shapes")))
        {
            inputShapes.Add(cursor.Dims(dims));
        }

        if (inputs.Count == 0 || inputs.Count != inputShapes.Count)
        {
            throw cursor.Error($"layer '{name}' needs one input shape for each of its one or more inputs");
        }

        var outputShape = cursor.Dims(cursor.Expect("output-shape"));
        var parameters = ReadParameters(op, cursor);
        var weights = ManifestOps.HasWeights(op) ? ReadWeights(cursor) : null;
        var (key, value) = cursor.Next();
        var plan = key != "plan" ? (LayerExecution?)null : value switch
        {
            "Dense" => LayerExecution.Dense,
            "SparseTable" => LayerExecution.SparseTable,
            "SparseUnrolled" => LayerExecution.SparseUnrolled,
            _ => null,
        };
        if (plan is null)
        {
            throw cursor.Error(weights is null && key == "matrix"
                ? $"a {op} layer has no weights"
                : "expected 'plan' with one of Dense, SparseTable, SparseUnrolled");
        }

        var overridden = cursor.Bool(cursor.Expect("overridden"));
        var reason = cursor.Expect("reason");
        cursor.Expect("end");
        return new ManifestLayer(name, op, new(inputs), output, new(inputShapes), outputShape, parameters, weights, plan.Value, reason, overridden);
    }

    private static ExecutionStep ReadStep(string layer, Cursor cursor)
    {
        var fused = new List<string>();
        foreach (var name in Words(cursor.Expect("fused")))
        {
            fused.Add(cursor.Name(name));
        }

        var output = cursor.Name(cursor.Expect("output"));
        var residual = Optional(cursor.Expect("residual"), cursor);
        var relu = cursor.Bool(cursor.Expect("relu"));
        var feeds = Optional(cursor.Expect("feeds"), cursor);
        var inputFed = cursor.Bool(cursor.Expect("input-fed"));
        var companion = Optional(cursor.Expect("companion"), cursor);
        var runsWith = Optional(cursor.Expect("runs-with"), cursor);
        var why = cursor.Expect("why");
        var count = cursor.Int(cursor.Expect("taps"));
        if (count > cursor.Remaining)
        {
            throw cursor.Error(FormattableString.Invariant($"'taps {count}' announces more 'tap' lines than the manifest has"));
        }

        var taps = new TapOffset[count];
        for (var i = 0; i < count; i++)
        {
            var parts = Words(cursor.Expect("tap"));
            if (parts.Length != 2)
            {
                throw cursor.Error("expected 'tap COLUMN OFFSET'");
            }

            taps[i] = new TapOffset(cursor.Int(parts[0]), cursor.Int(parts[1]));
        }

        cursor.Expect("end");
        return new ExecutionStep(layer, new(fused), output, residual, relu, feeds, inputFed, companion, runsWith, why, new(taps));
    }

    private static string? Optional(string token, Cursor cursor) => token.Length == 0 ? null : cursor.Name(token);

    private static LayerParameters ReadParameters(string op, Cursor cursor)
    {
        switch (op)
        {
            case "Conv":
                return new ConvParameters(ReadWindow(cursor), cursor.Int(cursor.Expect("group")));
            case "MaxPool" or "AveragePool":
                return new PoolParameters(ReadWindow(cursor), cursor.Bool(cursor.Expect("ceil-mode")), cursor.Bool(cursor.Expect("count-include-pad")));
            case "LRN":
                return new LrnParameters(
                    cursor.Int(cursor.Expect("size")), cursor.Float(cursor.Expect("alpha")), cursor.Float(cursor.Expect("beta")), cursor.Float(cursor.Expect("bias")));
            case "HardSigmoid":
                return new HardSigmoidParameters(cursor.Float(cursor.Expect("alpha")), cursor.Float(cursor.Expect("beta")));
            case "LeakyRelu":
                return new LeakyReluParameters(cursor.Float(cursor.Expect("alpha")));
            case "Clip":
                return new ClipParameters(cursor.Float(cursor.Expect("min")), cursor.Float(cursor.Expect("max")));
            case "BatchNormalization":
                return new ChannelAffineParameters(Located(cursor.Expect("scale-blob"), cursor), Located(cursor.Expect("shift-blob"), cursor));
            case "ChannelLayerNorm":
                return new ChannelLayerNormParameters(
                    cursor.Float(cursor.Expect("epsilon")), Located(cursor.Expect("scale-blob"), cursor), Located(cursor.Expect("shift-blob"), cursor));
            case "Transpose":
                var perm = new List<int>();
                foreach (var axis in cursor.Expect("perm").Split(','))
                {
                    perm.Add(cursor.Int(axis));
                }

                return new TransposeParameters(new(perm));
            case "Broadcast":
                return new BroadcastParameters(cursor.Expect("function"));
            case "ReduceMean" or "ReduceSum":
                return new ReduceParameters(cursor.Int(cursor.Expect("first")), cursor.Int(cursor.Expect("last")), cursor.Bool(cursor.Expect("keepdims")));
            case "Pad":
                return new PadParameters(cursor.Expect("mode"), ReadPads(cursor), cursor.Float(cursor.Expect("value")));
            case "Slice":
                return new SliceParameters(cursor.Int(cursor.Expect("axis")), cursor.Int(cursor.Expect("start")), cursor.Int(cursor.Expect("end")));
            case "ChannelShuffle":
                return new ChannelShuffleParameters(cursor.Int(cursor.Expect("groups")));
            case "Concat" or "Flatten":
                return new AxisParameters(cursor.SignedInt(cursor.Expect("axis")));
            case "Reshape":
                var shape = new List<long>();
                foreach (var d in cursor.Expect("shape").Split(','))
                {
                    shape.Add(cursor.SignedLong(d));
                }

                return new ReshapeParameters(new(shape));
            case "Softmax":
                return new SoftmaxParameters(cursor.SignedInt(cursor.Expect("axis")), cursor.Bool(cursor.Expect("coerce-2d")));
            default:
                return NoParameters.Instance;
        }
    }

    private static Window2D ReadWindow(Cursor cursor)
    {
        var kernel = cursor.Pair(cursor.Expect("kernel"));
        var stride = cursor.Pair(cursor.Expect("stride"));
        var dilation = cursor.Pair(cursor.Expect("dilation"));
        return new Window2D(kernel.First, kernel.Second, stride.First, stride.Second, dilation.First, dilation.Second, ReadPads(cursor));
    }

    private static Padding2D ReadPads(Cursor cursor)
    {
        var pads = cursor.Expect("pads").Split(',');
        if (pads.Length != 4)
        {
            throw cursor.Error("expected 'pads TOP,LEFT,BOTTOM,RIGHT'");
        }

        return new Padding2D(cursor.Int(pads[0]), cursor.Int(pads[1]), cursor.Int(pads[2]), cursor.Int(pads[3]));
    }

    private static ManifestWeights ReadWeights(Cursor cursor)
    {
        var matrix = cursor.Pair(cursor.Expect("matrix"));
        var scheme = cursor.Word(cursor.Expect("scheme"));
        var sparsityText = cursor.Expect("sparsity");
        if (!double.TryParse(sparsityText, NumberStyles.Float, CultureInfo.InvariantCulture, out var sparsity) || !(sparsity >= 0 && sparsity <= 1))
        {
            throw cursor.Error($"'{sparsityText}' is not a sparsity between 0 and 1");
        }

        var nonZeros = cursor.Long(cursor.Expect("nonzeros"));
        var groupSize = cursor.Int(cursor.Expect("group-size"));
        var format = cursor.Word(cursor.Expect("format"));
        var weightsBlob = ReadLocation(cursor.Expect("weights-blob"), cursor);
        var biasBlob = ReadLocation(cursor.Expect("bias-blob"), cursor);
        var count = cursor.Int(cursor.Expect("unrolled"));
        if (count > cursor.Remaining)
        {
            throw cursor.Error(FormattableString.Invariant($"'unrolled {count}' announces more 'nz' lines than the manifest has"));
        }

        var unrolled = new UnrolledWeight[count];
        for (var i = 0; i < count; i++)
        {
            var parts = Words(cursor.Expect("nz"));
            if (parts.Length != 3 || parts[2].Length != 8 || !ManifestNumbers.IsLowerHex(parts[2])
                || !uint.TryParse(parts[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bits))
            {
                throw cursor.Error("expected 'nz ROW COLUMN BITS' with BITS as 8 lowercase hex digits");
            }

            unrolled[i] = new UnrolledWeight(cursor.Int(parts[0]), cursor.Int(parts[1]), bits);
        }

        return new ManifestWeights(matrix.First, matrix.Second, scheme, sparsity, nonZeros, groupSize, format, weightsBlob, biasBlob, new(unrolled));
    }

    private static ManifestValue ReadValue(string text, Cursor cursor)
    {
        var parts = Words(text);
        if (parts.Length != 2)
        {
            throw cursor.Error($"expected a name and dimensions like 1x3x224x224, found '{text}'");
        }

        return new ManifestValue(cursor.Name(parts[0]), cursor.Dims(parts[1]));
    }

    private static BlobLocation Located(string text, Cursor cursor) =>
        ReadLocation(text, cursor) ?? throw cursor.Error("expected a blob location 'OFFSET LENGTH fp32', found 'none'");

    private static BlobLocation? ReadLocation(string text, Cursor cursor)
    {
        if (text == "none")
        {
            return null;
        }

        var parts = Words(text);
        var format = parts.Length != 3 ? (BlobFormat?)null : parts[2] switch
        {
            "fp32" => BlobFormat.Fp32,
            "csr" => BlobFormat.Csr,
            "pe" => BlobFormat.Pe,
            "group" => BlobFormat.Group,
            _ => null,
        };
        return format is { } f
            ? new BlobLocation(cursor.Long(parts[0]), cursor.Long(parts[1]), f)
            : throw cursor.Error($"a blob location is 'OFFSET LENGTH fp32|csr|pe|group' or 'none', found '{text}'");
    }

    private static string[] Words(string text) => text.Length == 0 ? [] : text.Split(' ');
}

/// <summary>Where the parts of a manifest are, as 0-based lines, for diagnostics that point at them.</summary>
/// <param name="Class">The <c>class</c> line.</param>
/// <param name="Source">The <c>source-sha256</c> line.</param>
/// <param name="Layers">Each layer's <c>layer</c> line, in order.</param>
/// <param name="Steps">Each step's <c>step</c> line, in order.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ManifestLines(int Class, int Source, EquatableList<int> Layers, EquatableList<int> Steps);
