using System.Globalization;
using Sparsify.Runtime.Blob;

namespace Sparsify.Runtime.Manifests;

/// <summary>
/// Parses the text the compiler writes (Sparsify.Core's ManifestWriter) back into a <see cref="Manifest"/>. Uses only
/// string splitting and invariant number parsing, so the same code can be copied into a
/// netstandard2.0 source generator. Every problem is a <see cref="FormatException"/> naming the line.
/// </summary>
public static class ManifestReader
{
    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">Not a manifest, a newer version, or a malformed line.</exception>
    public static Manifest Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = new Cursor(text.Split('\n'));
        var (key, value) = lines.Next();
        if (key != ManifestFormat.Signature)
        {
            throw lines.Error($"not a Sparsify manifest: the first line must be '{ManifestFormat.Signature} <version>'");
        }

        var version = Int(value, lines);
        if (version != ManifestFormat.CurrentVersion)
        {
            throw lines.Error($"manifest format version {version} is not the one this Sparsify reads ({ManifestFormat.CurrentVersion}); rebuild the model with the same Sparsify packages as the application");
        }

        var model = Name(lines.Expect("model"), lines);
        var className = lines.Expect("class");
        var source = lines.Expect("source-sha256");
        var sha = lines.Expect("blob-sha256");
        var blobLength = Long(lines.Expect("blob-length"), lines);
        var inputs = new List<ManifestValue>();
        var outputs = new List<ManifestValue>();
        var layers = new List<ManifestLayer>();
        while (!lines.AtEnd)
        {
            (key, value) = lines.Next();
            switch (key)
            {
                case "input":
                    inputs.Add(Value(value, lines));
                    break;
                case "output":
                    outputs.Add(Value(value, lines));
                    break;
                case "layer":
                    layers.Add(ReadLayer(Name(value, lines), lines));
                    break;
                case ManifestFormat.DigestKey:
                    break;
                default:
                    throw lines.Error($"unexpected key '{key}'");
            }
        }

        // Checked last, so a line that cannot be read is reported as such; a well-formed edit as an edit.
        if (!ManifestFormat.HasValidDigest(text))
        {
            throw new FormatException($"Sparsify manifest: its last line is not the '{ManifestFormat.DigestKey}' of the lines before it: the manifest was edited after Sparsify wrote it; rebuild the model");
        }

