using System.Globalization;

namespace Sparsify.Core;

/// <summary>
/// Arithmetic for sizes computed from model data. Products and sums of non-negative sizes saturate
/// at <see cref="long.MaxValue"/> instead of wrapping, so one comparison with a limit afterwards is
/// always sound, however large the factors a model declares.
/// </summary>
internal static class SizeMath
{
    /// <summary>a × b for non-negative a and b, or <see cref="long.MaxValue"/> when that does not fit.</summary>
    public static long Multiply(long a, long b)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(a);
        ArgumentOutOfRangeException.ThrowIfNegative(b);
        return b != 0 && a > long.MaxValue / b ? long.MaxValue : a * b;
    }

    /// <summary>a + b for non-negative a and b, or <see cref="long.MaxValue"/> when that does not fit.</summary>
    public static long Add(long a, long b)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(a);
        ArgumentOutOfRangeException.ThrowIfNegative(b);
        return a > long.MaxValue - b ? long.MaxValue : a + b;
    }

    /// <summary>The product of non-negative factors (1 for none), saturating.</summary>
    public static long Product(ReadOnlySpan<long> factors)
    {
        long product = 1;
        foreach (var f in factors)
        {
            product = Multiply(product, f);
        }

        return product;
    }

    /// <summary>The product of non-negative factors (1 for none), saturating.</summary>
    public static long Product(ReadOnlySpan<int> factors)
    {
        long product = 1;
        foreach (var f in factors)
        {
            product = Multiply(product, f);
        }

        return product;
    }

    /// <summary>A size for a message, with digit grouping; a saturated one reads as "more than …".</summary>
    public static string Format(long value) => value == long.MaxValue
        ? string.Create(CultureInfo.InvariantCulture, $"more than {long.MaxValue - 1:N0}")
        : value.ToString("N0", CultureInfo.InvariantCulture);
}
