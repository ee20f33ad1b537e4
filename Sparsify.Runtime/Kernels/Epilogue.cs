using System.Numerics;

namespace Sparsify.Runtime.Kernels;

/// <summary>
/// What follows a layer's sums: + residual, then ReLU. Element by element, so results do not depend
/// on how the output was cut into tiles or threads.
/// </summary>
internal static unsafe class Epilogue
{
    /// <summary>
    /// On rows [rowStart, rowEnd) and columns [colStart, colEnd) of <paramref name="c"/> (row stride
    /// <paramref name="ldc"/>): adds <paramref name="residual"/> (null: none; laid out like c), then
    /// takes max(·, 0) when <paramref name="relu"/>.
    /// </summary>
    public static void Apply(float* c, float* residual, nint ldc, int rowStart, int rowEnd, int colStart, int colEnd, bool relu)
    {
        if ((residual == null && !relu) || colEnd <= colStart)
        {
            return;
        }

        int length = colEnd - colStart;
        for (int row = rowStart; row < rowEnd; row++)
        {
            nint offset = (row * ldc) + colStart;
            var values = new Span<float>(c + offset, length);
            if (residual != null)
            {
                Add(values, new ReadOnlySpan<float>(residual + offset, length), values);
            }

            if (relu)
            {
                Relu(values, values);
            }
        }
    }

    /// <summary>output = a + b, element by element (output may alias either input).</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                (new Vector<float>(a[i..]) + new Vector<float>(b[i..])).CopyTo(output[i..]);
            }
        }

        for (; i < a.Length; i++)
        {
            output[i] = a[i] + b[i];
        }
    }

    /// <summary>output = max(input, 0) as <see cref="Math.Max(float, float)"/> defines it: NaN stays NaN, -0 becomes +0.</summary>
    public static void Relu(ReadOnlySpan<float> input, Span<float> output)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= input.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var x = new Vector<float>(input[i..]);
                var keep = Vector.GreaterThan(x, Vector<float>.Zero) | ~Vector.Equals(x, x);
                Vector.ConditionalSelect(keep, x, Vector<float>.Zero).CopyTo(output[i..]);
            }
        }

        for (; i < input.Length; i++)
        {
            output[i] = Math.Max(input[i], 0f);
        }
    }
}
