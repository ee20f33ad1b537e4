using System.Runtime.InteropServices;

namespace Sparsify.Runtime.Formats;

/// <summary>Little-endian writers for the payload arrays; the widths here are the ones the byte accounting counts.</summary>
internal static class PayloadIo
{
    public static void WriteInt32s(BinaryWriter writer, ReadOnlySpan<int> values)
    {
        // BinaryWriter is little-endian on every platform; bulk-write when the host is too.
        if (BitConverter.IsLittleEndian)
        {
            writer.Write(MemoryMarshal.AsBytes(values));
            return;
        }

        foreach (var v in values)
        {
            writer.Write(v);
        }
    }

    public static void WriteSingles(BinaryWriter writer, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            writer.Write(MemoryMarshal.AsBytes(values));
            return;
        }

        foreach (var v in values)
        {
            writer.Write(v);
        }
    }

    /// <summary>Absolute indices at 8, 16 or 32 bits each.</summary>
    public static void WriteAbsolute(BinaryWriter writer, ReadOnlySpan<int> indices, int bits)
    {
        switch (bits)
        {
            case 8:
                foreach (var i in indices)
                {
                    writer.Write((byte)i);
                }

                break;
            case 16:
                foreach (var i in indices)
                {
                    writer.Write((ushort)i);
                }

                break;
            default:
                WriteInt32s(writer, indices);
                break;
        }
    }

    /// <summary>Relative indices bit-packed, one packed run per partition so each starts on a byte boundary.</summary>
    public static void WritePacked(BinaryWriter writer, ReadOnlySpan<int> indices, int bits)
    {
        var packed = new byte[IndexCodec.PackedBytes(indices.Length, bits)];
        IndexCodec.Pack(indices, bits, packed);
        writer.Write(packed);
    }
}
