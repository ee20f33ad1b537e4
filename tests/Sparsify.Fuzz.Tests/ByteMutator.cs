namespace Sparsify.Fuzz.Tests;

/// <summary>Byte-level mutations of a file: bit flips, edge bytes, varints, inserted, deleted, copied and cut spans.</summary>
internal static class ByteMutator
{
    public static byte[] Mutate(byte[] seed, Script script)
    {
        var data = new List<byte>(seed);
        while (script.HasMore)
        {
            var at = data.Count == 0 ? 0 : script.Below(data.Count);
            switch (script.Below(8))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << script.Below(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = script.Pick(Interesting.Bytes);
                    break;
                case 2:
                    data.InsertRange(at, Varint(script.Pick(Interesting.Integers)));
                    break;
                case 3:
                    var count = 1 + script.Below(16);
                    data.InsertRange(at, Enumerable.Range(0, count).Select(_ => (byte)script.Next()));
                    break;
                case 4 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + script.Below(64)));
                    break;
                case 5 when data.Count > 0:
                    var from = script.Below(data.Count);
                    var span = data.GetRange(from, Math.Min(data.Count - from, 1 + script.Below(64)));
                    data.InsertRange(at, span);
                    break;
                case 6:
                    data.RemoveRange(at, data.Count - at);
                    break;
                default:
                    // Overwrite with a varint: protobuf lengths, tags and enum values.
                    var varint = Varint(script.Pick(Interesting.Integers));
                    for (var i = 0; i < varint.Length && at + i < data.Count; i++)
                    {
                        data[at + i] = varint[i];
                    }

                    break;
            }
        }

        return [.. data];
    }

    private static byte[] Varint(long value)
    {
        var bytes = new List<byte>();
        var v = (ulong)value;
        do
        {
            var b = (byte)(v & 0x7F);
            v >>= 7;
            bytes.Add(v == 0 ? b : (byte)(b | 0x80));
        }
        while (v != 0);
        return [.. bytes];
    }
}
