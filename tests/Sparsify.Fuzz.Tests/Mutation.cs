namespace Sparsify.Fuzz.Tests;

/// <summary>
/// One fuzz input: which seed to start from and the words that drive the mutations. CsCheck generates and
/// shrinks the words, so a failure shrinks to the fewest, smallest mutations that still fail; the
/// mutators read the words as a deterministic script (operation, position, value, …).
/// </summary>
/// <param name="Seed">Index into the corpus (taken modulo its size).</param>
/// <param name="Words">The mutation script.</param>
public sealed record Mutation(int Seed, uint[] Words)
{
    public override string ToString() => $"seed {Seed}, words [{string.Join(", ", Words)}]";
}

/// <summary>Reads a mutation script word by word; past its end every word is 0.</summary>
internal sealed class Script(uint[] words)
{
    private int _next;

    public bool HasMore => _next < words.Length;

    public uint Next() => _next < words.Length ? words[_next++] : 0;

    /// <summary>A number in [0, count).</summary>
    public int Below(int count) => count <= 0 ? 0 : (int)(Next() % (uint)count);

    public T Pick<T>(IReadOnlyList<T> items) => items[Below(items.Count)];
}

/// <summary>Values that sit on the edges of what sizes, indices and counts can hold.</summary>
internal static class Interesting
{
    public static readonly long[] Integers =
    [
        0, 1, -1, 2, 3, 7, 8, 64, 255, 256, 65_535, 99_999, -99_999, 1L << 30, (1L << 31) - 1, 1L << 31, -(1L << 31),
        1L << 32, long.MaxValue, long.MinValue, 1L << 62,
    ];

    public static readonly float[] Floats = [0f, -0f, 1f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue, 1e-30f];

    /// <summary>Names that test escaping, lookups and the line format.</summary>
    public static readonly string[] Names =
    [
        string.Empty, " ", "a b", "x\ny", "\u2028", "%", "%20", "\"", "\\", "*/", "conv1", "input", "..", "/", "\u202e", "名字", "\0",
    ];

    public static readonly byte[] Bytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x08, 0x10, 0x12, 0x1A, 0x22];
}
