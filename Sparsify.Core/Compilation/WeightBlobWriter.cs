using System.Buffers.Binary;
using System.Text;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Formats;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation;

/// <summary>Builds the weight blob laid out as <see cref="WeightBlobLayout"/> describes; <see cref="WeightBlobReader"/> reads it.</summary>
public sealed class WeightBlobWriter
{
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

        // Checked before writing: the blob is one array, and a MemoryStream past 2 GiB fails without naming the layer.
        var size = SizeMath.Add(encoded.CountBytes(sizeof(float)).Total, EncodedLayer.HeaderBytes);
        if (size > ModelLimits.MaxWeightBlobBytes)
        {
            throw new SparsifyModelException(
                $"the encoded weights take {ModelLimits.Bytes(size)}, more than the weight blob's limit of {ModelLimits.Bytes(ModelLimits.MaxWeightBlobBytes)}", nodeName: layer);
        }

        using var stream = new MemoryStream();
        encoded.Write(stream);
        _arrays.Add((layer, BlobArrayKind.Weights, (BlobFormat)(int)encoded.Format, stream.ToArray()));
    }

    /// <summary>Lays the arrays out and returns the blob and its table of contents.</summary>
    public (byte[] Blob, IReadOnlyList<BlobEntry> Entries) Build()
    {
        long tocLength = 0;
        foreach (var a in _arrays)
        {
            // Names come from the model; the table of contents stores their length in 16 bits.
            var nameBytes = Encoding.UTF8.GetByteCount(a.Layer);
            if (nameBytes > ushort.MaxValue)
            {
                throw new SparsifyModelException(
                    $"the layer name takes {ModelLimits.Bytes(nameBytes)} in UTF-8, more than the weight blob's limit of {ModelLimits.Bytes(ushort.MaxValue)}", nodeName: a.Layer[..64] + "…");
            }

            tocLength += 2 + nameBytes + 18;
        }

        long offset = Align(16 + tocLength);
        var entries = new List<BlobEntry>(_arrays.Count);
        foreach (var a in _arrays)
        {
            entries.Add(new BlobEntry(a.Layer, a.Kind, new BlobLocation(offset, a.Bytes.Length, a.Format)));
            offset = Align(offset + a.Bytes.Length);
        }

        if (offset > ModelLimits.MaxWeightBlobBytes)
        {
            throw new SparsifyModelException(
                $"the weight blob (the compiled layers' weights, biases and sparse indices) would take {ModelLimits.Bytes(offset)}, more than its limit of {ModelLimits.Bytes(ModelLimits.MaxWeightBlobBytes)}");
        }

        var blob = new byte[offset];
        var span = blob.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, WeightBlobLayout.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], WeightBlobLayout.CurrentVersion);
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

    private static long Align(long value) => (value + WeightBlobLayout.Alignment - 1) / WeightBlobLayout.Alignment * WeightBlobLayout.Alignment;
}
