using System.Buffers.Binary;

namespace Sparsify.Runtime.Formats;

/// <summary>
/// The fixed header in front of every serialized layer. Layout (little-endian, 52 bytes):
/// <code>
/// offset size field
///  0     4    magic "SPFM" (bytes 53 50 46 4D)
///  4     2    version (1)
///  6     1    format id (1 CSR, 2 PE, 3 group)
///  7     1    index encoding (0 absolute, 1 relative)
///  8     1    index bits (absolute: 8/16/32; relative: 1..16)
///  9     1    value bits (32: fp32 values; other widths reserved)
/// 10     2    reserved, 0
/// 12     4    rows
/// 16     4    columns
/// 20     4    partition parameter (CSR 0, PE: P, group: G)
/// 24     4    nonzeros (kept weights)
/// 28     4    stored entries (index entries, padding included)
/// 32     4    stored values
/// 36     4    padding entries
/// 40     4    explicit zeros
/// 44     4    payload length in bytes
/// 48     4    CRC-32 of bytes 0..47 and the payload
/// </code>
/// </summary>
internal readonly record struct LayerHeader(
    EncodedFormat Format,
    IndexEncoding Encoding,
    int IndexBits,
    int Rows,
    int Columns,
    int Parameter,
    int NonZeros,
    int StoredEntries,
    int StoredValues,
    int PaddingEntries,
    int ExplicitZeros,
    int PayloadLength)
{
    public const int Length = 52;
    public const int ChecksumOffset = 48;
    public const uint Magic = 0x4D465053; // "SPFM" as little-endian bytes
    public const ushort CurrentVersion = 1;
    public const int ValueBits = 32;

    public void WriteTo(Span<byte> header)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], CurrentVersion);
        header[6] = (byte)Format;
        header[7] = (byte)Encoding;
        header[8] = (byte)IndexBits;
        header[9] = ValueBits;
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], 0);
        ReadOnlySpan<int> fields = [Rows, Columns, Parameter, NonZeros, StoredEntries, StoredValues, PaddingEntries, ExplicitZeros, PayloadLength];
        for (var i = 0; i < fields.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(header[(12 + (4 * i))..], fields[i]);
        }
    }

    /// <summary>Parses and checks everything that can be checked without the payload.</summary>
    public static LayerHeader Parse(ReadOnlySpan<byte> header)
    {
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (magic != Magic)
        {
            throw LayerSerializer.Corrupt($"not a Sparsify encoded layer (magic 0x{magic:X8}, expected 0x{Magic:X8} \"SPFM\")");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        if (version > CurrentVersion)
        {
            throw new InvalidDataException($"Sparsify encoded layer of format version {version} is newer than this reader (version {CurrentVersion}); use a Sparsify at least as new as the one that wrote it");
        }

        if (version == 0)
        {
            throw LayerSerializer.Corrupt("format version 0 does not exist");
        }

        var format = (EncodedFormat)header[6];
        if (format is not (EncodedFormat.Csr or EncodedFormat.Pe or EncodedFormat.Group))
        {
            throw LayerSerializer.Corrupt($"unknown format id {header[6]} (1 CSR, 2 PE, 3 group)");
        }

        var encoding = (IndexEncoding)header[7];
        if (encoding is not (IndexEncoding.Absolute or IndexEncoding.Relative))
        {
            throw LayerSerializer.Corrupt($"unknown index encoding {header[7]} (0 absolute, 1 relative)");
        }

        if (header[9] != ValueBits || BinaryPrimitives.ReadUInt16LittleEndian(header[10..]) != 0)
        {
            throw LayerSerializer.Corrupt($"unsupported value width {header[9]} bits or nonzero reserved field (expected 32-bit values)");
        }

        var f = new int[9];
        for (var i = 0; i < f.Length; i++)
        {
            f[i] = BinaryPrimitives.ReadInt32LittleEndian(header[(12 + (4 * i))..]);
        }

        var parsed = new LayerHeader(format, encoding, header[8], f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]);
        parsed.CheckCounts();
        return parsed;
    }

    /// <summary>Throws unless the layer built from the payload has exactly the counts the header announced.</summary>
    public void CheckMatches(EncodedLayer layer, int parameter)
    {
        if (Parameter != parameter || Encoding != layer.IndexEncoding || IndexBits != layer.IndexBits || NonZeros != layer.NonZeros
            || StoredEntries != layer.StoredEntries || StoredValues != layer.StoredValues
            || PaddingEntries != layer.PaddingEntries || ExplicitZeros != layer.ExplicitZeros)
        {
            throw LayerSerializer.Corrupt(
                $"the {Format} header (parameter {Parameter}, {Encoding} {IndexBits}-bit indices, nonzeros {NonZeros}, entries {StoredEntries}, values {StoredValues}, padding {PaddingEntries}, explicit zeros {ExplicitZeros}) " +
                $"disagrees with its payload (parameter {parameter}, {layer.IndexEncoding} {layer.IndexBits}-bit indices, nonzeros {layer.NonZeros}, entries {layer.StoredEntries}, values {layer.StoredValues}, padding {layer.PaddingEntries}, explicit zeros {layer.ExplicitZeros})");
        }
    }

    private void CheckCounts()
    {
        if (Rows <= 0 || Columns <= 0 || (long)Rows * Columns > Array.MaxLength)
        {
            throw LayerSerializer.Corrupt($"impossible shape {Rows}x{Columns}");
        }

        var weights = (long)Rows * Columns;
        if (Parameter < 0 || NonZeros < 0 || StoredEntries < 0 || StoredValues < 0 || PaddingEntries < 0 || ExplicitZeros < 0 || PayloadLength < 0
            || NonZeros > weights || StoredValues > weights || StoredEntries > StoredValues || PaddingEntries > StoredEntries
            || (long)NonZeros + ExplicitZeros > StoredValues)
        {
            throw LayerSerializer.Corrupt(
                $"inconsistent counts for a {Rows}x{Columns} layer: nonzeros {NonZeros}, stored entries {StoredEntries}, stored values {StoredValues}, padding {PaddingEntries}, explicit zeros {ExplicitZeros}, payload {PayloadLength} bytes");
        }

        if (Encoding == IndexEncoding.Relative && IndexBits is < IndexCodec.MinRelativeBits or > IndexCodec.MaxRelativeBits)
        {
            throw LayerSerializer.Corrupt($"relative index bits {IndexBits} outside {IndexCodec.MinRelativeBits}..{IndexCodec.MaxRelativeBits}");
        }

        // The payload is pointers + indices + values; an upper bound keeps a corrupt length from
        // allocating gigabytes before the checksum can reject it.
        var bound = (4L * (Rows + 1)) + (4L * StoredEntries) + (4L * StoredValues) + Rows + 8;
        if (PayloadLength > bound)
        {
            throw LayerSerializer.Corrupt($"payload length {PayloadLength} exceeds the {bound} bytes a {Rows}x{Columns} layer with {StoredValues} values can need");
        }
    }
}
