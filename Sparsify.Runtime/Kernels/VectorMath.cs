using System.Numerics;

namespace Sparsify.Runtime.Kernels;

/// <summary>
/// Vector loops the kernels share. Reductions always combine lanes in the same order, so a result
/// depends only on the data, never on threads.
/// </summary>
internal static class VectorMath
{
    /// <summary>destination += x · scale, element by element (a multiply then an add, not fused).</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, float scale, Span<float> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = new Vector<float>(scale);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                ((new Vector<float>(x[i..]) * s) + new Vector<float>(destination[i..])).CopyTo(destination[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = (x[i] * scale) + destination[i];
        }
    }

    /// <summary>destination = x · y, element by element.</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                (new Vector<float>(x[i..]) * new Vector<float>(y[i..])).CopyTo(destination[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = x[i] * y[i];
        }
    }

    /// <summary>destination = x · scale + shift, element by element (a multiply then an add, not fused).</summary>
    public static void ScaleShift(ReadOnlySpan<float> x, float scale, float shift, Span<float> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = new Vector<float>(scale);
            var b = new Vector<float>(shift);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                ((new Vector<float>(x[i..]) * s) + b).CopyTo(destination[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = (x[i] * scale) + shift;
        }
    }

    /// <summary>destination = x · scale, element by element.</summary>
    public static void Scale(ReadOnlySpan<float> x, float scale, Span<float> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = new Vector<float>(scale);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                (new Vector<float>(x[i..]) * s).CopyTo(destination[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = x[i] * scale;
        }
    }

    /// <summary>The sum of <paramref name="x"/>: lane-wise partial sums, then the lanes in order.</summary>
    public static float Sum(ReadOnlySpan<float> x)
    {
        int i = 0;
        float sum = 0f;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                acc += new Vector<float>(x[i..]);
            }

            for (int lane = 0; lane < Vector<float>.Count; lane++)
            {
                sum += acc[lane];
            }
        }

        for (; i < x.Length; i++)
        {
            sum += x[i];
        }

        return sum;
    }

    /// <summary>The dot product of <paramref name="x"/> and <paramref name="y"/>: lane-wise partial sums, then the lanes in order.</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int i = 0;
        float sum = 0f;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var acc0 = Vector<float>.Zero;
            var acc1 = Vector<float>.Zero;
            int step = 2 * Vector<float>.Count;
            for (; i <= x.Length - step; i += step)
            {
                acc0 += new Vector<float>(x[i..]) * new Vector<float>(y[i..]);
                acc1 += new Vector<float>(x[(i + Vector<float>.Count)..]) * new Vector<float>(y[(i + Vector<float>.Count)..]);
            }

            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                acc0 += new Vector<float>(x[i..]) * new Vector<float>(y[i..]);
            }

            acc0 += acc1;
            for (int lane = 0; lane < Vector<float>.Count; lane++)
            {
                sum += acc0[lane];
            }
        }

        for (; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    /// <summary>The largest value (NaN if any is NaN); negative infinity for an empty span.</summary>
    public static float Max(ReadOnlySpan<float> x)
    {
        float max = float.NegativeInfinity;
        foreach (float v in x)
        {
            max = Math.Max(max, v);
        }

        return max;
    }
}
