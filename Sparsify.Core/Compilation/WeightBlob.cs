using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Sparsify.Core.Formats;

namespace Sparsify.Core.Compilation;

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

/// <summary>
/// Builds the weight blob: little-endian; a 16-byte header (magic <c>SPWB</c>, u16 version, u16 0,
/// i32 entry count, i32 0), a table of contents (per entry: u16 name length, UTF-8 name, u8 kind,
/// u8 format, i64 offset, i64 length), then every array at a 16-byte aligned offset so the run time
/// can view raw fp32 arrays in place with aligned SIMD loads.
/// </summary>
public sealed class WeightBlobWriter
{
    /// <summary>The magic number, "SPWB" as little-endian bytes.</summary>
    public const uint Magic = 0x42575053;

    /// <summary>The blob format version written.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>Alignment of every array.</summary>
    public const int Alignment = 16;

    private readonly List<(string Layer, BlobArrayKind Kind, BlobFormat Format, byte[] Bytes)> _arrays = [];

    /// <summary>Adds raw fp32 values.</summary>
    public void AddFloats(string layer, BlobArrayKind kind, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        _arrays.Add((layer, kind, BlobFormat.Fp32, bytes));
    }

    /// <summary>Adds an encoded layer's weights (written with <see cref="EncodedLayer.Write"/>).</summary>
    public void AddEncoded(string layer, EncodedLayer encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        using var stream = new MemoryStream();
        encoded.Write(stream);
        _arrays.Add((layer, BlobArrayKind.Weights, (BlobFormat)(int)encoded.Format, stream.ToArray()));
    }

    /// <summary>Lays the arrays out and returns the blob and its table of contents.</summary>
    public (byte[] Blob, IReadOnlyList<BlobEntry> Entries) Build()
    {
        var tocLength = _arrays.Sum(a => 2 + Encoding.UTF8.GetByteCount(a.Layer) + 18);
        long offset = Align(16 + tocLength);
        var entries = new List<BlobEntry>(_arrays.Count);
        foreach (var a in _arrays)
        {
            entries.Add(new BlobEntry(a.Layer, a.Kind, new BlobLocation(offset, a.Bytes.Length, a.Format)));
            offset = Align(offset + a.Bytes.Length);
        }

        var blob = new byte[checked((int)offset)];
        var span = blob.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], CurrentVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], _arrays.Count);
        var at = 16;
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var name = Encoding.UTF8.GetBytes(e.Layer);
            BinaryPrimitives.WriteUInt16LittleEndian(span[at..], checked((ushort)name.Length));
            name.CopyTo(span[(at + 2)..]);
            at += 2 + name.Length;
            blob[at] = (byte)e.Kind;
            blob[at + 1] = (byte)e.Location.Format;
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 2)..], e.Location.Offset);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 10)..], e.Location.Length);
            at += 18;
            _arrays[i].Bytes.CopyTo(span[(int)e.Location.Offset..]);
        }

        return (blob, entries);
    }

    private static long Align(long value) => (value + Alignment - 1) / Alignment * Alignment;
}

/// <summary>Reads a blob written by <see cref="WeightBlobWriter"/>, validating everything before trusting it.</summary>
public sealed class WeightBlobReader
{
    private readonly ReadOnlyMemory<byte> _blob;

