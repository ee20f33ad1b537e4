using System.Reflection;
using System.Security.Cryptography;

namespace Sparsify.Runtime.Blob;

/// <summary>Loads the weight blob that the build embedded in an assembly, checked against the manifest the code came from.</summary>
public static class EmbeddedWeights
{
    /// <summary>
    /// Reads manifest resource <paramref name="resourceName"/> of <paramref name="assembly"/> once,
    /// checks its length and SHA-256 (lowercase hex) against what the generated code expects, and parses it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The resource is missing, or its length or hash differs.</exception>
    public static WeightBlobReader Load(Assembly assembly, string resourceName, long expectedLength, string expectedSha256)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(resourceName);
        ArgumentNullException.ThrowIfNull(expectedSha256);
        using var stream = assembly.GetManifestResourceStream(resourceName) ?? throw Missing(assembly, resourceName);
        var name = assembly.GetName().Name;
        if (stream.Length != expectedLength)
        {
            throw new InvalidOperationException(
                $"The weight blob embedded in {name} as '{resourceName}' does not match the manifest the code was generated from: it holds {stream.Length} bytes, the manifest says {expectedLength}; rebuild.");
        }

        var blob = new byte[stream.Length];
        stream.ReadExactly(blob);
        var actual = Convert.ToHexStringLower(SHA256.HashData(blob));
        if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"The weight blob embedded in {name} as '{resourceName}' does not match the manifest the code was generated from: its SHA-256 is {actual}, the manifest says {expectedSha256}; rebuild.");
        }

        return new WeightBlobReader(blob);
    }

    private static InvalidOperationException Missing(Assembly assembly, string resourceName)
    {
        var blobs = assembly.GetManifestResourceNames().Where(n => n.EndsWith(".weights.bin", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        var present = blobs.Length == 0 ? "it embeds no resource ending in .weights.bin" : $"it embeds {string.Join(", ", blobs.Select(b => $"'{b}'"))}";
        return new InvalidOperationException(
            $"{assembly.GetName().Name} has no embedded resource '{resourceName}' holding the model's weights ({present}); check that the model item is compiled into this project, then rebuild.");
    }
}
