using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

/// <summary>Copying an image into the phase planes.</summary>
public sealed partial class ConvInputLayout
{
    /// <summary>
    /// Writes the planes of channels [first, end). With <paramref name="interiorOnly"/> only the floats
    /// that come from the image are written, and only in planes some tap reads: the zeros sit at the
    /// same places for every image, so a buffer cleared once keeps them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal unsafe void FillChannels(float* image, float* buffer, int first, int end, bool interiorOnly)
    {
        ref readonly var g = ref _geometry;
        int sh = g.StrideH, sw = g.StrideW;
        for (var c = first; c < end; c++)
        {
            var channel = image + ((long)c * g.InHeight * g.InWidth);
            var channelPlanes = buffer + ((long)c * sh * sw * PlaneStride);
            for (var ph = 0; ph < sh; ph++)
            {
                if (interiorOnly && !_rowPhaseUsed[ph])
                {
                    continue;
                }

                if (sw == 2)
                {
                    FillPlanePair(channel, channelPlanes + ((long)ph * 2 * PlaneStride), ph, interiorOnly);
                    continue;
                }

                for (var pw = 0; pw < sw; pw++)
                {
                    if (!interiorOnly || _columnPhaseUsed[pw])
                    {
                        FillPlane(channel, channelPlanes + ((((long)ph * sw) + pw) * PlaneStride), ph, pw, interiorOnly);
                    }
                }
            }
        }
    }