    /// <summary>Parses the header and table of contents of <paramref name="blob"/>.</summary>
    /// <exception cref="InvalidDataException">Not a blob, a newer version, or a corrupt table of contents.</exception>
    public WeightBlobReader(ReadOnlyMemory<byte> blob)
    {
        _blob = blob;
        var span = blob.Span;
        if (span.Length < 16 || BinaryPrimitives.ReadUInt32LittleEndian(span) != WeightBlobWriter.Magic)
        {
            throw Corrupt("not a Sparsify weight blob (bad magic or shorter than its header)");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(span[4..]);
        if (version > WeightBlobWriter.CurrentVersion)
        {
            throw Corrupt($"blob format version {version} is newer than this Sparsify reads ({WeightBlobWriter.CurrentVersion}); update Sparsify");
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        if (count < 0 || count > span.Length / 20)
        {
            throw Corrupt($"entry count {count} does not fit a blob of {span.Length} bytes");
        }

        var entries = new List<BlobEntry>(count);
        var at = 16;
        for (var i = 0; i < count; i++)
        {
            if (at + 2 > span.Length)
            {
                throw Corrupt($"table of contents truncated at entry {i}");
            }

            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
            if (at + 2 + nameLength + 18 > span.Length)
            {
                throw Corrupt($"table of contents truncated at entry {i}");
            }

            var name = Encoding.UTF8.GetString(span.Slice(at + 2, nameLength));
            at += 2 + nameLength;
            var kind = (BlobArrayKind)span[at];
            var format = (BlobFormat)span[at + 1];
            var offset = BinaryPrimitives.ReadInt64LittleEndian(span[(at + 2)..]);
            var length = BinaryPrimitives.ReadInt64LittleEndian(span[(at + 10)..]);
            at += 18;
            if (!Enum.IsDefined(kind) || !Enum.IsDefined(format))
            {
                throw Corrupt($"entry {i} ({name}) has an unknown kind {(int)kind} or format {(int)format}");
            }

            if (offset % WeightBlobWriter.Alignment != 0 || offset < 16 || length < 0 || offset + length > span.Length)
            {
                throw Corrupt($"entry {i} ({name}) at offset {offset}, {length} bytes, lies outside the {span.Length}-byte blob or is misaligned");
            }

            entries.Add(new BlobEntry(name, kind, new BlobLocation(offset, length, format)));
        }

        Entries = entries;
    }

    /// <summary>The table of contents, in blob order.</summary>
    public IReadOnlyList<BlobEntry> Entries { get; }

    /// <summary>The entry of a layer's array; throws <see cref="KeyNotFoundException"/> when there is none.</summary>
    public BlobEntry Find(string layer, BlobArrayKind kind) =>
        Entries.FirstOrDefault(e => e.Layer == layer && e.Kind == kind) ?? throw new KeyNotFoundException($"the blob holds no {kind} for layer '{layer}'");

    /// <summary>The fp32 values at <paramref name="location"/> (which must be <see cref="BlobFormat.Fp32"/>).</summary>
    public float[] ReadFloats(BlobLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (location.Format != BlobFormat.Fp32 || location.Length % sizeof(float) != 0)
        {
            throw Corrupt($"array at {location.Offset} is {location.Format}, {location.Length} bytes: not raw fp32");
        }

        var bytes = Slice(location);
        var values = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }

        return values;
    }

    /// <summary>The encoded layer at <paramref name="location"/>; its CRC and format are checked.</summary>
    public EncodedLayer ReadEncoded(BlobLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (location.Format == BlobFormat.Fp32)
        {
            throw Corrupt($"array at {location.Offset} is raw fp32, not an encoded layer");
        }

        var memory = _blob.Slice((int)location.Offset, (int)location.Length);
        using var stream = MemoryMarshal.TryGetArray(memory, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(memory.ToArray());
        var layer = EncodedLayer.Read(stream);
        if ((int)layer.Format != (int)location.Format || stream.Position != stream.Length)
        {
            throw Corrupt($"array at {location.Offset} should be one {location.Format} layer of {location.Length} bytes");
        }

        return layer;
    }

    /// <summary>A layer's dense weight matrix, row-major, whatever its stored format.</summary>
    public float[] DecodeWeights(BlobLocation location) =>
        location.Format == BlobFormat.Fp32 ? ReadFloats(location) : ReadEncoded(location).Decode();

    private ReadOnlySpan<byte> Slice(BlobLocation l) => _blob.Span.Slice((int)l.Offset, (int)l.Length);

    private static InvalidDataException Corrupt(string problem) => new($"corrupt Sparsify weight blob: {problem}");
}
