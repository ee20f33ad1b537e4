using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Model;

/// <summary>
/// Everything the emitter needs about one manifest: the manifest as its one reader read it, and the build's
/// settings. Immutable and equatable, no Roslyn symbols.
/// </summary>
/// <param name="Namespace">Namespace of the generated class; empty for the global namespace.</param>
/// <param name="ResourceName">The manifest resource that holds the weight blob.</param>
/// <param name="Manifest">The manifest.</param>
/// <param name="Lines">Where its parts are, for diagnostics (never emitted).</param>
/// <param name="FilePath">The manifest's path, for diagnostics about the whole model (never emitted).</param>
internal sealed record ModelSpec(string Namespace, string ResourceName, Manifest Manifest, ManifestLines Lines, string FilePath)
{
    /// <summary>The class name.</summary>
    public string ClassName => Manifest.ClassName;

    /// <summary>The model's name.</summary>
    public string ModelName => Manifest.Model;

    /// <summary>The blob's SHA-256, lowercase hex.</summary>
    public string BlobSha256 => Manifest.BlobSha256;

    /// <summary>The blob's length in bytes.</summary>
    public long BlobLength => Manifest.BlobLength;

    /// <summary>Graph inputs in order.</summary>
    public EquatableList<ManifestValue> Inputs => Manifest.Inputs;

    /// <summary>Graph outputs in order.</summary>
    public EquatableList<ManifestValue> Outputs => Manifest.Outputs;

    /// <summary>Layers in execution order.</summary>
    public EquatableList<ManifestLayer> Layers => Manifest.Layers;
}

/// <summary>What parsing one manifest produced: a model, or diagnostics, or both (warnings).</summary>
internal sealed record ManifestResult(ModelSpec? Model, EquatableList<DiagnosticInfo> Diagnostics);

/// <summary>A diagnostic kept as plain data (a <c>Location</c> is not equatable across runs).</summary>
internal sealed record DiagnosticInfo(string Id, string FilePath, int Line, int LineLength, EquatableList<string> Arguments);
