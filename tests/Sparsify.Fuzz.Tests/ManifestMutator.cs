using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sparsify.Fuzz.Tests;

/// <summary>
/// Mutations of manifest text: lines deleted, repeated, moved or cut, numbers and keys replaced, characters
/// inserted (line breaks and separators among them). Most scripts end by recomputing the digest line, as
/// someone crafting a manifest would, so the mutations reach the consistency checks and the emitters
/// instead of stopping at the digest.
/// </summary>
internal static class ManifestMutator
{
    private static readonly string[] Keys =
    [
        "model", "class", "input", "output", "layer", "  op", "  inputs", "  output", "  input-shapes", "  output-shape", "  kernel", "  stride", "  dilation",
        "  pads", "  group", "  ceil-mode", "  count-include-pad", "  size", "  alpha", "  beta", "  bias", "  axis", "  shape", "  coerce-2d", "  matrix",
        "  scheme", "  sparsity", "  nonzeros", "  group-size", "  format", "  weights-blob", "  bias-blob", "  unrolled", "  nz", "  plan",
        "  overridden", "  reason", "end", "step", "  fused", "  residual", "  relu", "  feeds", "  input-fed", "  companion", "  runs-with",
        "  why", "buffer", "value", "manifest-sha256", "sparsify-manifest",
    ];

    private static readonly string[] Inserts = ["\n", "\r", " ", "x", "0", "-", "%", "%2", "\u2028", "\u0085", "\u202e", "\0", "9999999999", ",", "/0x"];

    public static string Mutate(string seed, Script script)
    {
        var lines = seed.TrimEnd('\n').Split('\n').ToList();
        var digest = lines[^1];
        lines.RemoveAt(lines.Count - 1);
        var resign = script.Below(4) != 0;
        while (script.HasMore && lines.Count > 0)
        {
            var at = script.Below(lines.Count);
            switch (script.Below(7))
            {
                case 0:
                    lines.RemoveAt(at);
                    break;
                case 1:
                    lines.Insert(script.Below(lines.Count + 1), lines[at]);
                    break;
                case 2:
                    var line = lines[at];
                    lines.RemoveAt(at);
                    lines.Insert(script.Below(lines.Count + 1), line);
                    break;
                case 3:
                    lines[at] = ReplaceNumber(lines[at], script);
                    break;
                case 4:
                    var space = lines[at].TrimStart().IndexOf(' ');
                    lines[at] = script.Pick(Keys) + (space < 0 ? string.Empty : lines[at].TrimStart()[space..]);
                    break;
                case 5:
                    var position = script.Below(lines[at].Length + 1);
                    lines[at] = lines[at].Insert(position, script.Pick(Inserts));
                    break;
                default:
                    lines[at] = lines[at][..script.Below(lines[at].Length + 1)];
                    break;
            }
        }

        var body = string.Join('\n', lines) + "\n";
        return resign ? body + "manifest-sha256 " + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))) + "\n" : body + digest + "\n";
    }

    // A run of digits becomes an edge value: sizes, offsets, counts and dimensions.
    private static string ReplaceNumber(string line, Script script)
    {
        var digits = Enumerable.Range(0, line.Length).Where(i => char.IsDigit(line[i]) && (i == 0 || !char.IsDigit(line[i - 1]))).ToList();
        if (digits.Count == 0)
        {
            return line;
        }

        var start = script.Pick(digits);
        var end = start;
        while (end < line.Length && char.IsDigit(line[end]))
        {
            end++;
        }

        return line[..start] + script.Pick(Interesting.Integers).ToString(CultureInfo.InvariantCulture).TrimStart('-') + line[end..];
    }
}
