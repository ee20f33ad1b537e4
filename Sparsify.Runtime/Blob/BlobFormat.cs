using Sparsify.Runtime.Formats;

namespace Sparsify.Runtime.Blob;

/// <summary>Which array of a layer a blob entry holds.</summary>
public enum BlobArrayKind
{
    /// <summary>The weight matrix.</summary>
    Weights = 0,

    /// <summary>The bias vector.</summary>
    Bias = 1,
}

/// <summary>One entry of the blob's table of contents.</summary>
/// <param name="Layer">The layer's name.</param>
/// <param name="Kind">Weights or bias.</param>
/// <param name="Location">Where the bytes are and how they are laid out.</param>
public sealed record BlobEntry(string Layer, BlobArrayKind Kind, BlobLocation Location);
