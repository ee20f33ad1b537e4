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

    /// <summary>The newest format version; writers write it, readers refuse newer ones.</summary>
    public const int CurrentVersion = 1;

    /// <summary>
    /// True for a name (model, layer, value, attribute, op) the line format can carry: not empty, and no
    /// whitespace (which separates values), control or format characters (line ends, bidirectional overrides).
    /// </summary>
    public static bool IsName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            {
                return false;
            }
        }

        return true;
    }
}
