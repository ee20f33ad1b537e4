using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

/// <summary>The epilogue: from a computed tile to the valid pixels of the NCHW output.</summary>
public sealed unsafe partial class SparseConvolutionDriver
{
    /// <summary>Adds bias (and residual), applies the activation, and stores the tile's valid pixels of every row.</summary>
    /// <remarks>
    /// A tile covers consecutive grid rows, so its valid pixels of one channel are one contiguous run of
    /// the NCHW plane, segment after segment. A segment may therefore be stored as whole vectors running
    /// past its end: the extra values land on later segments of the same run, which are stored after it.
    /// Only where that would pass the run's end (the last segments) is the store exact.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StoreTile<TFunction>(int group, int tileIndex, float* tile, in Call call, TFunction function)
        where TFunction : struct, IActivationFunction
    {
        if (call.Target.Layout != null)
        {
            StoreTileInto(group, tileIndex, tile, in call, function);
            return;
        }

        var g = _geometry;
        var gridWidth = _layout.GridWidth;
        var planeFloats = (long)g.OutHeight * g.OutWidth;
        var first = tileIndex * Tile;
        var end = Math.Min(first + Tile, _layout.GridPixels);
        var firstChannel = group * _rowsPerGroup;
        var lastRow = (end - 1) / gridWidth;
        var runEnd = ((long)lastRow * g.OutWidth) + Math.Min(end - 1 - (lastRow * gridWidth) + 1, g.OutWidth);
        var vectors = Avx.IsSupported;

        for (var i = first; i < end;)
        {
            var (oy, ox, segment, valid) = Segment(i, end);
            if (valid > 0)
            {
                var at = ((long)oy * g.OutWidth) + ox;
                var source = tile + (i - first);
                var whole = (valid + 7) & ~7;
                var overrun = vectors && at + whole <= runEnd;
                for (var row = 0; row < _rowsPerGroup; row++)
                {
                    var channel = firstChannel + row;
                    var offset = (channel * planeFloats) + at;
                    var residual = call.Residual == null ? null : call.Residual + offset;
                    if (overrun)
                    {
                        StoreVectors(source + (row * Tile), call.Output + offset, residual, Vector256.Create(_bias[channel]), whole, function);
                    }
                    else
                    {
                        Store(source + (row * Tile), call.Output + offset, residual, _bias[channel], valid, function);
                    }
                }
            }

            i += segment;
        }
    }

    /// <summary>
    /// The grid row segment from pixel <paramref name="i"/> to the row's or the tile's end: its output row and
    /// column, its length, and how many of its pixels are output pixels (the rest are the grid's extra columns).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (int Oy, int Ox, int Segment, int Valid) Segment(int i, int end)
    {
        var gridWidth = _layout.GridWidth;
        var oy = i / gridWidth;
        var ox = i - (oy * gridWidth);
        var segment = Math.Min(end - i, gridWidth - ox);
        return (oy, ox, segment, Math.Min(segment, _geometry.OutWidth - ox));
    }

    /// <summary>Exactly <paramref name="count"/> values: whole vectors, the tail as one more vector ending at the end; 4 to 7 as two overlapping 128-bit vectors; scalars below that.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Store<TFunction>(float* source, float* target, float* residual, float bias, int count, TFunction activation)
        where TFunction : struct, IActivationFunction
    {
        if (count is >= 4 and < 8 && Sse.IsSupported)
        {
            // Short rows (7 pixels in ResNet's last stage): the first four and the last four, overlapping.
            var b4 = Vector128.Create(bias);
            StoreVector(source, target, residual, b4, activation);
            var t = count - 4;
            StoreVector(source + t, target + t, residual == null ? null : residual + t, b4, activation);
            return;
        }

        if (!Avx.IsSupported || count < 8)
        {
            // Scalars, not a masked store: AMD cores run VMASKMOVPS stores in microcode.
            for (var i = 0; i < count; i++)
            {
                var v = source[i] + bias;
                if (residual != null)
                {
                    v += residual[i];
                }

                target[i] = activation.Apply(v);
            }

            return;
        }

        // The last vector rewrites a few values with the same results; all of them are this segment's.
        var b = Vector256.Create(bias);
        var whole = count & ~7;
        StoreVectors(source, target, residual, b, whole, activation);
        if (whole < count)
        {
            var i = count - 8;
            StoreVector(source + i, target + i, residual == null ? null : residual + i, b, activation);
        }
    }

    /// <summary><paramref name="count"/> (a multiple of 8) values as whole vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreVectors<TFunction>(float* source, float* target, float* residual, Vector256<float> bias, int count, TFunction activation)
        where TFunction : struct, IActivationFunction
    {
        for (var i = 0; i < count; i += 8)
        {
            StoreVector(source + i, target + i, residual == null ? null : residual + i, bias, activation);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreVector<TFunction>(float* source, float* target, float* residual, Vector128<float> bias, TFunction activation)
        where TFunction : struct, IActivationFunction
    {
        var v = Sse.LoadVector128(source) + bias;
        if (residual != null)
        {
            v += Sse.LoadVector128(residual);
        }

        Sse.Store(target, activation.Apply(v));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreVector<TFunction>(float* source, float* target, float* residual, Vector256<float> bias, TFunction activation)
        where TFunction : struct, IActivationFunction
    {
        var v = Avx.LoadVector256(source) + bias;
        if (residual != null)
        {
            v += Avx.LoadVector256(residual);
        }

        Avx.Store(target, activation.Apply(v));
    }

    /// <summary>One tile's store, run with the call's activation as a type (<see cref="Activation.Specialize{TKernel}"/>).</summary>
    private readonly struct TileStore(SparseConvolutionDriver driver, int group, int tileIndex, float* tile, Call call) : IActivationKernel
    {
        public void Run<TFunction>(TFunction function)
            where TFunction : struct, IActivationFunction
            => driver.StoreTile(group, tileIndex, tile, in call, function);
    }
}
