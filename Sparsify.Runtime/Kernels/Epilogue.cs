using System.Numerics;
using System.Runtime.Intrinsics;

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

    /// <summary>
    /// <see cref="Apply"/> on sixteen columns from <paramref name="colStart"/>: one GEMM panel, applied
    /// right after its last micro-kernel call while it is in L1, two vectors a row.
    /// </summary>
    public static void ApplyPanel(float* c, float* residual, nint ldc, int rowStart, int rowEnd, int colStart, bool relu)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            Apply(c, residual, ldc, rowStart, rowEnd, colStart, colStart + 16, relu);
            return;
        }

        for (int row = rowStart; row < rowEnd; row++)
        {
            nint offset = (row * ldc) + colStart;
            var lo = Vector256.Load(c + offset);
            var hi = Vector256.Load(c + offset + 8);
            if (residual != null)
            {
                lo += Vector256.Load(residual + offset);
                hi += Vector256.Load(residual + offset + 8);
            }

            if (relu)
            {
                lo = Relu(lo);
                hi = Relu(hi);
            }

            Vector256.Store(lo, c + offset);
            Vector256.Store(hi, c + offset + 8);
        }
    }

    /// <summary>max(x, 0) lane by lane as <see cref="Relu(ReadOnlySpan{float}, Span{float})"/> defines it.</summary>
    private static Vector256<float> Relu(Vector256<float> x)
        => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero) | ~Vector256.Equals(x, x), x, Vector256<float>.Zero);

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
