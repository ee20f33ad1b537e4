using Sparsify.Runtime.Formats;

namespace Sparsify.Runtime.Blob;

/// <summary>How an array of the weight blob is laid out. Values are written into blob and manifest: never change them.</summary>
public enum BlobFormat
{
    /// <summary>Raw little-endian fp32 values, row-major.</summary>
    Fp32 = 0,

    /// <summary>An <see cref="EncodedLayer"/> in <see cref="EncodedFormat.Csr"/> (its own header and CRC).</summary>
    Csr = 1,

    /// <summary>An <see cref="EncodedLayer"/> in <see cref="EncodedFormat.Pe"/>.</summary>
    Pe = 2,

    /// <summary>An <see cref="EncodedLayer"/> in <see cref="EncodedFormat.Group"/>.</summary>
    Group = 3,
}

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

/// <summary>Where an array lives in the weight blob.</summary>
/// <param name="Offset">Byte offset from the blob's start (16-byte aligned).</param>
/// <param name="Length">Bytes.</param>
/// <param name="Format">How the bytes are laid out.</param>
public sealed record BlobLocation(long Offset, long Length, BlobFormat Format);
