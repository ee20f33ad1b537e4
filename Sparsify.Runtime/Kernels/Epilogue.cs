using System.Numerics;
using System.Runtime.Intrinsics;

namespace Sparsify.Runtime.Kernels;

/// <summary>
/// What follows a layer's sums: + residual, then the activation. Element by element, so results do not
/// depend on how the output was cut into tiles or threads.
/// </summary>
internal static unsafe class Epilogue
{
    /// <summary>
    /// On rows [rowStart, rowEnd) and columns [colStart, colEnd) of <paramref name="c"/> (row stride
    /// <paramref name="ldc"/>): adds <paramref name="residual"/> (null: none; laid out like c), then
    /// applies <paramref name="activation"/>.
    /// </summary>
    public static void Apply(float* c, float* residual, nint ldc, int rowStart, int rowEnd, int colStart, int colEnd, Activation activation)
    {
        if ((residual == null && activation.IsNone) || colEnd <= colStart)
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

            activation.Apply(values, values);
        }
    }

    /// <summary>
    /// <see cref="Apply"/> on sixteen columns from <paramref name="colStart"/>: one GEMM panel, applied
    /// right after its last micro-kernel call while it is in L1, two vectors a row.
    /// </summary>
    public static void ApplyPanel(float* c, float* residual, nint ldc, int rowStart, int rowEnd, int colStart, Activation activation)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            Apply(c, residual, ldc, rowStart, rowEnd, colStart, colStart + 16, activation);
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

            Vector256.Store(activation.Apply(lo), c + offset);
            Vector256.Store(activation.Apply(hi), c + offset + 8);
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
}
