using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

/// <summary>The epilogue: from a computed tile to the valid pixels of the NCHW output.</summary>
public sealed unsafe partial class SparseConvolutionDriver
{
    /// <summary>Eight all-ones lanes then eight zero lanes: loading 8 ints at [8 - n] gives the mask of the first n lanes.</summary>
    private static readonly int[] TailMasks = [-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>Adds bias (and residual), applies ReLU, and stores the tile's valid pixels of every row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StoreTile(int group, int tileIndex, float* tile)
    {
        var g = _geometry;
        var gridWidth = _layout.GridWidth;
        var planeFloats = (long)g.OutHeight * g.OutWidth;
        var first = tileIndex * Tile;
        var end = Math.Min(first + Tile, _layout.GridPixels);
        var firstChannel = group * _rowsPerGroup;

        // Walk the tile one grid row segment at a time (columns at or past OutWidth are discarded),
        // storing the segment of every row of the group.
        for (var i = first; i < end;)
        {
            var oy = i / gridWidth;
            var ox = i - (oy * gridWidth);
            var segment = Math.Min(end - i, gridWidth - ox);
            var valid = Math.Min(segment, g.OutWidth - ox);
            if (valid > 0)
            {
                var at = ((long)oy * g.OutWidth) + ox;
                var source = tile + (i - first);
                for (var row = 0; row < _rowsPerGroup; row++)
                {
                    var channel = firstChannel + row;
                    var offset = (channel * planeFloats) + at;
                    Store(source + (row * Tile), _output + offset, _residual == null ? null : _residual + offset, _bias[channel], valid, _relu);
                }
            }

            i += segment;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Store(float* source, float* target, float* residual, float bias, int count, bool relu)
    {
        if (Avx2.IsSupported)
        {
            StoreAvx(source, target, residual, bias, count, relu);
            return;
        }

        for (var i = 0; i < count; i++)
        {
            var v = source[i] + bias;
            if (residual != null)
            {
                v += residual[i];
            }

            target[i] = relu ? Math.Max(v, 0f) : v;
        }
    }

    /// <summary>
    /// Whole vectors, then the tail as one more whole vector ending at the segment's end (it rewrites a
    /// few values with the same results; every value it touches belongs to this segment, so no other
    /// work item's pixels). Segments shorter than a vector go through a lane mask.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StoreAvx(float* source, float* target, float* residual, float bias, int count, bool relu)
    {
        var b = Vector256.Create(bias);
        if (count < 8)
        {
            fixed (int* masks = TailMasks)
            {
                var mask = Avx.LoadVector256(masks + 8 - count).AsSingle();
                var v = Avx.LoadVector256(source) + b;
                if (residual != null)
                {
                    v += Avx.MaskLoad(residual, mask);
                }

                Avx.MaskStore(target, mask, relu ? Avx.Max(v, Vector256<float>.Zero) : v);
            }

            return;
        }

        var i = 0;
        for (; i + 8 <= count; i += 8)
        {
            StoreVector(source + i, target + i, residual == null ? null : residual + i, b, relu);
        }

        if (i < count)
        {
            i = count - 8;
            StoreVector(source + i, target + i, residual == null ? null : residual + i, b, relu);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreVector(float* source, float* target, float* residual, Vector256<float> bias, bool relu)
    {
        var v = Avx.LoadVector256(source) + bias;
        if (residual != null)
        {
            v += Avx.LoadVector256(residual);
        }

        Avx.Store(target, relu ? Avx.Max(v, Vector256<float>.Zero) : v);
    }
}
