namespace Sparsify.Core.Sparsity;

/// <summary>
/// The PE array a scheme shapes the weights for, and the N:M pattern. Defaults come from
/// <see cref="PeArrayDefaults"/>; every scheme reports against these numbers (partitions, buffer fit),
/// though only <c>locality</c> uses <see cref="GroupSize"/> and only <c>nm</c> uses N and M.
/// </summary>
public sealed record SchemeSettings
{
    /// <summary>The defaults of the ZC706 PE array.</summary>
    public static SchemeSettings Default { get; } = new();

    /// <summary>G: output channels per group sharing one nonzero pattern (locality); 1 to 1024.</summary>
    public int GroupSize { get; init; } = PeArrayDefaults.GroupSize;

    /// <summary>P: partitions (PEs) the rows or groups are interleaved over; 1 to 65,536.</summary>
    public int PeCount { get; init; } = PeArrayDefaults.PeCount;

    /// <summary>One PE's weight buffer in bytes; a partition that needs more is loaded in several passes.</summary>
    public int BufferBytesPerPe { get; init; } = PeArrayDefaults.WeightBufferBytesPerPe;

    /// <summary>Bits per stored value, 1 to 32.</summary>
    public int ValueBits { get; init; } = PeArrayDefaults.ValueBits;

    /// <summary>Bits per relative index, 1 to 16: a gap of 2^IndexBits or more zeros stores a padding entry.</summary>
    public int IndexBits { get; init; } = PeArrayDefaults.IndexBits;

    /// <summary>
    /// N of the N:M pattern (weights kept per block). Null: derived from the requested sparsity as
    /// (1 - sparsity) × M, which must then be a whole number.
    /// </summary>
    public int? N { get; init; }

    /// <summary>M of the N:M pattern: the block length along a row, 1 to 1024.</summary>
    public int M { get; init; } = PeArrayDefaults.NmBlock;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of its range.</summary>
    public void Validate()
    {
        Check(GroupSize, 1, 1024, nameof(GroupSize));
        Check(PeCount, 1, 65_536, nameof(PeCount));
        Check(BufferBytesPerPe, 1, int.MaxValue, nameof(BufferBytesPerPe));
        Check(ValueBits, 1, 32, nameof(ValueBits));
        Check(IndexBits, 1, 16, nameof(IndexBits));
        Check(M, 1, 1024, nameof(M));
        if (N is { } n)
        {
            Check(n, 1, M, nameof(N));
        }
    }

    /// <summary>Bits of one stored entry: <paramref name="valuesPerEntry"/> values and one index.</summary>
    public long EntryBits(int valuesPerEntry) => (long)valuesPerEntry * ValueBits + IndexBits;

    private static void Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            var range = max == int.MaxValue ? $"at least {min}" : $"from {min} to {max}";
            throw new ArgumentOutOfRangeException(name, value, $"scheme setting {name} must be {range}, got {value}");
        }
    }
}
