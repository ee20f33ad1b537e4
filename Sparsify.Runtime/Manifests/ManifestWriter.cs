using System.Globalization;
using System.Text;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Manifests;

/// <summary>
/// Writes a <see cref="Manifest"/> as text. Line-oriented, one <c>key value</c> pair per line
/// (values run to the end of the line), '\n' line ends, invariant culture, no timestamps or paths:
/// the same model gives the same bytes. Layout:
/// <code>
/// sparsify-manifest 4
/// model NAME
/// class NAME
/// source-sha256 HEX|none     (the model file compiled)
/// blob-sha256 HEX
/// blob-length BYTES
/// input NAME DIMS            (one per input, DIMS like 1x1x28x28)
/// output NAME DIMS
/// layer NAME                 (one block per layer, in execution order)
///   op Conv
///   inputs A B               (space-separated)
///   output NAME
///   input-shapes DIMS DIMS
///   output-shape DIMS
///   KEY VALUE                (the op's parameters, in a fixed order per op:
///                             Conv: kernel KHxKW, stride, dilation, pads T,L,B,R, group
///                             MaxPool, AveragePool: kernel, stride, dilation, pads, ceil-mode, count-include-pad
///                             LRN: size, alpha, beta, bias (floats as DECIMAL/0xBITS, the bits exact)
///                             Clip: min, max (floats likewise; an absent bound is an infinity); HardSigmoid: alpha, beta; LeakyRelu: alpha
///                             BatchNormalization: scale-blob, shift-blob (OFFSET LENGTH fp32, one value per channel)
///                             ChannelLayerNorm: epsilon, scale-blob, shift-blob
///                             Slice: axis, start, end; ChannelShuffle: groups; Pad: mode, pads T,L,B,R, value
///                             ReduceMean, ReduceSum: first, last (the run of axes reduced), keepdims
///                             Transpose: perm A,A,… (output axis i is input axis perm[i])
///                             Broadcast: function (Add, Sub, Mul, Div or Pow of two broadcasting operands)
///                             Concat, Flatten: axis; Reshape: shape D,D,…; Softmax: axis, coerce-2d)
///   matrix ROWSxCOLS         (weights only, through "unrolled")
///   scheme NAME
///   sparsity R               (round-trip double)
///   nonzeros N
///   group-size G
///   format dense|csr|group|unrolled
///   weights-blob OFFSET LENGTH FORMAT | weights-blob none
///   bias-blob OFFSET LENGTH FORMAT | bias-blob none
///   unrolled N               (then N lines "nz ROW COL BITS", BITS the float's 8 hex digits)
///   plan Dense|SparseTable|SparseUnrolled
///   overridden true|false
///   reason TEXT
/// end
/// step NAME                  (the execution plan: one block per step, in order; NAME is the layer doing the work)
///   fused NAME NAME          (layers folded into its epilogue; nothing after the key when none)
///   output NAME
///   residual NAME            (each NAME below may be absent: the key alone)
///   relu true|false
///   feeds NAME               (the step whose input layout this one writes)
///   input-fed true|false
///   companion NAME           (the step this one runs in its fork)
///   runs-with NAME           (the step that runs this one)
///   why TEXT
///   taps N                   (then N lines "tap COLUMN OFFSET": an unrolled convolution's input offsets; 0 otherwise)
/// end
/// buffer FLOATS              (one per activation buffer, by index)
/// value NAME BUFFER FLOATS   (each model input and step output)
/// manifest-sha256 HEX        (last line: SHA-256 of every line before it)
/// </code>
/// Names of the model, its values and layers are written by <see cref="ManifestFormat.EncodeName"/>, so any text survives.
/// </summary>
public static class ManifestWriter
{
    /// <summary>The manifest as text.</summary>
    public static string Write(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var t = new StringBuilder();
        Line(t, ManifestFormat.Signature, Int(manifest.Version));
        Line(t, "model", Name(manifest.Model));
        Line(t, "class", Word(manifest.ClassName));
        Line(t, "source-sha256", Word(manifest.SourceSha256));
        Line(t, "blob-sha256", manifest.BlobSha256);
        Line(t, "blob-length", manifest.BlobLength.ToString(CultureInfo.InvariantCulture));
        foreach (var i in manifest.Inputs)
        {
            Line(t, "input", $"{Name(i.Name)} {Dims(i.Shape)}");
        }

        foreach (var o in manifest.Outputs)
        {
            Line(t, "output", $"{Name(o.Name)} {Dims(o.Shape)}");
        }

        foreach (var l in manifest.Layers)
        {
            WriteLayer(t, l);
        }

        WritePlan(t, manifest.Execution);

        // Last: the digest of every line above, so a hand edit reads as one, not as a different model.
        return ManifestFormat.Sign(t.ToString());
    }

