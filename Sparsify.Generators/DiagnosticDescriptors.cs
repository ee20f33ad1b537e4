using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Sparsify.Generators;

/// <summary>Every diagnostic the generator reports. Ids are stable: never renumber or reuse one.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Sparsify";

    /// <summary>The file is marked as a manifest but does not start with the signature.</summary>
    public static readonly DiagnosticDescriptor NotAManifest = new(
        "SPRS2001", "Not a Sparsify manifest", "'{0}' is not a Sparsify manifest: the first line must be 'sparsify-manifest <version>', found '{1}'",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>A manifest written by another version of Sparsify (an older one wrote a format without typed parameters).</summary>
    public static readonly DiagnosticDescriptor UnsupportedVersion = new(
        "SPRS2002", "Unsupported manifest version", "Manifest format version {0} is not the one this generator reads ({1}); rebuild the model with the same Sparsify package (the compile step reruns when the package changes)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>A line that cannot be read.</summary>
    public static readonly DiagnosticDescriptor CorruptLine = new(
        "SPRS2003", "Corrupt manifest line", "Cannot read manifest line: {0}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>The class name is not a C# identifier.</summary>
    public static readonly DiagnosticDescriptor InvalidClassName = new(
        "SPRS2004", "Invalid class name", "Class name '{0}' is not a valid C# identifier; set the model's class name to one",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>An op this generator has no emitter for.</summary>
    public static readonly DiagnosticDescriptor UnknownOp = new(
        "SPRS2005", "Unsupported operator", "Layer '{0}' cannot be emitted: {1}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>A layer whose plan, format or attributes do not fit together.</summary>
    public static readonly DiagnosticDescriptor InvalidLayer = new(
        "SPRS2006", "Inconsistent layer", "Layer '{0}' cannot be emitted: {1}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>The namespace is not a dotted C# name.</summary>
    public static readonly DiagnosticDescriptor InvalidNamespace = new(
        "SPRS2007", "Invalid namespace", "Namespace '{0}' is not a valid C# namespace name",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>Unrolled convolutions need pointer code.</summary>
    public static readonly DiagnosticDescriptor UnsafeRequired = new(
        "SPRS2008", "Unsafe code required", "Model '{0}' has unrolled convolution layers, whose generated code uses pointers: set <AllowUnsafeBlocks>true</AllowUnsafeBlocks> in the project",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>Two manifests generate the same class.</summary>
    public static readonly DiagnosticDescriptor DuplicateClass = new(
        "SPRS2009", "Duplicate model class", "Another manifest already generates class '{0}'; give one of the models another class name or namespace",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>The manifest's digest does not match its text: edited by hand (or by anything but Sparsify).</summary>
    public static readonly DiagnosticDescriptor EditedManifest = new(
        "SPRS2010", "Edited manifest", "Manifest '{0}' was changed after Sparsify wrote it (its last line is not the digest of the lines before it); a hand edit would give a different model than the one compiled: rebuild the model instead (delete the manifest or touch the model file)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>The manifest came from a model file no model item holds any more.</summary>
    public static readonly DiagnosticDescriptor StaleManifest = new(
        "SPRS2011", "Stale manifest", "Manifest '{0}' was compiled from a model file whose content no SparsifyModel item has any more (its SHA-256 differs): the model changed but its compile step did not run (a file restored with an older time stamp, for one): rebuild the model (touch the model file or delete the manifest)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>All descriptors by id.</summary>
    public static readonly IReadOnlyDictionary<string, DiagnosticDescriptor> ById = new[]
    {
        NotAManifest, UnsupportedVersion, CorruptLine, InvalidClassName, UnknownOp, InvalidLayer, InvalidNamespace, UnsafeRequired, DuplicateClass, EditedManifest, StaleManifest,
    }.ToDictionary(d => d.Id);
}
