using System;
using System.Globalization;

namespace Sparsify.Runtime.Manifests;

/// <summary>The reader's walk over the lines, and the value syntax: names, numbers, dimensions, booleans.</summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
static partial class ManifestReader
{
    // Walks the lines, skipping empty ones; keys may be indented (layer blocks are, for reading).
    private sealed class Cursor(string[] lines)
    {
        private int _index = -1;

        /// <summary>The 0-based line last read.</summary>
        public int Line => Math.Max(0, Math.Min(_index, lines.Length - 1));

        /// <summary>Lines after the current one.</summary>
        public int Remaining => lines.Length - _index - 1;

        public bool AtEnd
        {
            get
            {
                var i = _index + 1;
                while (i < lines.Length && lines[i].TrimStart(' ').Length == 0)
                {
                    i++;
                }

                return i >= lines.Length;
            }
        }

        public (string Key, string Value) First()
        {
            _index = 0;
            return Split(lines[0]);
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
            while (lines[_index].TrimStart(' ').Length == 0);

            return Split(lines[_index]);
        }

        public string Expect(string key)
        {
            var (k, v) = Next();
            return k == key ? v : throw Error($"expected '{key}', found '{k}'");
        }

        public int FirstLineOf(string key) => Math.Max(0, Array.FindIndex(lines, l => l.StartsWith(key + " ", StringComparison.Ordinal)));

        public string Name(string token) =>
            ManifestFormat.TryDecodeName(token, out var name)
                ? name
                : throw Error($"expected one name (whitespace, control and format characters and '%' written as %XX), found '{token}'");

        public string Word(string token) => ManifestFormat.IsName(token) ? token : throw Error($"expected one word, found '{token}'");

        public string Hex(string text) => ManifestNumbers.IsLowerHex(text) ? text : throw Error($"expected lowercase hex, found '{text}'");

        public int Int(string text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw Error($"expected a non-negative 32-bit integer, found '{text}'");

        public long Long(string text) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw Error($"expected a non-negative integer, found '{text}'");

        public int SignedInt(string text) =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw Error($"expected a 32-bit integer, found '{text}'");

        public long SignedLong(string text) =>
            long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw Error($"expected an integer, found '{text}'");

        public float Float(string text) =>
            ManifestNumbers.TryParse(text, out var v) ? v : throw Error($"expected a float as DECIMAL/0xBITS (8 lowercase hex digits), found '{text}'");

        public bool Bool(string text) => text switch
        {
            "true" => true,
            "false" => false,
            _ => throw Error($"expected true or false, found '{text}'"),
        };

        public (int First, int Second) Pair(string text)
        {
            var parts = text.Split('x');
            return parts.Length == 2 ? (Int(parts[0]), Int(parts[1])) : throw Error($"expected AxB, found '{text}'");
        }

        public EquatableList<int> Dims(string text)
        {
            var parts = text.Split('x');
            var dims = new int[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                dims[i] = int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var d)
                    ? d
                    : throw Error($"expected dimensions like 1x3x224x224, found '{text}'");
            }

            return new(dims);
        }

        public ManifestException Error(string problem) => new(ManifestProblem.Malformed, Line, problem);

        private static (string Key, string Value) Split(string line)
        {
            var trimmed = line.TrimStart(' ');
            var space = trimmed.IndexOf(' ');
            return space < 0 ? (trimmed, string.Empty) : (trimmed.Substring(0, space), trimmed.Substring(space + 1));
        }
    }
}