        return new Manifest(version, model, className, source, sha, blobLength, new(inputs), new(outputs), new(layers));
    }

    private static ManifestLayer ReadLayer(string name, Cursor lines)
    {
        var op = lines.Expect("op");
        var inputs = new EquatableList<string>(Words(lines.Expect("inputs")).Select(w => Name(w, lines)));
        var output = Name(lines.Expect("output"), lines);
        var inputShapes = new EquatableList<EquatableList<int>>(Words(lines.Expect("input-shapes")).Select(d => Dims(d, lines)));
        var outputShape = Dims(lines.Expect("output-shape"), lines);
        var attributes = new List<ManifestAttr>();
        ManifestWeights? weights = null;
        var (key, value) = lines.Next();
        while (key == "attr")
        {
            var (n, v) = Split(value);
            attributes.Add(new ManifestAttr(n, v));
            (key, value) = lines.Next();
        }

        if (key == "matrix")
        {
            var rc = Dims(value, lines);
            if (rc.Count != 2)
            {
                throw lines.Error("expected 'matrix ROWSxCOLUMNS'");
            }

            var scheme = lines.Expect("scheme");
            var sparsity = double.Parse(lines.Expect("sparsity"), NumberStyles.Float, CultureInfo.InvariantCulture);
            var nonZeros = Long(lines.Expect("nonzeros"), lines);
            var groupSize = Int(lines.Expect("group-size"), lines);
            var format = lines.Expect("format");
            var weightsBlob = Location(lines.Expect("weights-blob"), lines);
            var biasBlob = Location(lines.Expect("bias-blob"), lines);
            var count = Int(lines.Expect("unrolled"), lines);
            if (count < 0 || count > lines.Remaining)
            {
                throw lines.Error($"'unrolled {count}' announces more 'nz' lines than the manifest has");
            }

            var unrolled = new UnrolledWeight[count];
            for (var i = 0; i < count; i++)
            {
                var parts = Words(lines.Expect("nz"));
                if (parts.Length != 3 || !uint.TryParse(parts[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bits))
                {
                    throw lines.Error("expected 'nz ROW COLUMN BITS' with BITS as 8 hex digits");
                }

                unrolled[i] = new UnrolledWeight(Int(parts[0], lines), Int(parts[1], lines), bits);
            }

            weights = new ManifestWeights(rc[0], rc[1], scheme, sparsity, nonZeros, groupSize, format, weightsBlob, biasBlob, new(unrolled));
            (key, value) = lines.Next();
        }

        if (key != "plan" || !Enum.TryParse<LayerExecution>(value, out var plan) || !Enum.IsDefined(plan))
        {
            throw lines.Error($"expected 'plan' with one of {string.Join(", ", Enum.GetNames<LayerExecution>())}");
        }

        var overridden = lines.Expect("overridden") switch
        {
            "true" => true,
            "false" => false,
            _ => throw lines.Error("'overridden' must be true or false"),
        };
        var reason = lines.Expect("reason");
        if (lines.Next().Key != "end")
        {
            throw lines.Error($"expected 'end' closing layer '{name}'");
        }

        return new ManifestLayer(name, op, inputs, output, inputShapes, outputShape, new(attributes), weights, plan, reason, overridden);
    }

    private static ManifestValue Value(string text, Cursor lines)
    {
        var (name, dims) = Split(text);
        return new ManifestValue(Name(name, lines), Dims(dims, lines));
    }

    private static BlobLocation? Location(string text, Cursor lines)
    {
        if (text == "none")
        {
            return null;
        }

        var parts = Words(text);
        if (parts.Length != 3 || !Enum.TryParse<BlobFormat>(parts[2], ignoreCase: true, out var format) || !Enum.IsDefined(format))
        {
            throw lines.Error("expected 'OFFSET LENGTH FORMAT' or 'none'");
        }

        return new BlobLocation(Long(parts[0], lines), Long(parts[1], lines), format);
    }

    private static string Name(string token, Cursor lines) =>
        ManifestFormat.TryDecodeName(token, out var name) ? name : throw lines.Error($"'{token}' is not a name as the manifest writes names");

    private static EquatableList<int> Dims(string text, Cursor lines) => new(text.Split('x').Select(d => Int(d, lines)));

    private static string[] Words(string text) => text.Length == 0 ? [] : text.Split(' ');

    private static (string First, string Remainder) Split(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (text, string.Empty) : (text[..space], text[(space + 1)..]);
    }

    private static int Int(string text, Cursor lines) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw lines.Error($"'{text}' is not an integer");

    private static long Long(string text, Cursor lines) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw lines.Error($"'{text}' is not an integer");

    // Walks the lines, skipping blank ones; keys may be indented (layer blocks are, for reading).
    private sealed class Cursor(string[] lines)
    {
        private int _index = -1;

        /// <summary>Lines after the current one.</summary>
        public int Remaining => lines.Length - _index - 1;

        public bool AtEnd
        {
            get
            {
                var i = _index + 1;
                while (i < lines.Length && lines[i].Trim().Length == 0)
                {
                    i++;
                }

                return i >= lines.Length;
            }
        }

        public (string Key, string Value) Next()
        {
            do
            {
                _index++;
                if (_index >= lines.Length)
                {
                    throw Error("unexpected end of manifest (truncated?)");
                }
            }
            while (lines[_index].Trim().Length == 0);

            return Split(lines[_index].Trim());
        }

        public string Expect(string key)
        {
            var (k, v) = Next();
            return k == key ? v : throw Error($"expected '{key}', found '{k}'");
        }

        public FormatException Error(string problem) =>
            new(string.Create(CultureInfo.InvariantCulture, $"Sparsify manifest, line {Math.Min(_index, lines.Length - 1) + 1}: {problem}"));
    }
}
