namespace Sparsify.Runtime.Manifests;

/// <summary>
/// The rules of the manifest text format that its writer, the runtime's <c>ManifestReader</c> and the source
/// generator share. The generator compiles this file as linked source (internal there, as it must not
/// export Runtime's types).
/// </summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
static class ManifestFormat
{
    /// <summary>The first line's keyword.</summary>
    public const string Signature = "sparsify-manifest";

    /// <summary>The format version writers write and readers read (4: the steps' tap offsets; 3: typed per-op parameters; 2 added the closing digest).</summary>
    public const int CurrentVersion = 4;

    /// <summary>The keys that open a manifest, after its signature, each once and in this order.</summary>
    public static readonly string[] HeaderKeys = ["model", "class", "source-sha256", "blob-sha256", "blob-length"];

    /// <summary>The <c>source-sha256</c> of a model compiled from memory rather than a file.</summary>
    public const string NoSource = "none";

    /// <summary>The key of the last line, which holds the SHA-256 of every line before it.</summary>
    public const string DigestKey = "manifest-sha256";

    /// <summary>
    /// Most elements one tensor may have: int.MaxValue bytes of float32, the compiler's limit per tensor
    /// (Sparsify.Core's ModelLimits takes it from here). Generated code allocates every activation up
    /// front, so the generator refuses a manifest declaring more.
    /// </summary>
    public const long MaxTensorElements = int.MaxValue / sizeof(float);

    /// <summary>Appends the digest line to <paramref name="body"/> (whole lines, each ending in '\n').</summary>
    public static string Sign(string body) => body + DigestKey + " " + Sha256Hex(body) + "\n";

    /// <summary>
    /// Whether <paramref name="text"/> ends with the digest line of everything before it, the way
    /// <see cref="Sign"/> wrote it ('\r\n' line ends read as '\n'): false when the line is missing or another digest.
    /// </summary>
    public static bool HasValidDigest(string text)
    {
        text = text.Replace("\r\n", "\n").TrimEnd('\n');
        var start = text.LastIndexOf('\n') + 1;
        var prefix = DigestKey + " ";
        if (start == 0 || string.CompareOrdinal(text, start, prefix, 0, prefix.Length) != 0)
        {
            return false;
        }

        var body = text.Substring(0, start);
        return string.Equals(text.Substring(start + prefix.Length), Sha256Hex(body), System.StringComparison.Ordinal);
    }

    /// <summary>
    /// True for a name token as the line format carries it (model, layer, value, attribute, op): not empty,
    /// and no whitespace (which separates values), control or format characters (line ends, bidirectional
    /// overrides). Model names holding such characters travel encoded (<see cref="EncodeName"/>).
    /// </summary>
    public static bool IsName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (NeedsEncoding(c) && c != '%')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A model's name (any non-empty text) as a name token: '%' and every character <see cref="IsName"/>
    /// refuses become <c>%XX</c> per UTF-8 byte, so names with spaces or line breaks survive the line format.
    /// </summary>
    public static string EncodeName(string name)
    {
        var text = new System.Text.StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (!NeedsEncoding(c))
            {
                text.Append(c);
                continue;
            }

            foreach (var b in System.Text.Encoding.UTF8.GetBytes(c.ToString()))
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    /// <summary>The name a token written by <see cref="EncodeName"/> stands for; false when it is not such a token.</summary>
    public static bool TryDecodeName(string token, out string name)
    {
        name = token;
        if (!IsName(token))
        {
            return false;
        }

        if (token.IndexOf('%') < 0)
        {
            return true;
        }

        var text = new System.Text.StringBuilder(token.Length);
        var strict = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true);
        var bytes = new System.Collections.Generic.List<byte>();
        for (var i = 0; i < token.Length;)
        {
            if (token[i] != '%')
            {
                text.Append(token[i++]);
                continue;
            }

            bytes.Clear();
            while (i < token.Length && token[i] == '%')
            {
                if (i + 2 >= token.Length || HexDigit(token[i + 1]) is not { } high || HexDigit(token[i + 2]) is not { } low)
                {
                    return false;
                }

                bytes.Add((byte)((high << 4) | low));
                i += 3;
            }

            try
            {
                text.Append(strict.GetString(bytes.ToArray()));
            }
            catch (System.ArgumentException)
            {
                return false;
            }
        }

        // Only the form this format writes: anything else is not a name it wrote.
        name = text.ToString();
        return string.Equals(EncodeName(name), token, System.StringComparison.Ordinal);
    }

    /// <summary>
    /// True for a name the generated class, or one segment of its namespace, may have: a letter or '_', then
    /// letters, digits or '_', and not a C# keyword (reserved or contextual). Stricter than C# on purpose:
    /// no escapes, no '@', no format characters, so the name reads as it compiles.
    /// </summary>
    public static bool IsTypeName(string name)
    {
        if (string.IsNullOrEmpty(name) || !(char.IsLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return System.Array.IndexOf(CSharpKeywords, name) < 0;
    }

    // Every C# keyword, reserved and contextual, and the identifiers C# gives a meaning in places (var,
    // dynamic, nint, …); a test compares the list with Roslyn's.
    private static readonly string[] CSharpKeywords =
    [
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock", "long",
        "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected", "public",
        "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string", "struct",
        "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using",
        "virtual", "void", "volatile", "while",
        "add", "alias", "allows", "and", "args", "ascending", "assembly", "async", "await", "by", "descending", "dynamic",
        "equals", "extension", "field", "file", "from", "get", "global", "group", "init", "into", "join", "let", "managed",
        "module", "nameof", "nint", "not", "notnull", "nuint", "on", "or", "orderby", "partial", "record", "remove",
        "method", "param", "property", "required", "scoped", "select", "set", "type", "typevar", "unmanaged", "value", "var", "when", "where", "with", "yield",
    ];

    // Upper case only, as EncodeName writes.
    private static int? HexDigit(char c) => c is >= '0' and <= '9' ? c - '0' : c is >= 'A' and <= 'F' ? c - 'A' + 10 : null;

    private static bool NeedsEncoding(char c) =>
        c == '%' || char.IsWhiteSpace(c) || char.IsControl(c)
        || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format;

    private static string Sha256Hex(string text)
    {
#if SPARSIFY_LINKED_SOURCE
        using var sha = System.Security.Cryptography.SHA256.Create();
        var hash = sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(text));
#else
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text));
#endif
        var hex = new System.Text.StringBuilder(hash.Length * 2);
        foreach (var b in hash)
        {
            hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }
}
