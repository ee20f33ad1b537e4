namespace Sparsify.Runtime.Manifests;

/// <summary>The constants of the manifest text format that the writer and <see cref="ManifestReader"/> share.</summary>
public static class ManifestFormat
{
    /// <summary>The first line's keyword.</summary>
    public const string Signature = "sparsify-manifest";

    /// <summary>The newest format version; writers write it, readers refuse newer ones.</summary>
    public const int CurrentVersion = 1;
}
