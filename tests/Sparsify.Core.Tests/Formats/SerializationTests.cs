using System.Buffers.Binary;
using System.Text;
using Sparsify.Core.Formats;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Formats;

namespace Sparsify.Core.Tests.Formats;

/// <summary>
/// The binary form: header layout, several layers in one stream, and bad data (truncated, altered,
/// foreign, newer) always an <see cref="InvalidDataException"/> with a message saying what is wrong.
/// </summary>
[TestClass]
public sealed class SerializationTests
{
    private static EncodedLayer[] SmallLayers()
    {
        var (values, mask) = FormatTestData.Random(11, 45, 0.8, seed: 7);
        return
        [
            CsrEncoder.Encode(values, mask),
            PeEncoder.Encode(values, mask, peCount: 4, indexBits: 3),
            GroupEncoder.Encode(values, mask, groupSize: 4, relativeIndexBits: 3),
            GroupEncoder.Encode(values, mask, groupSize: 4, encoding: IndexEncoding.Absolute),
        ];
    }

    [TestMethod]
    public void HeaderLayout()
    {
        var layer = PeEncoder.Encode(new float[6 * 9], SparsityMask.Dense(6, 9), peCount: 4, indexBits: 5);
        var bytes = FormatTestData.Serialize(layer);
        Assert.AreEqual("SPFM", Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.AreEqual((ushort)1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.AreEqual((byte)EncodedFormat.Pe, bytes[6]);
        Assert.AreEqual((byte)IndexEncoding.Relative, bytes[7]);
        Assert.AreEqual((byte)5, bytes[8]);
        Assert.AreEqual((byte)32, bytes[9]);
        int Field(int offset) => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
        Assert.AreEqual(6, Field(12));
        Assert.AreEqual(9, Field(16));
        Assert.AreEqual(4, Field(20));
        Assert.AreEqual(54, Field(24));
        Assert.AreEqual(54, Field(28));
        Assert.AreEqual(54, Field(32));
        Assert.AreEqual(0, Field(36));
        Assert.AreEqual(0, Field(40));
        Assert.AreEqual(bytes.Length - EncodedLayer.HeaderBytes, Field(44));
        Assert.AreEqual(52, EncodedLayer.HeaderBytes);

        // Payload: 7 row pointers, then PE 0..3 index runs (rows 2, 2, 1, 1 -> 18, 18, 9, 9 entries
        // at 5 bits -> 12, 12, 6, 6 B), then 54 fp32 values.
        Assert.AreEqual((7 * 4) + 36 + (54 * 4), Field(44));
    }

    [TestMethod]
    public void LayersFollowOneAnotherInAStream()
    {
        var layers = SmallLayers();
        using var stream = new MemoryStream();
        foreach (var layer in layers)
        {
            layer.Write(stream);
        }

        stream.Position = 0;
        foreach (var layer in layers)
        {
            var read = EncodedLayer.Read(stream);
            Assert.AreEqual(layer.Format, read.Format);
            Assert.AreEqual(layer.IndexEncoding, read.IndexEncoding);
            FormatTestData.AssertBitwiseEqual(layer.Decode(), read.Decode(), layer.Format.ToString());
        }

        Assert.AreEqual(stream.Length, stream.Position);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => EncodedLayer.Read(stream));
        StringAssert.Contains(e.Message, "truncated");
    }

    [TestMethod]
    public void ReadKeepsTheArraysOfEachFormat()
    {
        foreach (var layer in SmallLayers())
        {
            var read = FormatTestData.Deserialize(FormatTestData.Serialize(layer));
            switch (layer, read)
            {
                case (CsrLayer a, CsrLayer b):
                    CollectionAssert.AreEqual(a.RowPointers.ToArray(), b.RowPointers.ToArray());
                    CollectionAssert.AreEqual(a.ColumnIndices.ToArray(), b.ColumnIndices.ToArray());
                    break;
                case (PeLayer a, PeLayer b):
                    Assert.AreEqual(a.PeCount, b.PeCount);
                    Assert.AreEqual(a.PaddingEntries, b.PaddingEntries);
                    CollectionAssert.AreEqual(a.RowPointers.ToArray(), b.RowPointers.ToArray());
                    CollectionAssert.AreEqual(a.RelativeIndices.ToArray(), b.RelativeIndices.ToArray());
                    break;
                case (GroupLayer a, GroupLayer b):
                    Assert.AreEqual(a.GroupSize, b.GroupSize);
                    Assert.AreEqual(a.ExplicitZeros, b.ExplicitZeros);
                    CollectionAssert.AreEqual(a.GroupPointers.ToArray(), b.GroupPointers.ToArray());
                    CollectionAssert.AreEqual(a.Indices.ToArray(), b.Indices.ToArray());
                    break;
                default:
                    Assert.Fail($"{layer.Format} read back as {read.Format}");
                    break;
            }
        }
    }

    [TestMethod]
    public void EveryTruncationIsReported()
    {
        foreach (var layer in SmallLayers())
        {
            var bytes = FormatTestData.Serialize(layer);
            for (var length = 0; length < bytes.Length; length++)
            {
                var prefix = bytes[..length];
                var e = Assert.ThrowsExactly<InvalidDataException>(() => FormatTestData.Deserialize(prefix), $"{layer.Format} cut at {length}");
                StringAssert.Contains(e.Message, "truncated", $"{layer.Format} cut at {length}");
                using var unseekable = new ForwardOnlyStream(prefix);
                e = Assert.ThrowsExactly<InvalidDataException>(() => EncodedLayer.Read(unseekable), $"{layer.Format} cut at {length}, forward-only");
                StringAssert.Contains(e.Message, "truncated");
            }
        }
    }

    [TestMethod]
    public void EveryFlippedBitIsCaught()
    {
        foreach (var layer in SmallLayers())
        {
            var bytes = FormatTestData.Serialize(layer);
            for (var i = 0; i < bytes.Length; i++)
            {
                for (var bit = 0; bit < 8; bit += 3)
                {
                    var altered = (byte[])bytes.Clone();
                    altered[i] ^= (byte)(1 << bit);
                    Assert.ThrowsExactly<InvalidDataException>(() => FormatTestData.Deserialize(altered), $"{layer.Format} byte {i} bit {bit}");
                }
            }
        }
    }

    [TestMethod]
    public void CorruptStructureWithAValidChecksumIsRejectedCleanly()
    {
        // Rewrite each byte with seeded garbage and fix the checksum, so the structural checks (not
        // the CRC) must catch it: the result is either a valid layer that decodes, or InvalidDataException.
        var random = new Random(3);
        var rejected = 0;
        foreach (var layer in SmallLayers())
        {
            var bytes = FormatTestData.Serialize(layer);
            for (var i = 0; i < bytes.Length; i++)
            {
                if (i is >= 48 and < 52)
                {
                    continue;
                }

                var altered = (byte[])bytes.Clone();
                altered[i] = (byte)random.Next(256);
                FixChecksum(altered);
                try
                {
                    var read = FormatTestData.Deserialize(altered);

                    // A garbage column count can make a consistent but huge layer; decode only small ones.
                    if ((long)read.Rows * read.Columns <= 1 << 20)
                    {
                        Assert.HasCount(read.Rows * read.Columns, read.Decode());
                    }
                }
                catch (InvalidDataException)
                {
                    rejected++;
                }
            }
        }

        Assert.IsTrue(rejected > 100, $"only {rejected} alterations rejected");
    }

    [TestMethod]
    public void ColumnOutOfRangeIsNamed()
    {
        var layer = CsrEncoder.Encode(new float[2 * 10], SparsityMask.Dense(2, 10));
        var bytes = FormatTestData.Serialize(layer);

        // Payload: 3 row pointers (12 B), then 20 one-byte column indices; make the last one 10.
        bytes[52 + 12 + 19] = 10;
        FixChecksum(bytes);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => FormatTestData.Deserialize(bytes));
        StringAssert.Contains(e.Message, "column 10");
    }

