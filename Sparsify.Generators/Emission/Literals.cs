using System.Globalization;
using System.Text;
using Sparsify.Generators.Parsing;

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
    public static string Float(uint bits) => Float(BitConverterCompat.ToSingle(bits));

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

    public static string String(string value)
    {
        var s = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': s.Append("\\\""); break;
                case '\\': s.Append("\\\\"); break;
                case '\n': s.Append("\\n"); break;
                case '\r': s.Append("\\r"); break;
                default:
                    if (c < ' ')
                    {
                        s.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        s.Append(c);
                    }

                    break;
            }
        }

        return s.Append('"').ToString();
    }

    /// <summary>Text safe inside an XML doc comment or a line comment.</summary>
    public static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\n", " ").Replace("\r", " ");

    public static string IntArray(System.Collections.Generic.IEnumerable<int> values) => "[" + string.Join(", ", System.Linq.Enumerable.Select(values, Int)) + "]";
}
