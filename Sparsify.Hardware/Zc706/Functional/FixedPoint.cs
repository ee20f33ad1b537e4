namespace Sparsify.Hardware.Zc706.Functional;

/// <summary>16-bit two's-complement Q-format helpers: round to nearest (ties away from zero), saturate, never wrap.</summary>
public static class FixedPoint
{
    /// <summary>The 16-bit code of <paramref name="value"/> with <paramref name="fractionBits"/> fraction bits, saturated.</summary>
    public static int Quantize(float value, int fractionBits)
    {
        var scaled = Math.Round((double)value * (1 << fractionBits), MidpointRounding.AwayFromZero);
        return (int)Math.Clamp(scaled, short.MinValue, short.MaxValue);
    }

    /// <summary>The value of a code.</summary>
    public static float Dequantize(long code, int fractionBits) => (float)((double)code / (1L << fractionBits));

    /// <summary><paramref name="value"/> rounded to the nearest representable 16-bit value.</summary>
    public static float Round(float value, int fractionBits) => Dequantize(Quantize(value, fractionBits), fractionBits);

    /// <summary>
    /// An accumulator of products with <paramref name="shift"/> more fraction bits than the output,
    /// rounded (half up) back to 16 bits and saturated, as the PE output stage does.
    /// </summary>
    public static int Narrow(long accumulator, int shift)
    {
        var rounded = shift == 0 ? accumulator : (accumulator + (1L << (shift - 1))) >> shift;
        return (int)Math.Clamp(rounded, short.MinValue, short.MaxValue);
    }

    /// <summary>
    /// The worst-case error bound of one output of a layer computed in Q format: each of the
    /// <paramref name="terms"/> products carries its input's rounding error (half a step, 2^-(fa+1))
    /// times |w| plus the weight's rounding error (2^-(fw+1)) times |x|; the output adds half a step.
    /// </summary>
    public static double ErrorBound(double sumAbsWeights, double maxAbsInput, int terms, int activationFractionBits, int weightFractionBits) =>
        (sumAbsWeights * Math.Pow(2, -(activationFractionBits + 1))) + (terms * maxAbsInput * Math.Pow(2, -(weightFractionBits + 1))) + Math.Pow(2, -(activationFractionBits + 1));
}