    [TestMethod]
    public void HeaderCountsMustMatchThePayload()
    {
        var (values, mask) = FormatTestData.Random(8, 40, 0.9, seed: 5);
        var bytes = FormatTestData.Serialize(PeEncoder.Encode(values, mask, peCount: 3));

        // One nonzero fewer than the PE streams hold (entries minus padding).
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24), mask.NonZeros - 1);
        FixChecksum(bytes);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => FormatTestData.Deserialize(bytes));
        StringAssert.Contains(e.Message, "disagrees with its payload");
    }

    [TestMethod]
    public void ForeignDataIsNotALayer()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => FormatTestData.Deserialize(Encoding.ASCII.GetBytes("<?xml version=\"1.0\"?><not-a-layer>padding padding padding</not-a-layer>")));
        StringAssert.Contains(e.Message, "not a Sparsify encoded layer");
        var random = new byte[4096];
        new Random(42).NextBytes(random);
        Assert.ThrowsExactly<InvalidDataException>(() => FormatTestData.Deserialize(random));
    }

    [TestMethod]
    public void EmptyStream()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => FormatTestData.Deserialize([]));
        StringAssert.Contains(e.Message, "ended where a layer header was expected");
    }

    [TestMethod]
    public void NewerVersionSaysSo()
    {
        var bytes = FormatTestData.Serialize(SmallLayers()[0]);
        bytes[4] = 2;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => FormatTestData.Deserialize(bytes));
        StringAssert.Contains(e.Message, "version 2 is newer than this reader (version 1)");
    }

    [TestMethod]
    public void UnknownFormatIdSaysSo()
    {
        var bytes = FormatTestData.Serialize(SmallLayers()[0]);
        bytes[6] = 9;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => FormatTestData.Deserialize(bytes));
        StringAssert.Contains(e.Message, "unknown format id 9");
    }

    [TestMethod]
    public void HugePayloadLengthIsRejectedBeforeAllocating()
    {
        var bytes = FormatTestData.Serialize(SmallLayers()[1]);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(44), int.MaxValue);
        using var unseekable = new ForwardOnlyStream(bytes);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => EncodedLayer.Read(unseekable));
        StringAssert.Contains(e.Message, "payload length");
    }

    private static void FixChecksum(byte[] bytes)
    {
        var crc = Crc32.Append(Crc32.Append(0, bytes.AsSpan(0, 48)), bytes.AsSpan(52));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(48), crc);
    }

    /// <summary>A stream that cannot seek, as a network or compressed stream would be.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
