using System.Buffers.Binary;

namespace Sparsify.Runtime.Formats;

/// <summary>
/// A bounds-checked little-endian reader over a layer's payload: every read that would run past the
/// end throws <see cref="InvalidDataException"/> naming what was being read, never an IndexOutOfRange.
/// </summary>
internal ref struct PayloadReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public PayloadReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public int[] ReadInt32s(int count, string what)
    {
        var bytes = Take((long)count * 4, what);
        var result = new int[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * 4)..]);
        }

        return result;
    }

    public float[] ReadSingles(int count, string what)
    {
        var bytes = Take((long)count * 4, what);
        var result = new float[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
        }

        return result;
    }

    public int[] ReadAbsolute(int count, int bits, string what)
    {
        var width = bits / 8;
        var bytes = Take((long)count * width, what);
        var result = new int[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = width switch
            {
                1 => bytes[i],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]),
                _ => BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * 4)..]),
            };
        }

        return result;
    }

    /// <summary>Unpacks <paramref name="destination"/>.Length indices of one partition's packed run.</summary>
    public void ReadPacked(Span<int> destination, int bits, string what)
    {
        var bytes = Take(IndexCodec.PackedBytes(destination.Length, bits), what);
        IndexCodec.Unpack(bytes, bits, destination);
    }

    private ReadOnlySpan<byte> Take(long length, string what)
    {
        if (length > Remaining)
        {
            throw LayerSerializer.Corrupt($"the payload ends before the {what} ({length} bytes needed, {Remaining} left)");
        }

        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }
}
