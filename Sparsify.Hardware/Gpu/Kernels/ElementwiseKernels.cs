using ILGPU;

namespace Sparsify.Hardware.Gpu.Kernels;

/// <summary>What the LRN kernel needs: y = x / (bias + alpha/size · Σ x²)^beta over a window of channels.</summary>
internal struct LrnShape
{
    public int Channels;
    public int Pixels;
    public int Before;
    public int After;
    public float Scale;
    public float Beta;
    public float Bias;
}

/// <summary>
/// Kernels touching each value a few times: ReLU, Add (+ ReLU), Softmax, the copies of Concat and LRN.
/// Exponentials and powers go through exp2/log2, which every ILGPU backend has natively (PTX: ex2, lg2).
/// </summary>
internal static class ElementwiseKernels
{
    private const float Log2E = 1.44269504088896341f;

    /// <summary>output[i] = max(input[i], 0).</summary>
    public static void Relu(Index1D index, ArrayView<float> input, ArrayView<float> output)
    {
        var v = input[index.X];
        output[index.X] = v < 0f ? 0f : v;
    }

    /// <summary>output[i] = min(max(input[i], min), max), as the runtime's Elementwise.Clip (NaN stays NaN).</summary>
    public static void Clip(Index1D index, ArrayView<float> input, float min, float max, ArrayView<float> output)
    {
        var v = input[index.X];
        output[index.X] = v < min ? min : v > max ? max : v;
    }

    /// <summary>output[i] = 1 / (1 + exp(-input[i])).</summary>
    public static void Sigmoid(Index1D index, ArrayView<float> input, ArrayView<float> output) =>
        output[index.X] = 1f / (1f + Exp(-input[index.X]));

    /// <summary>output[i] = input[i] for input ≥ 0, else alpha · input[i].</summary>
    public static void LeakyRelu(Index1D index, ArrayView<float> input, float alpha, ArrayView<float> output)
    {
        var v = input[index.X];
        output[index.X] = v < 0f ? alpha * v : v;
    }

    /// <summary>
    /// One of the functions of one value by its index in the manifest's list (0 Tanh, 1 Exp, 2 Neg, 3 Sqrt, 4 Erf):
    /// one kernel for all of them, the branch uniform across a launch.
    /// </summary>
    public static void Unary(Index1D index, ArrayView<float> input, int function, ArrayView<float> output)
    {
        var x = input[index.X];
        output[index.X] = function switch
        {
            0 => IntrinsicMath.CPUOnly.Tanh(x),
            1 => Exp(x),
            2 => -x,
            3 => IntrinsicMath.CPUOnly.Sqrt(x),
            _ => Erf(x),
        };
    }

    // Abramowitz and Stegun 7.1.26, within 1.5e-7, as the CPU kernel.
    private static float Erf(float x)
    {
        var a = x < 0f ? -x : x;
        var t = 1f / (1f + (0.3275911f * a));
        var poly = t * (0.254829592f + (t * (-0.284496736f + (t * (1.421413741f + (t * (-1.453152027f + (t * 1.061405429f))))))));
        var y = 1f - (poly * Exp(-a * a));
        return x < 0f ? -y : y;
    }

    /// <summary>output[i] = x · Φ(x), GELU's Erf form, erf by Abramowitz and Stegun 7.1.26 (within 1.5e-7), as the CPU kernel.</summary>
    public static void Gelu(Index1D index, ArrayView<float> input, ArrayView<float> output)
    {
        var x = input[index.X];
        output[index.X] = 0.5f * x * (1f + Erf(x * 0.70710678f));
    }

    /// <summary>output[i] = max(0, min(1, alpha · input[i] + beta)).</summary>
    public static void HardSigmoid(Index1D index, ArrayView<float> input, float alpha, float beta, ArrayView<float> output)
    {
        var v = (alpha * input[index.X]) + beta;
        output[index.X] = v < 0f ? 0f : v > 1f ? 1f : v;
    }

    /// <summary>output[i] = a[i] · b[i / plane]: one factor per value, or per channel plane.</summary>
    public static void Multiply(Index1D index, ArrayView<float> a, ArrayView<float> b, int plane, ArrayView<float> output) =>
        output[index.X] = a[index.X] * b[index.X / plane];

