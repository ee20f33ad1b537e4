namespace Sparsify.Runtime.Blob;

/// <summary>
/// The weight blob's layout: little-endian; a 16-byte header (magic <c>SPWB</c>, u16 version, u16 0,
/// i32 entry count, i32 0), a table of contents (per entry: u16 name length, UTF-8 name, u8 kind,
/// u8 format, i64 offset, i64 length), then every array at a 16-byte aligned offset so the run time
/// can view raw fp32 arrays in place with aligned SIMD loads.
/// </summary>
public static class WeightBlobLayout
{
    /// <summary>The magic number, "SPWB" as little-endian bytes.</summary>
    public const uint Magic = 0x42575053;

    /// <summary>The newest blob format version; writers write it, readers accept it and older ones.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>Alignment of every array.</summary>
    public const int Alignment = 16;

    /// <summary>Length of the fixed header.</summary>
    public const int HeaderLength = 16;
}