    /// <summary>Which row phases (tap row mod StrideH) and column phases some tap reads.</summary>
    private static bool[] UsedPhases(int kernel, int dilation, int stride)
    {
        var used = new bool[stride];
        for (var k = 0; k < kernel; k++)
        {
            used[k * dilation % stride] = true;
        }

        return used;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void FillPlane(float* channel, float* plane, int ph, int pw, bool interiorOnly)
    {
        ref readonly var g = ref _geometry;
        int sh = g.StrideH, sw = g.StrideW, wq = GridWidth;
        var (x0, x1) = _columnRanges[pw];
        var firstInputColumn = (x0 * sw) + pw - g.PadLeft;
        for (var y = 0; y < _planeRows; y++)
        {
            var row = plane + ((long)y * wq);
            var iy = (y * sh) + ph - g.PadTop;
            if (iy < 0 || iy >= g.InHeight)
            {
                if (!interiorOnly)
                {
                    new Span<float>(row, wq).Clear();
                }

                continue;
            }

            if (!interiorOnly)
            {
                new Span<float>(row, x0).Clear();
                new Span<float>(row + x1, wq - x1).Clear();
            }

            var source = channel + ((long)iy * g.InWidth) + firstInputColumn;
            if (sw == 1)
            {
                CopyRow(source, row + x0, x1 - x0);
            }
            else
            {
                for (var x = x0; x < x1; x++, source += sw)
                {
                    row[x] = *source;
                }
            }
        }

        if (!interiorOnly)
        {
            var used = (long)_planeRows * wq;
            new Span<float>(plane + used, (int)(PlaneStride - used)).Clear();
        }
    }

    /// <summary>
    /// Stride-2 columns: both column phases of a row phase in one pass, deinterleaving 16 floats at a
    /// time (with <paramref name="interiorOnly"/> a phase no tap reads is left alone).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void FillPlanePair(float* channel, float* planes, int ph, bool interiorOnly)
    {
        ref readonly var g = ref _geometry;
        var wq = GridWidth;
        var even = planes;
        var odd = planes + PlaneStride;
        var storeOdd = !interiorOnly || _columnPhaseUsed[1];
        if (!interiorOnly)
        {
            new Span<float>(even, PlaneStride).Clear();
            new Span<float>(odd, PlaneStride).Clear();
        }

        // Padded column s = x·2 + pw reads input column s - PadLeft; walk input columns in pairs
        // starting at the first one whose padded column is even.
        var start = g.PadLeft % 2;
        var x = (start + g.PadLeft) / 2;
        var pairs = Math.Max(0, Math.Min((g.InWidth - start) / 2, wq - x));
        for (var y = 0; y < _planeRows; y++)
        {
            var iy = (y * g.StrideH) + ph - g.PadTop;
            if (iy < 0 || iy >= g.InHeight)
            {
                continue;
            }

            var source = channel + ((long)iy * g.InWidth);
            var evenRow = even + ((long)y * wq);
            var oddRow = odd + ((long)y * wq);
            if (start == 1 && storeOdd && g.PadLeft / 2 < wq)
            {
                // Input column 0 sits at an odd padded column.
                oddRow[g.PadLeft / 2] = source[0];
            }

            Deinterleave(source + start, evenRow + x, storeOdd ? oddRow + x : null, pairs);
            var last = start + (2 * pairs);
            if (last < g.InWidth && x + pairs < wq)
            {
                evenRow[x + pairs] = source[last];
            }
        }
    }

    /// <summary>even[i] = source[2i], odd[i] = source[2i + 1] (unless odd is null) for i in [0, pairs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Deinterleave(float* source, float* even, float* odd, int pairs)
    {
        var i = 0;
        if (Avx2.IsSupported)
        {
            for (; i + 8 <= pairs; i += 8)
            {
                var a = Avx.LoadVector256(source + (2 * i));
                var b = Avx.LoadVector256(source + (2 * i) + 8);

                // Per 128-bit lane: [a0 a2 b0 b2 | a4 a6 b4 b6], then the 64-bit pairs reordered to [a0 a2 a4 a6 b0 b2 b4 b6].
                var evens = Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble();
                var odds = Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble();
                Avx.Store(even + i, Avx2.Permute4x64(evens, 0b11_01_10_00).AsSingle());
                if (odd != null)
                {
                    Avx.Store(odd + i, Avx2.Permute4x64(odds, 0b11_01_10_00).AsSingle());
                }
            }
        }

        if (Avx2.IsSupported && pairs >= 8)
        {
            // The last pairs as one more vector ending at the end: a few values are rewritten unchanged.
            if (i < pairs)
            {
                Deinterleave(source + (2 * (pairs - 8)), even + pairs - 8, odd == null ? null : odd + pairs - 8, 8);
            }

            return;
        }

        if (Sse.IsSupported && pairs is >= 4 and <= 8)
        {
            // Short rows (deep layers): the first and the last four pairs, overlapping.
            Deinterleave4(source, even, odd);
            Deinterleave4(source + (2 * (pairs - 4)), even + pairs - 4, odd == null ? null : odd + pairs - 4);
            return;
        }

        for (; i < pairs; i++)
        {
            even[i] = source[2 * i];
            if (odd != null)
            {
                odd[i] = source[(2 * i) + 1];
            }
        }
    }

    /// <summary>Four pairs: even[0..4) and odd[0..4) (unless odd is null) from source[0..8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Deinterleave4(float* source, float* even, float* odd)
    {
        var a = Sse.LoadVector128(source);
        var b = Sse.LoadVector128(source + 4);
        Sse.Store(even, Sse.Shuffle(a, b, 0b10_00_10_00));
        if (odd != null)
        {
            Sse.Store(odd, Sse.Shuffle(a, b, 0b11_01_11_01));
        }
    }

    /// <summary>
    /// Copies a row of <paramref name="count"/> floats. Rows of deep layers are short (7 to 28 floats)
    /// and there are thousands of them, so the fixed cost of a general copy call would dominate: whole
    /// vectors, then one overlapping vector for the tail, reading and writing only the row's floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void CopyRow(float* source, float* target, int count)
    {
        if (count >= 8 && Vector256.IsHardwareAccelerated)
        {
            var i = 0;
            for (; i <= count - 8; i += 8)
            {
                Vector256.Store(Vector256.Load(source + i), target + i);
            }

            if (i < count)
            {
                Vector256.Store(Vector256.Load(source + count - 8), target + count - 8);
            }
        }
        else if (count is >= 4 and <= 8 && Vector128.IsHardwareAccelerated)
        {
            Vector128.Store(Vector128.Load(source), target);
            Vector128.Store(Vector128.Load(source + count - 4), target + count - 4);
        }
        else if (count > 8)
        {
            new ReadOnlySpan<float>(source, count).CopyTo(new Span<float>(target, count));
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                target[i] = source[i];
            }
        }
    }

    /// <summary>Plane columns x whose input column x·SW + pw - PadLeft lies inside the image: [x0, x1).</summary>
    private (int X0, int X1) ComputeColumnRange(int pw)
    {
        ref readonly var g = ref _geometry;
        var x0 = Math.Min(GridWidth, CeilDiv(Math.Max(0, g.PadLeft - pw), g.StrideW));
        var x1 = Math.Clamp(FloorDiv(g.InWidth - 1 + g.PadLeft - pw, g.StrideW) + 1, x0, GridWidth);
        return (x0, x1);
    }

    private static int CeilDiv(int value, int divisor) => (value + divisor - 1) / divisor;

    private static int FloorDiv(int value, int divisor) => value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor);
}
