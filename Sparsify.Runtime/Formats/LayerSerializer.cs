using System.Buffers.Binary;

namespace Sparsify.Runtime.Formats;

/// <summary>
/// Writes and reads one encoded layer: a <see cref="LayerHeader"/> then the format's payload
/// (pointers, indices, values, little-endian). Reading checks everything before trusting it and
/// reports any problem as <see cref="InvalidDataException"/> with a message that says what is wrong.
/// </summary>
internal static class LayerSerializer
{
    public const int HeaderLength = LayerHeader.Length;

    public static void Write(EncodedLayer layer, int parameter, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);

        // The payload is built in memory first: the header carries its length and a checksum.
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            layer.WritePayload(writer);
        }

        var header = new LayerHeader(
            layer.Format, layer.IndexEncoding, layer.IndexBits, layer.Rows, layer.Columns, parameter, layer.NonZeros,
            layer.StoredEntries, layer.StoredValues, layer.PaddingEntries, layer.ExplicitZeros, checked((int)payload.Length));
        Span<byte> headerBytes = stackalloc byte[HeaderLength];
        header.WriteTo(headerBytes);
        var body = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        var crc = Crc32.Append(Crc32.Append(0, headerBytes[..LayerHeader.ChecksumOffset]), body);
        BinaryPrimitives.WriteUInt32LittleEndian(headerBytes[LayerHeader.ChecksumOffset..], crc);
        stream.Write(headerBytes);
        stream.Write(body);
    }

    public static EncodedLayer Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var headerBytes = new byte[HeaderLength];
        var got = stream.ReadAtLeast(headerBytes, HeaderLength, throwOnEndOfStream: false);
        if (got < HeaderLength)
        {
            throw Corrupt(got == 0
                ? "the stream ended where a layer header was expected (truncated)"
                : $"truncated: the header needs {HeaderLength} bytes, the stream ended after {got}");
        }

        var header = LayerHeader.Parse(headerBytes);
        if (stream.CanSeek && stream.Length - stream.Position < header.PayloadLength)
        {
            throw Corrupt($"truncated: the {header.Format} payload needs {header.PayloadLength} bytes, the stream has {stream.Length - stream.Position} left");
        }

        var payload = new byte[header.PayloadLength];
        got = stream.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false);
        if (got < payload.Length)
        {
            throw Corrupt($"truncated: the {header.Format} payload needs {payload.Length} bytes, the stream ended after {got}");
        }

        var expected = BinaryPrimitives.ReadUInt32LittleEndian(headerBytes.AsSpan(LayerHeader.ChecksumOffset));
        var actual = Crc32.Append(Crc32.Append(0, headerBytes.AsSpan(0, LayerHeader.ChecksumOffset)), payload);
        if (actual != expected)
        {
            throw Corrupt($"checksum mismatch (stored 0x{expected:X8}, computed 0x{actual:X8}): the {header.Format} layer's bytes were altered");
        }

        var reader = new PayloadReader(payload);
        EncodedLayer layer = header.Format switch
        {
            EncodedFormat.Csr => CsrLayer.ReadPayload(header, ref reader),
            EncodedFormat.Pe => PeLayer.ReadPayload(header, ref reader),
            _ => GroupLayer.ReadPayload(header, ref reader),
        };
        if (reader.Remaining != 0)
        {
            throw Corrupt($"{reader.Remaining} bytes left over after the {header.Format} payload");
        }

        header.CheckMatches(layer, layer.PartitionParameterValue);

        return layer;
    }

    /// <summary>The one exception type bad layer data produces.</summary>
    public static InvalidDataException Corrupt(string problem, Exception? inner = null) =>
        new($"corrupt Sparsify encoded layer: {problem}", inner);

    /// <summary>Throws unless the header's index fields are the ones a format reads its indices with.</summary>
    public static void ExpectIndices(in LayerHeader header, IndexEncoding encoding, int bits)
    {
        if (header.Encoding != encoding || header.IndexBits != bits)
        {
            throw Corrupt($"a {header.Format} layer of {header.Columns} columns has {encoding} {bits}-bit indices, the header says {header.Encoding} {header.IndexBits}-bit");
        }
    }
}
