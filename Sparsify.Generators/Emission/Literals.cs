using System.Globalization;
using System.Text;

namespace Sparsify.Generators.Emission;

/// <summary>C# literals that round-trip exactly.</summary>
internal static class Literals
{
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Long(long value) => value.ToString(CultureInfo.InvariantCulture) + "L";

    public static string Bool(bool value) => value ? "true" : "false";

    public static string Double(double value) => double.IsNaN(value) || double.IsInfinity(value)
        ? "double.NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The float with its exact bits: shortest round-trip text, else nine significant digits.</summary>
    public static string Float(uint bits) => Float(Sparsify.Runtime.Manifests.ManifestNumbers.FromBits(bits));

    public static string Float(float value)
    {
        if (float.IsNaN(value))
        {
            return "float.NaN";
        }

        if (float.IsInfinity(value))
        {
            return value > 0 ? "float.PositiveInfinity" : "float.NegativeInfinity";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (float.Parse(text, CultureInfo.InvariantCulture) != value)
        {
            text = value.ToString("G9", CultureInfo.InvariantCulture);
        }

        return text + "f";
    }

    /// <summary>
    /// A regular C# string literal holding <paramref name="value"/> exactly. Only printable ASCII other than
    /// the quote and the backslash appears as itself; everything else is a <c>\uXXXX</c> escape, so no
    /// model text can end the literal or the line (C# also ends lines at U+0085, U+2028 and U+2029).
    /// </summary>
    public static string String(string value)
    {
        var s = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c == '"' || c == '\\')
            {
                s.Append('\\').Append(c);
            }
            else if (c >= ' ' && c <= '~')
            {
                s.Append(c);
            }
            else
            {
                AppendEscape(s, c);
            }
        }

        return s.Append('"').ToString();
    }

    /// <summary>
    /// Text for the rest of a <c>//</c> line comment. Letters, digits, punctuation and symbols stay readable;
    /// control and format characters (line ends, bidirectional overrides), separators other than the space and
    /// unpaired surrogates become the text <c>\uXXXX</c>, so model text can neither end the comment nor
    /// change how the line is displayed.
    /// </summary>
    public static string Comment(string text)
    {
        var s = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) && IsVisible(CharUnicodeInfo.GetUnicodeCategory(text, i)))
            {
                s.Append(c).Append(text[++i]);
            }
            else if (c == ' ' || (c < 128 ? c > ' ' && c < 127 : IsVisible(CharUnicodeInfo.GetUnicodeCategory(c))))
            {
                s.Append(c);
            }
            else
            {
                AppendEscape(s, c);
            }
        }

        return s.ToString();
    }

    /// <summary>Text for an XML doc comment's element content: <see cref="Comment"/> with the XML markup characters as entities.</summary>
    public static string XmlDoc(string text) =>
        Comment(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    public static string IntArray(System.Collections.Generic.IEnumerable<int> values) => "[" + string.Join(", ", System.Linq.Enumerable.Select(values, Int)) + "]";

    private static void AppendEscape(StringBuilder s, char c) =>
        s.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));

    private static bool IsVisible(UnicodeCategory category) => category switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.SpaceSeparator => false,
        _ => true,
    };
}
