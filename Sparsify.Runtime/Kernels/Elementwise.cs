using System.Runtime.Intrinsics;

namespace Sparsify.Runtime.Kernels;

/// <summary>Layers that touch each value once: the activations, Add, Mul, the per-channel affine step, Softmax and the copies of Concat.</summary>
public static partial class Elementwise
{
    /// <summary>Longest softmax axis kept on the stack.</summary>
    private const int StackFloats = 1024;

    /// <summary>output = max(input, 0); NaN stays NaN. <paramref name="output"/> may be <paramref name="input"/>.</summary>
    public static void Relu(ReadOnlySpan<float> input, Span<float> output)
    {
        CheckOutput(input.Length, output);
        Activation.Relu.Apply(input, output);
    }

    /// <summary>
    /// output = min(max(input, <paramref name="min"/>), <paramref name="max"/>), ONNX Clip (ReLU6 is 0 to 6);
    /// NaN stays NaN. <paramref name="output"/> may be <paramref name="input"/>.
    /// </summary>
    public static void Clip(ReadOnlySpan<float> input, float min, float max, Span<float> output)
    {
        CheckOutput(input.Length, output);
        Activation.Clip(min, max).Apply(input, output);
    }

    /// <summary>output = 1 / (1 + exp(-input)). <paramref name="output"/> may be <paramref name="input"/>.</summary>
    public static void Sigmoid(ReadOnlySpan<float> input, Span<float> output)
    {
        CheckOutput(input.Length, output);
        Activation.Sigmoid.Apply(input, output);
    }

    /// <summary>output = max(0, min(1, <paramref name="alpha"/> · input + <paramref name="beta"/>)), ONNX HardSigmoid; NaN stays NaN.</summary>
    public static void HardSigmoid(ReadOnlySpan<float> input, float alpha, float beta, Span<float> output)
    {
        CheckOutput(input.Length, output);
        Activation.HardSigmoid(alpha, beta).Apply(input, output);
    }

    /// <summary>
    /// output = a · b, where b holds either one value per value of a (<paramref name="plane"/> 1) or one
    /// per run of <paramref name="plane"/> values of a: a squeeze-and-excitation gate, one per channel.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int plane, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(plane, 1);
        if ((long)b.Length * plane != a.Length)
        {
            throw new ArgumentException($"The operands hold {a.Length} and {b.Length} values; with {plane} values per factor they must match.", nameof(b));
        }

        CheckOutput(a.Length, output);
        if (plane == 1)
        {
            VectorMath.Multiply(a, b, output);
            return;
        }