    /// <summary>
    /// Output value (p, r, c) of a batch of matrix products: row r of product p's left matrix (starting at
    /// aStart[p]) times column c of its right one (at bStart[p]), a thread per output value.
    /// </summary>
    public static void MatMul(Index1D index, ArrayView<float> a, ArrayView<float> b, ArrayView<int> aStart, ArrayView<int> bStart, ArrayView<float> output, MatMulShape s)
    {
        var p = index.X / (s.M * s.N);
        var r = index.X / s.N % s.M;
        var c = index.X % s.N;
        var (left, right) = (aStart[p] + ((long)r * s.K), (long)bStart[p] + c);
        var sum = 0f;
        for (var k = 0; k < s.K; k++)
        {
            sum += a[left + k] * b[right + ((long)k * s.N)];
        }

        output[index.X] = sum;
    }

    /// <summary>output = a ∘ b with numpy broadcasting, a thread per output value (<see cref="BroadcastShape"/>).</summary>
    public static void Broadcast(Index1D index, ArrayView<float> a, ArrayView<float> b, ArrayView<float> output, BroadcastShape s)
    {
        var x = a[s.Output.Offset(index.X, s.A)];
        var y = b[s.Output.Offset(index.X, s.B)];
        output[index.X] = s.Function switch
        {
            0 => x + y,
            1 => x - y,
            2 => x * y,
            3 => x / y,
            _ => Pow(x, y),
        };
    }

    /// <summary>x^y as MathF.Pow gives it for the cases models meet: y = 0 gives 1; a negative base takes a whole exponent's sign, any other is NaN.</summary>
    private static float Pow(float x, float y)
    {
        if (y == 0f)
        {
            return 1f;
        }

        var magnitude = Exp2(y * Log2(x < 0f ? -x : x));
        if (!(x < 0f))
        {
            return magnitude;
        }

        var whole = (long)y;
        return whole != y ? float.NaN : (whole & 1) != 0 ? -magnitude : magnitude;
    }

    /// <summary>output[i] = a[i] + b[i], then ReLU when <paramref name="relu"/> is not 0.</summary>
    public static void Add(Index1D index, ArrayView<float> a, ArrayView<float> b, ArrayView<float> output, int relu)
    {
        var v = a[index.X] + b[index.X];
        output[index.X] = relu != 0 && v < 0f ? 0f : v;
    }

    /// <summary>
    /// Thread per (outer, inner) line of <paramref name="input"/> viewed as [outer, axisLength, inner]:
    /// subtracts the line's maximum, exponentiates, divides by the sum.
    /// </summary>
    public static void Softmax(Index1D index, ArrayView<float> input, ArrayView<float> output, int axisLength, int inner)
    {
        var o = index.X / inner;
        var i = index.X % inner;
        long start = ((long)o * axisLength * inner) + i;
        var max = float.NegativeInfinity;
        for (var k = 0; k < axisLength; k++)
        {
            max = IntrinsicMath.Max(max, input[start + ((long)k * inner)]);
        }

        var sum = 0f;
        for (var k = 0; k < axisLength; k++)
        {
            long at = start + ((long)k * inner);
            var e = Exp(input[at] - max);
            output[at] = e;
            sum += e;
        }

        var scale = 1f / sum;
        for (var k = 0; k < axisLength; k++)
        {
            output[start + ((long)k * inner)] *= scale;
        }
    }

    /// <summary>One Concat operand: input [outer, inner] into output [outer, outputInner] at column <paramref name="offset"/>.</summary>
    public static void CopyBlock(Index1D index, ArrayView<float> input, ArrayView<float> output, int inner, int outputInner, int offset)
    {
        var o = index.X / inner;
        var i = index.X % inner;
        output[((long)o * outputInner) + offset + i] = input[index.X];
    }

    /// <summary>Cross-channel LRN, thread per value (NCHW).</summary>
    public static void Lrn(Index1D index, ArrayView<float> input, ArrayView<float> output, LrnShape s)
    {
        var p = index.X % s.Pixels;
        var plane = index.X / s.Pixels;
        var c = plane % s.Channels;
        long imageStart = (long)(plane - c) * s.Pixels;
        var sum = 0f;
        var last = IntrinsicMath.Min(s.Channels - 1, c + s.After);
        for (var k = IntrinsicMath.Max(0, c - s.Before); k <= last; k++)
        {
            var v = input[imageStart + ((long)k * s.Pixels) + p];
            sum += v * v;
        }

        var denominator = s.Bias + (s.Scale * sum);
        output[index.X] = input[index.X] * Exp2(-s.Beta * Log2(denominator));
    }

    private static float Exp(float x) => Exp2(x * Log2E);

    private static float Exp2(float x) => IntrinsicMath.CPUOnly.Exp2(x);

    private static float Log2(float x) => IntrinsicMath.CPUOnly.Log2(x);
}