    /// <summary>Dimensions as <c>1x3x224x224</c>.</summary>
    public static string Dims(IEnumerable<int> dims) => string.Join("x", dims.Select(Int));

    private static void WriteLayer(StringBuilder t, ManifestLayer l)
    {
        Line(t, "layer", Name(l.Name));
        Line(t, "  op", Word(l.Op));
        Line(t, "  inputs", string.Join(" ", l.Inputs.Select(Name)));
        Line(t, "  output", Name(l.Output));
        Line(t, "  input-shapes", string.Join(" ", l.InputShapes.Select(Dims)));
        Line(t, "  output-shape", Dims(l.OutputShape));
        WriteParameters(t, l.Parameters);

        if (l.Weights is { } w)
        {
            Line(t, "  matrix", $"{Int(w.Rows)}x{Int(w.Columns)}");
            Line(t, "  scheme", Word(w.Scheme));
            Line(t, "  sparsity", w.Sparsity.ToString("R", CultureInfo.InvariantCulture));
            Line(t, "  nonzeros", w.NonZeros.ToString(CultureInfo.InvariantCulture));
            Line(t, "  group-size", Int(w.GroupSize));
            Line(t, "  format", Word(w.Format));
            Line(t, "  weights-blob", Location(w.WeightsBlob));
            Line(t, "  bias-blob", Location(w.BiasBlob));
            Line(t, "  unrolled", Int(w.Unrolled.Count));
            foreach (var nz in w.Unrolled)
            {
                t.Append("  nz ").Append(Int(nz.Row)).Append(' ').Append(Int(nz.Column)).Append(' ')
                    .Append(nz.Bits.ToString("x8", CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        Line(t, "  plan", l.Plan.ToString());
        Line(t, "  overridden", l.Overridden ? "true" : "false");
        Line(t, "  reason", OneLine(l.Reason));
        t.Append("end\n");
    }

    private static void WritePlan(StringBuilder t, ExecutionPlan plan)
    {
        foreach (var s in plan.Steps)
        {
            Line(t, "step", Name(s.Layer));
            Line(t, "  fused", string.Join(" ", s.Fused.Select(Name)));
            Line(t, "  output", Name(s.Output));
            Line(t, "  residual", Optional(s.Residual));
            Line(t, "  relu", Bool(s.Relu));
            Line(t, "  feeds", Optional(s.Feeds));
            Line(t, "  input-fed", Bool(s.InputFed));
            Line(t, "  companion", Optional(s.Companion));
            Line(t, "  runs-with", Optional(s.RunsWith));
            Line(t, "  why", OneLine(s.Reason));
            Line(t, "  taps", Int(s.Taps.Count));
            foreach (var tap in s.Taps)
            {
                Line(t, "  tap", $"{Int(tap.Column)} {Int(tap.Offset)}");
            }

            t.Append("end\n");
        }

        foreach (var length in plan.BufferLengths)
        {
            Line(t, "buffer", Int(length));
        }

        foreach (var v in plan.Values)
        {
            Line(t, "value", $"{Name(v.Value)} {Int(v.Buffer)} {Int(v.Length)}");
        }
    }

    // An absent name is an empty value: no name token is empty.
    private static string Optional(string? name) => name is null ? string.Empty : Name(name);

    private static void WriteParameters(StringBuilder t, LayerParameters parameters)
    {
        switch (parameters)
        {
            case ConvParameters conv:
                WriteWindow(t, conv.Window);
                Line(t, "  group", Int(conv.Group));
                break;
            case PoolParameters pool:
                WriteWindow(t, pool.Window);
                Line(t, "  ceil-mode", Bool(pool.CeilMode));
                Line(t, "  count-include-pad", Bool(pool.CountIncludePad));
                break;
            case LrnParameters lrn:
                Line(t, "  size", Int(lrn.Size));
                Line(t, "  alpha", ManifestNumbers.Format(lrn.Alpha));
                Line(t, "  beta", ManifestNumbers.Format(lrn.Beta));
                Line(t, "  bias", ManifestNumbers.Format(lrn.Bias));
                break;
            case HardSigmoidParameters hardSigmoid:
                Line(t, "  alpha", ManifestNumbers.Format(hardSigmoid.Alpha));
                Line(t, "  beta", ManifestNumbers.Format(hardSigmoid.Beta));
                break;
            case LeakyReluParameters leaky:
                Line(t, "  alpha", ManifestNumbers.Format(leaky.Alpha));
                break;
            case ClipParameters clip:
                Line(t, "  min", ManifestNumbers.Format(clip.Min));
                Line(t, "  max", ManifestNumbers.Format(clip.Max));
                break;
            case ChannelAffineParameters affine:
                Line(t, "  scale-blob", Location(affine.Scale));
                Line(t, "  shift-blob", Location(affine.Shift));
                break;
            case ChannelLayerNormParameters norm:
                Line(t, "  epsilon", ManifestNumbers.Format(norm.Epsilon));
                Line(t, "  scale-blob", Location(norm.Scale));
                Line(t, "  shift-blob", Location(norm.Shift));
                break;
            case PadParameters pad:
                Line(t, "  mode", Word(pad.Mode));
                Line(t, "  pads", $"{Int(pad.Pads.Top)},{Int(pad.Pads.Left)},{Int(pad.Pads.Bottom)},{Int(pad.Pads.Right)}");
                Line(t, "  value", ManifestNumbers.Format(pad.Value));
                break;
            case TransposeParameters transpose:
                Line(t, "  perm", string.Join(",", transpose.Perm.Select(Int)));
                break;
            case BroadcastParameters broadcast:
                Line(t, "  function", Word(broadcast.Function));
                break;
            case ReduceParameters reduce:
                Line(t, "  first", Int(reduce.First));
                Line(t, "  last", Int(reduce.Last));
                Line(t, "  keepdims", Bool(reduce.KeepDims));
                break;
            case SliceParameters slice:
                Line(t, "  axis", Int(slice.Axis));
                Line(t, "  start", Int(slice.Start));
                Line(t, "  end", Int(slice.End));
                break;
            case ChannelShuffleParameters shuffle:
                Line(t, "  groups", Int(shuffle.Groups));
                break;
            case AxisParameters axis:
                Line(t, "  axis", Int(axis.Axis));
                break;
            case ReshapeParameters reshape:
                Line(t, "  shape", string.Join(",", reshape.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))));
                break;
            case SoftmaxParameters softmax:
                Line(t, "  axis", Int(softmax.Axis));
                Line(t, "  coerce-2d", Bool(softmax.CoerceTo2D));
                break;
        }
    }

    private static void WriteWindow(StringBuilder t, Window2D w)
    {
        Line(t, "  kernel", $"{Int(w.KernelH)}x{Int(w.KernelW)}");
        Line(t, "  stride", $"{Int(w.StrideH)}x{Int(w.StrideW)}");
        Line(t, "  dilation", $"{Int(w.DilationH)}x{Int(w.DilationW)}");
        Line(t, "  pads", $"{Int(w.Pads.Top)},{Int(w.Pads.Left)},{Int(w.Pads.Bottom)},{Int(w.Pads.Right)}");
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Location(BlobLocation? l) => l is null
        ? "none"
        : string.Create(CultureInfo.InvariantCulture, $"{l.Offset} {l.Length} {l.Format.ToString().ToLowerInvariant()}");

    private static void Line(StringBuilder t, string key, string value) =>
        (value.Length == 0 ? t.Append(key) : t.Append(key).Append(' ').Append(value)).Append('\n');

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string OneLine(string text) => text.Replace('\r', ' ').Replace('\n', ' ');

    // Model, layer and value names come from the model file, which allows any text: encoded, so spaces and
    // line breaks survive the line format.
    private static string Name(string name) => string.IsNullOrEmpty(name)
        ? throw new ArgumentException("an empty name cannot go into a manifest", nameof(name))
        : ManifestFormat.EncodeName(name);

    // Keys and vocabulary Sparsify itself chooses (ops, attributes, schemes, formats, the class name).
    private static string Word(string word) => ManifestFormat.IsName(word)
        ? word
        : throw new ArgumentException($"'{word}' cannot go into a manifest: it is empty or contains whitespace, control or format characters", nameof(word));
}
