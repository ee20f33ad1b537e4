namespace Sparsify.Runtime.Blob;

// Part of the manifest's schema: the generator compiles this file as linked source.

/// <summary>How an array of the weight blob is laid out. Values are written into blob and manifest: never change them.</summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
enum BlobFormat
{
    /// <summary>Raw little-endian fp32 values, row-major.</summary>
    Fp32 = 0,

    /// <summary>An encoded layer (Sparsify.Runtime.Formats) in CSR (its own header and CRC).</summary>
    Csr = 1,

    /// <summary>An encoded layer in the PE format.</summary>
    Pe = 2,

    /// <summary>An encoded layer in the group format.</summary>
    Group = 3,
}

/// <summary>Where an array lives in the weight blob.</summary>
/// <param name="Offset">Byte offset from the blob's start (16-byte aligned).</param>
/// <param name="Length">Bytes.</param>
/// <param name="Format">How the bytes are laid out.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record BlobLocation(long Offset, long Length, BlobFormat Format);
