using System.Globalization;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Hardware.Gpu;

/// <summary>Reads the attributes of one manifest layer (the text the compiler writes for each op).</summary>
internal sealed class ManifestAttributes(ManifestLayer layer)
{
    public string Text(string name) =>
        layer.Attributes.FirstOrDefault(a => a.Name == name)?.Value
        ?? throw new FormatException($"layer '{layer.Name}' ({layer.Op}) has no attribute '{name}'");

    public string? TextOrNull(string name) => layer.Attributes.FirstOrDefault(a => a.Name == name)?.Value;

    public int Int(string name) => ParseInt(Text(name), name);

    public bool Bool(string name) => Text(name) switch
    {
        "true" => true,
        "false" => false,
        var v => throw Bad(name, v),
    };

    /// <summary>An <c>AxB</c> pair such as <c>kernel 5x5</c>.</summary>
    public (int First, int Second) Pair(string name)
    {
        var parts = Text(name).Split('x');
        return parts.Length == 2 ? (ParseInt(parts[0], name), ParseInt(parts[1], name)) : throw Bad(name, Text(name));
    }

    /// <summary>The <c>pads</c> attribute: top, left, bottom, right.</summary>
    public (int Top, int Left, int Bottom, int Right) Pads()
    {
        var parts = Text("pads").Split(',');
        return parts.Length == 4
            ? (ParseInt(parts[0], "pads"), ParseInt(parts[1], "pads"), ParseInt(parts[2], "pads"), ParseInt(parts[3], "pads"))
            : throw Bad("pads", Text("pads"));
    }

    /// <summary>A float written as <c>decimal/0xBITS</c>; the bits are exact and win.</summary>
    public float Float(string name)
    {
        var text = Text(name);
        var slash = text.IndexOf("/0x", StringComparison.Ordinal);
        if (slash >= 0 && uint.TryParse(text.AsSpan(slash + 3), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bits))
        {
            return BitConverter.UInt32BitsToSingle(bits);
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw Bad(name, text);
    }

    private int ParseInt(string text, string name) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(name, text);

    private FormatException Bad(string name, string value) =>
        new($"layer '{layer.Name}' ({layer.Op}): attribute '{name}' has an unreadable value '{value}'");
}
