using Sparsify.Core.Formats;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Formats;

namespace Sparsify.Core.Tests.Formats;

/// <summary>Seeded weights and masks for the format tests, and the encoders under test in every setting.</summary>
internal static class FormatTestData
{
    /// <summary>Odd shapes on purpose: one row, one column, rows not divisible by G = 8 or P = 64, more than 256 columns.</summary>
    public static readonly (int Rows, int Columns)[] Shapes = [(1, 1), (1, 50), (50, 1), (13, 37), (16, 27), (70, 300), (9, 700)];

    /// <summary>
    /// Values in [-1, 1) with a mask removing exactly round(sparsity * n) weights at seeded random
    /// positions; some kept values are +0.0, -0.0 and a NaN, which must survive bit for bit.
    /// </summary>
    public static (float[] Values, SparsityMask Mask) Random(int rows, int columns, double sparsity, int seed)
    {
        var random = new Random(seed);
        var n = rows * columns;
        var values = new float[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        var order = Enumerable.Range(0, n).ToArray();
        random.Shuffle(order);
        var keep = new bool[n];
        var keptCount = n - (int)Math.Round(sparsity * n);
        for (var i = 0; i < keptCount; i++)
        {
            keep[order[i]] = true;
        }

        // Special values on kept positions: a kept weight of 0.0 is still a kept weight.
        ReadOnlySpan<float> specials = [0f, -0f, float.NaN, 0f];
        for (var i = 0; i < Math.Min(specials.Length, keptCount); i++)
        {
            values[order[i]] = specials[i];
        }

        return (values, new SparsityMask(rows, columns, (r, c) => keep[(r * columns) + c]));
    }

    /// <summary>A mask of the locality kind: the rows of each group of <paramref name="groupSize"/> keep the same columns.</summary>
    public static SparsityMask SharedPattern(int rows, int columns, int groupSize, double sparsity, int seed)
    {
        var random = new Random(seed);
        var groups = (rows + groupSize - 1) / groupSize;
        var keep = new bool[groups, columns];
        for (var g = 0; g < groups; g++)
        {
            for (var c = 0; c < columns; c++)
            {
                keep[g, c] = random.NextDouble() >= sparsity;
            }
        }

        return new SparsityMask(rows, columns, (r, c) => keep[r / groupSize, c]);
    }

    /// <summary>The weights as a masked layer holds them: removed ones +0.0.</summary>
    public static float[] Masked(float[] values, SparsityMask mask)
    {
        var copy = (float[])values.Clone();
        mask.Apply(copy);
        return copy;
    }

    /// <summary>Every encoding the tests run a matrix through: defaults and unusual settings.</summary>
    public static IEnumerable<(string Name, EncodedLayer Layer)> AllEncodings(float[] values, SparsityMask mask)
    {
        yield return ("CSR", CsrEncoder.Encode(values, mask));
        yield return ("PE P=64 4-bit", PeEncoder.Encode(values, mask));
        yield return ("PE P=3 2-bit", PeEncoder.Encode(values, mask, peCount: 3, indexBits: 2));
        yield return ("PE P=1 1-bit", PeEncoder.Encode(values, mask, peCount: 1, indexBits: 1));
        yield return ("PE P=5 16-bit", PeEncoder.Encode(values, mask, peCount: 5, indexBits: 16));
        yield return ("group G=8 relative 4-bit", GroupEncoder.Encode(values, mask));
        yield return ("group G=8 absolute", GroupEncoder.Encode(values, mask, encoding: IndexEncoding.Absolute));
        yield return ("group G=3 relative 1-bit", GroupEncoder.Encode(values, mask, groupSize: 3, relativeIndexBits: 1));
        yield return ("group G=1 absolute", GroupEncoder.Encode(values, mask, groupSize: 1, encoding: IndexEncoding.Absolute));
    }

    /// <summary>Equal bit for bit (so -0.0 differs from +0.0 and NaN equals itself).</summary>
    public static void AssertBitwiseEqual(float[] expected, float[] actual, string context)
    {
        Assert.HasCount(expected.Length, actual, context);
        for (var i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{context}: weight {i} is {actual[i]} (0x{BitConverter.SingleToInt32Bits(actual[i]):X8}), expected {expected[i]} (0x{BitConverter.SingleToInt32Bits(expected[i]):X8})");
            }
        }
    }

    public static byte[] Serialize(EncodedLayer layer)
    {
        using var stream = new MemoryStream();
        layer.Write(stream);
        return stream.ToArray();
    }

    public static EncodedLayer Deserialize(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return EncodedLayer.Read(stream);
    }
}
