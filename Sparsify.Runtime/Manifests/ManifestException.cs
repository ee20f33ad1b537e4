using System;

namespace Sparsify.Runtime.Manifests;

/// <summary>What kind of problem made a manifest unreadable; the generator reports each kind as its own diagnostic.</summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
enum ManifestProblem
{
    /// <summary>The first line is not a manifest's signature.</summary>
    NotAManifest,

    /// <summary>A format version other than the one this Sparsify reads: the model must be rebuilt.</summary>
    UnsupportedVersion,

    /// <summary>A line that does not read as the format says.</summary>
    Malformed,

    /// <summary>A layer of an op the manifest cannot hold.</summary>
    UnknownOp,

    /// <summary>A layer that reads but does not fit its op, plan or graph.</summary>
    InvalidLayer,

    /// <summary>An execution step that reads but does not fit the layers or the other steps.</summary>
    InvalidStep,

    /// <summary>Well-formed lines whose digest does not hold: edited after Sparsify wrote them.</summary>
    Edited,
}

/// <summary>A manifest that cannot be read, with the line (0-based) and, for a layer's problem, the layer.</summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed class ManifestException : FormatException
{
    /// <summary>Creates the exception; the message names the line (1-based) and the problem.</summary>
    /// <param name="problem">The kind of problem.</param>
    /// <param name="line">The 0-based line it was found at.</param>
    /// <param name="detail">What is wrong, in a sentence.</param>
    /// <param name="layer">The layer it belongs to, or null.</param>
    public ManifestException(ManifestProblem problem, int line, string detail, string? layer = null)
        : base(FormattableString.Invariant($"Sparsify manifest, line {line + 1}: {(layer is null ? string.Empty : $"layer '{layer}': ")}{detail}"))
    {
        Problem = problem;
        Line = line;
        Detail = detail;
        Layer = layer;
    }

    /// <summary>The kind of problem.</summary>
    public ManifestProblem Problem { get; }

    /// <summary>The 0-based line.</summary>
    public int Line { get; }

    /// <summary>What is wrong, without the line.</summary>
    public string Detail { get; }

    /// <summary>The layer the problem belongs to, or null.</summary>
    public string? Layer { get; }
}
