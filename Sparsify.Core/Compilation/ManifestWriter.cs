using System.Globalization;
using System.Text;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation;

/// <summary>
/// Writes a <see cref="Manifest"/> as text. Line-oriented, one <c>key value</c> pair per line
/// (values run to the end of the line), '\n' line ends, invariant culture, no timestamps or paths:
/// the same model gives the same bytes. Layout:
/// <code>
/// sparsify-manifest 1
/// model NAME
/// class NAME
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
///   attr KEY VALUE           (kernel, stride, dilation, pads, group, pool, ceil_mode, …)
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
/// </code>
/// Names follow <see cref="ManifestFormat.IsName"/>: no whitespace, control or format characters.
/// </summary>
public static class ManifestWriter
{
    /// <summary>The first line's keyword.</summary>
    public const string Signature = ManifestFormat.Signature;

    /// <summary>The format version written; readers refuse newer ones.</summary>
    public const int CurrentVersion = ManifestFormat.CurrentVersion;

    /// <summary>The manifest as text.</summary>
    public static string Write(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var t = new StringBuilder();
        Line(t, Signature, Int(manifest.Version));
        Line(t, "model", Name(manifest.Model));
        Line(t, "class", Name(manifest.ClassName));
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

        return t.ToString();
    }

    /// <summary>Dimensions as <c>1x3x224x224</c>.</summary>
    public static string Dims(IEnumerable<int> dims) => string.Join("x", dims.Select(Int));

    private static void WriteLayer(StringBuilder t, ManifestLayer l)
    {
        Line(t, "layer", Name(l.Name));
        Line(t, "  op", Name(l.Op));
        Line(t, "  inputs", string.Join(" ", l.Inputs.Select(Name)));
        Line(t, "  output", Name(l.Output));
        Line(t, "  input-shapes", string.Join(" ", l.InputShapes.Select(Dims)));
        Line(t, "  output-shape", Dims(l.OutputShape));
        foreach (var a in l.Attributes)
        {
            Line(t, "  attr", $"{Name(a.Name)} {a.Value}");
        }

        if (l.Weights is { } w)
        {
            Line(t, "  matrix", $"{Int(w.Rows)}x{Int(w.Columns)}");
            Line(t, "  scheme", Name(w.Scheme));
            Line(t, "  sparsity", w.Sparsity.ToString("R", CultureInfo.InvariantCulture));
            Line(t, "  nonzeros", w.NonZeros.ToString(CultureInfo.InvariantCulture));
            Line(t, "  group-size", Int(w.GroupSize));
            Line(t, "  format", Name(w.Format));
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

    private static string Location(BlobLocation? l) => l is null
        ? "none"
        : string.Create(CultureInfo.InvariantCulture, $"{l.Offset} {l.Length} {l.Format.ToString().ToLowerInvariant()}");

    private static void Line(StringBuilder t, string key, string value) => t.Append(key).Append(' ').Append(value).Append('\n');

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string OneLine(string text) => text.Replace('\r', ' ').Replace('\n', ' ');

    // Whitespace would break the line format; names come from ONNX, which does not forbid it, so say so.
    private static string Name(string name)
    {
        if (!ManifestFormat.IsName(name))
        {
            throw new ArgumentException($"name '{name}' cannot go into a manifest: it is empty or contains whitespace, control or format characters", nameof(name));
        }

        return name;
    }
}
