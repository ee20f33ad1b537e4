using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Sparsify.Runtime.Formats;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Runtime.Blob;

/// <summary>Reads a weight blob (see <see cref="WeightBlobLayout"/>), validating everything before trusting it.</summary>
public sealed class WeightBlobReader
{
    private readonly ReadOnlyMemory<byte> _blob;

    /// <summary>Parses the header and table of contents of <paramref name="blob"/>.</summary>
    /// <exception cref="InvalidDataException">Not a blob, a newer version, or a corrupt table of contents.</exception>
    public WeightBlobReader(ReadOnlyMemory<byte> blob)
    {
        _blob = blob;
        var span = blob.Span;
        if (span.Length < 16 || BinaryPrimitives.ReadUInt32LittleEndian(span) != WeightBlobLayout.Magic)
        {
            throw Corrupt("not a Sparsify weight blob (bad magic or shorter than its header)");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(span[4..]);
        if (version > WeightBlobLayout.CurrentVersion)
        {
            throw Corrupt($"blob format version {version} is newer than this Sparsify reads ({WeightBlobLayout.CurrentVersion}); update Sparsify");
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

            if (offset % WeightBlobLayout.Alignment != 0 || offset < 16 || length < 0 || offset + length > span.Length)
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
