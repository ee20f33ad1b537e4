using System;
using System.Globalization;

namespace Sparsify.Runtime.Manifests;

/// <summary>How the manifest writes a float exactly: <c>DECIMAL/0xBITS</c>, the decimal for people, the bits for readers.</summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
static class ManifestNumbers
{
    /// <summary>The float as <c>DECIMAL/0xBITS</c> (8 lowercase hex digits).</summary>
    public static string Format(float value) =>
        value.ToString("R", CultureInfo.InvariantCulture) + "/0x" + Bits(value).ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>Reads what <see cref="Format"/> wrote; the bits decide, the decimal is not read.</summary>
    public static bool TryParse(string text, out float value)
    {
        value = 0;
        var slash = text.IndexOf("/0x", StringComparison.Ordinal);
        // Substring, not a span: the generator compiles this file for netstandard2.0.
#pragma warning disable CA1846
        if (slash <= 0 || text.Length - slash - 3 != 8 || !IsLowerHex(text, slash + 3)
            || !uint.TryParse(text.Substring(slash + 3), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bits))
#pragma warning restore CA1846
        {
            return false;
        }

        value = FromBits(bits);
        return true;
    }

    /// <summary>The float with IEEE-754 bits <paramref name="bits"/>.</summary>
    public static float FromBits(uint bits) => BitConverter.ToSingle(BitConverter.GetBytes(bits), 0);

    /// <summary>The IEEE-754 bits of <paramref name="value"/>.</summary>
    public static uint Bits(float value) => BitConverter.ToUInt32(BitConverter.GetBytes(value), 0);

    /// <summary>Whether every character of <paramref name="text"/> from <paramref name="start"/> on is 0-9 or a-f (and there is one).</summary>
    public static bool IsLowerHex(string text, int start = 0)
    {
        if (start >= text.Length)
        {
            return false;
        }

        for (var i = start; i < text.Length; i++)
        {
            if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