        for (var c = 0; c < b.Length; c++)
        {
            VectorMath.Scale(a.Slice(c * plane, plane), b[c], output.Slice(c * plane, plane));
        }
    }

    /// <summary>output = input for input ≥ 0, else <paramref name="alpha"/> · input (ONNX LeakyRelu). <paramref name="output"/> may be <paramref name="input"/>.</summary>
    public static void LeakyRelu(ReadOnlySpan<float> input, float alpha, Span<float> output)
    {
        CheckOutput(input.Length, output);
        Activation.LeakyRelu(alpha).Apply(input, output);
    }

    /// <summary>output = tanh(input).</summary>
    public static void Tanh(ReadOnlySpan<float> input, Span<float> output)
    {
        CheckOutput(input.Length, output);
        Activation.Tanh.Apply(input, output);
    }

    /// <summary>output = e^input.</summary>
    public static void Exp(ReadOnlySpan<float> input, Span<float> output) => Map<ExpFunction>(input, output);

    /// <summary>output = −input.</summary>
    public static void Neg(ReadOnlySpan<float> input, Span<float> output) => Map<NegFunction>(input, output);

    /// <summary>output = √input (NaN below 0, as ONNX).</summary>
    public static void Sqrt(ReadOnlySpan<float> input, Span<float> output) => Map<SqrtFunction>(input, output);

    /// <summary>output = erf(input), within 1.5e-7 (<see cref="Erf(double)"/>).</summary>
    public static void Erf(ReadOnlySpan<float> input, Span<float> output) => Map<ErfFunction>(input, output);

    /// <summary>
    /// The function of one value named <paramref name="function"/>, one of the manifest's unary functions
    /// (Tanh, Exp, Neg, Sqrt, Erf): the one dispatch the reference executor and the ZC706 model use.
    /// </summary>
    public static void Unary(string function, ReadOnlySpan<float> input, Span<float> output)
    {
        switch (function)
        {
            case "Tanh": Tanh(input, output); break;
            case "Exp": Exp(input, output); break;
            case "Neg": Neg(input, output); break;
            case "Sqrt": Sqrt(input, output); break;
            case "Erf": Erf(input, output); break;
            default: throw new ArgumentException($"'{function}' is not a function of one value the runtime has.", nameof(function));
        }
    }

    // The function as a type: its loop compiled with it inlined, in vectors where it has a vector form.
    private static void Map<TFunction>(ReadOnlySpan<float> input, Span<float> output)
        where TFunction : struct, IUnaryFunction
    {
        CheckOutput(input.Length, output);
        var i = 0;
        if (TFunction.Vectorised && Vector256.IsHardwareAccelerated)
        {
            for (; i <= input.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                TFunction.Apply(Vector256.Create(input[i..])).CopyTo(output[i..]);
            }
        }

        for (; i < input.Length; i++)
        {
            output[i] = TFunction.Apply(input[i]);
        }
    }

    private interface IUnaryFunction
    {
        static abstract bool Vectorised { get; }

        static abstract float Apply(float x);

        static abstract Vector256<float> Apply(Vector256<float> x);
    }

    private readonly struct ExpFunction : IUnaryFunction
    {
        public static bool Vectorised => true;

        public static float Apply(float x) => MathF.Exp(x);

        public static Vector256<float> Apply(Vector256<float> x) => Vector256.Exp(x);
    }

    private readonly struct NegFunction : IUnaryFunction
    {
        public static bool Vectorised => true;

        public static float Apply(float x) => -x;

        // Flipping the sign bit, as scalar negation does (0 becomes -0).
        public static Vector256<float> Apply(Vector256<float> x) => Vector256.Xor(x, Vector256.Create(-0f));
    }

    private readonly struct SqrtFunction : IUnaryFunction
    {
        public static bool Vectorised => true;

        public static float Apply(float x) => MathF.Sqrt(x);

        public static Vector256<float> Apply(Vector256<float> x) => Vector256.Sqrt(x);
    }

    // Erf in double by its formula: no vector form.
    private readonly struct ErfFunction : IUnaryFunction
    {
        public static bool Vectorised => false;

        public static float Apply(float x) => (float)Erf((double)x);

        public static Vector256<float> Apply(Vector256<float> x) => throw new NotSupportedException();
    }

    /// <summary>
    /// output = x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), the exact (Erf) form of GELU; erf within 1.5e-7
    /// (<see cref="Erf(double)"/>). <paramref name="output"/> may be <paramref name="input"/>.
    /// </summary>
    public static void Gelu(ReadOnlySpan<float> input, Span<float> output)
    {
        CheckOutput(input.Length, output);
        for (var i = 0; i < input.Length; i++)
        {
            double x = input[i];
            output[i] = (float)(0.5 * x * (1 + Erf(x * 0.70710678118654752)));
        }
    }

    /// <summary>
    /// The error function by Abramowitz and Stegun's formula 7.1.26, within 1.5e-7 of the exact value
    /// everywhere; .NET has no erf of its own. NaN stays NaN.
    /// </summary>
    public static double Erf(double x)
    {
        var a = Math.Abs(x);
        var t = 1 / (1 + (0.3275911 * a));
        var poly = t * (0.254829592 + (t * (-0.284496736 + (t * (1.421413741 + (t * (-1.453152027 + (t * 1.061405429))))))));
        var y = 1 - (poly * Math.Exp(-a * a));
        return x < 0 ? -y : y;
    }

    /// <summary>
    /// output = input · scale[c] + shift[c] for the value's channel c, the input read as
    /// [batch, channels, <paramref name="plane"/>] with channels = scale.Length: a BatchNormalization in
    /// inference form. <paramref name="output"/> may be <paramref name="input"/>.
    /// </summary>
    public static void ChannelAffine(ReadOnlySpan<float> input, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, int plane, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(plane, 1);
        if (scale.Length != shift.Length || scale.Length == 0 || input.Length % ((long)scale.Length * plane) != 0)
        {
            throw new ArgumentException($"{input.Length} values cannot be read as channels of {plane} values with {scale.Length} scales and {shift.Length} shifts.", nameof(input));
        }

        CheckOutput(input.Length, output);
        for (int start = 0, c = 0; start < input.Length; start += plane, c = c + 1 == scale.Length ? 0 : c + 1)
        {
            var (s, b) = (scale[c], shift[c]);
            VectorMath.ScaleShift(input.Slice(start, plane), s, b, output.Slice(start, plane));
        }
    }

    /// <summary>output = a + b, then max(·, 0) when <paramref name="relu"/>; a and b have the same length.</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, bool relu, Span<float> output)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"The operands hold {a.Length} and {b.Length} values; they must match.", nameof(b));
        }

        CheckOutput(a.Length, output);
        Span<float> result = output[..a.Length];
        Epilogue.Add(a, b, result);
        if (relu)
        {
            Activation.Relu.Apply(result, result);
        }
    }

    /// <summary>
    /// The sum (or, with <paramref name="mean"/>, the mean) along the middle dimension of
    /// <paramref name="input"/> viewed as [outer, length, inner], into [outer, inner]; summed in double.
    /// </summary>
    public static void Reduce(ReadOnlySpan<float> input, int outer, int length, int inner, bool mean, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outer);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inner, 1);
        if (input.Length < (long)outer * length * inner || output.Length < (long)outer * inner)
        {
            throw new ArgumentException($"Reducing {outer}x{length}x{inner}: the input holds {input.Length} values, the output {output.Length}.", nameof(input));
        }

        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                double sum = 0;
                for (var k = 0; k < length; k++)
                {
                    sum += input[(((o * length) + k) * inner) + i];
                }

                output[(o * inner) + i] = (float)(mean ? sum / length : sum);
            }
        }
    }

    /// <summary>
    /// Softmax along the middle dimension of <paramref name="input"/> viewed as [outer, axisLength, inner]
    /// (the maximum is subtracted first so exp cannot overflow; the result is unchanged).
    /// </summary>
    public static void Softmax(ReadOnlySpan<float> input, int outer, int axisLength, int inner, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outer);
        ArgumentOutOfRangeException.ThrowIfNegative(axisLength);
        ArgumentOutOfRangeException.ThrowIfNegative(inner);
        long length = (long)outer * axisLength * inner;
        if (input.Length < length)
        {
            throw new ArgumentException($"The input holds {input.Length} values; {outer}x{axisLength}x{inner} are needed.", nameof(input));
        }

        CheckOutput((int)length, output);
        if (axisLength == 0)
        {
            return;
        }

        // Small axes (class scores) on the stack, a long one in the thread's scratch: nothing allocated per call.
        Span<float> column = axisLength <= StackFloats ? stackalloc float[StackFloats] : ThreadScratchSpan(axisLength);
        column = column[..axisLength];
        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                var start = (o * axisLength * inner) + i;
                for (var k = 0; k < axisLength; k++)
                {
                    column[k] = input[start + (k * inner)];
                }

                var max = VectorMath.Max(column);
                for (var k = 0; k < axisLength; k++)
                {
                    column[k] = MathF.Exp(column[k] - max);
                }

                var sum = VectorMath.Sum(column);
                for (var k = 0; k < axisLength; k++)
                {
                    output[start + (k * inner)] = column[k] / sum;
                }
            }
        }
    }

    private static unsafe Span<float> ThreadScratchSpan(int length) => new(ThreadScratch.Softmax(length), length);

    /// <summary>
    /// One operand of a Concat: copies <paramref name="input"/> viewed as [outer, inner] into
    /// <paramref name="output"/> viewed as [outer, outputInner], at column <paramref name="offset"/> of each row.
    /// </summary>
    public static void CopyBlock(ReadOnlySpan<float> input, int outer, int inner, Span<float> output, int outputInner, int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outer);
        ArgumentOutOfRangeException.ThrowIfNegative(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset + inner > outputInner)
        {
            throw new ArgumentException($"A block of {inner} at column {offset} does not fit rows of {outputInner}.", nameof(offset));
        }

        if (input.Length < (long)outer * inner || output.Length < (long)outer * outputInner)
        {
            throw new ArgumentException($"Copying {outer}x{inner} into {outer}x{outputInner}: the input holds {input.Length} values, the output {output.Length}.", nameof(input));
        }

        for (var o = 0; o < outer; o++)
        {
            input.Slice(o * inner, inner).CopyTo(output.Slice((o * outputInner) + offset, inner));
        }
    }

    private static void CheckOutput(int needed, Span<float> output)
    {
        if (output.Length < needed)
        {
            throw new ArgumentException($"The output holds {output.Length} values; {needed} are needed.", nameof(output));
        }
    }
}
