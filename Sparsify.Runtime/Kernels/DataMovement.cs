namespace Sparsify.Runtime.Kernels;

/// <summary>Steps that only move values: a slice of one axis, ShuffleNet's channel shuffle, a Pad of H and W and a Transpose.</summary>
public static class DataMovement
{
    /// <summary>
    /// output = input with its axes permuted: output axis i is input axis <paramref name="perm"/>[i], both
    /// row-major, the input of shape <paramref name="shape"/>.
    /// </summary>
    public static void Transpose(ReadOnlySpan<float> input, ReadOnlySpan<int> shape, ReadOnlySpan<int> perm, Span<float> output)
    {
        var rank = shape.Length;
        if (!Manifests.TransposeParameters.IsPermutation(perm, rank))
        {
            throw new ArgumentException($"[{string.Join(", ", perm.ToArray())}] is not a permutation of {rank} axes.", nameof(perm));
        }

        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        if (input.Length < count || output.Length < count)
        {
            throw new ArgumentException($"Transposing {count} values: the input holds {input.Length}, the output {output.Length}.", nameof(input));
        }

        if (count == 0)
        {
            return;
        }

        // Each output axis's length and step in the input; the last output axis is the inner loop.
        Span<long> inputStride = stackalloc long[rank];
        long stride = 1;
        for (var axis = rank - 1; axis >= 0; axis--)
        {
            inputStride[axis] = stride;
            stride *= shape[axis];
        }

        Span<int> length = stackalloc int[rank];
        Span<long> step = stackalloc long[rank];
        for (var axis = 0; axis < rank; axis++)
        {
            length[axis] = shape[perm[axis]];
            step[axis] = inputStride[perm[axis]];
        }

        Span<int> index = stackalloc int[rank];
        var inner = rank == 0 ? 1 : length[rank - 1];
        var innerStep = rank == 0 ? 0 : step[rank - 1];
        long from = 0;
        for (long at = 0; at < count; at += inner)
        {
            for (var i = 0; i < inner; i++)
            {
                output[(int)(at + i)] = input[(int)(from + (i * innerStep))];
            }

            for (var axis = rank - 2; axis >= 0; axis--)
            {
                from += step[axis];
                if (++index[axis] < length[axis])
                {
                    break;
                }

                from -= step[axis] * length[axis];
                index[axis] = 0;
            }
        }
    }

    /// <summary>
    /// Pads <paramref name="planes"/> planes of <paramref name="height"/> × <paramref name="width"/> by
    /// <paramref name="pads"/>: with <paramref name="value"/> (<paramref name="mode"/> "constant"), mirrored
    /// without repeating the edge ("reflect", each pad shorter than its side) or repeating the edge ("edge").
    /// </summary>
    public static void Pad(ReadOnlySpan<float> input, int planes, int height, int width, Padding2D pads, string mode, float value, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(planes);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (pads.Top < 0 || pads.Left < 0 || pads.Bottom < 0 || pads.Right < 0)
        {
            throw new ArgumentException($"Pads {pads} must not be negative.", nameof(pads));
        }

        var reflect = mode == "reflect";
        if (mode is not ("constant" or "reflect" or "edge")
            || (reflect && (Math.Max(pads.Top, pads.Bottom) >= height || Math.Max(pads.Left, pads.Right) >= width)))
        {
            throw new ArgumentException($"A Pad '{mode}' by {pads} of {height}x{width} planes is not one the runtime has (reflect needs pads shorter than the side).", nameof(mode));
        }

        var (outHeight, outWidth) = (height + pads.Top + pads.Bottom, width + pads.Left + pads.Right);
        if (input.Length < (long)planes * height * width || output.Length < (long)planes * outHeight * outWidth)
        {
            throw new ArgumentException($"Padding {planes}x{height}x{width}: the input holds {input.Length} values, the output {output.Length}.", nameof(input));
        }

        // The source index of each padded coordinate, or -1 for the constant.
        int Source(int at, int size) => at >= 0 && at < size ? at
            : mode == "constant" ? -1
            : reflect ? (at < 0 ? -at : (2 * (size - 1)) - at)
            : Math.Clamp(at, 0, size - 1);
        for (var p = 0; p < planes; p++)
        {
            var plane = input.Slice(p * height * width, height * width);
            var padded = output.Slice(p * outHeight * outWidth, outHeight * outWidth);
            for (var oh = 0; oh < outHeight; oh++)
            {
                var ih = Source(oh - pads.Top, height);
                for (var ow = 0; ow < outWidth; ow++)
                {
                    var iw = Source(ow - pads.Left, width);
                    padded[(oh * outWidth) + ow] = ih < 0 || iw < 0 ? value : plane[(ih * width) + iw];
                }
            }
        }
    }

    /// <summary>
    /// Copies indices [<paramref name="start"/>, <paramref name="end"/>) of one axis: the input read as
    /// [outer, axisLength, inner], the output as [outer, end - start, inner].
    /// </summary>
    public static void Slice(ReadOnlySpan<float> input, int outer, int axisLength, int inner, int start, int end, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outer);
        ArgumentOutOfRangeException.ThrowIfNegative(inner);
        if (start < 0 || start >= end || end > axisLength)
        {
            throw new ArgumentException($"A slice [{start}, {end}) does not fit an axis of {axisLength}.", nameof(start));
        }

        var (block, taken) = ((long)axisLength * inner, (long)(end - start) * inner);
        if (input.Length < outer * block || output.Length < outer * taken)
        {
            throw new ArgumentException($"Slicing {outer}x{axisLength}x{inner}: the input holds {input.Length} values, the output {output.Length}.", nameof(input));
        }

        for (var o = 0; o < outer; o++)
        {
            input.Slice((int)((o * block) + ((long)start * inner)), (int)taken).CopyTo(output.Slice((int)(o * taken), (int)taken));
        }
    }

    /// <summary>
    /// The channel shuffle of <paramref name="batch"/> images of <paramref name="channels"/> planes of
    /// <paramref name="plane"/> values: channels read as groups × (channels / groups) and transposed, so
    /// output channel j · groups + g is input channel g · (channels / groups) + j.
    /// </summary>
    public static void ChannelShuffle(ReadOnlySpan<float> input, int batch, int channels, int plane, int groups, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(plane, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        if (channels % groups != 0)
        {
            throw new ArgumentException($"{channels} channels do not divide into {groups} groups.", nameof(groups));
        }

        var image = (long)channels * plane;
        if (input.Length < batch * image || output.Length < batch * image)
        {
            throw new ArgumentException($"Shuffling {batch}x{channels}x{plane}: the input holds {input.Length} values, the output {output.Length}.", nameof(input));
        }

        var perGroup = channels / groups;
        for (var n = 0; n < batch; n++)
        {
            var at = (int)(n * image);
            for (var g = 0; g < groups; g++)
            {
                for (var j = 0; j < perGroup; j++)
                {
                    input.Slice(at + (((g * perGroup) + j) * plane), plane).CopyTo(output.Slice(at + (((j * groups) + g) * plane), plane));
                }
            }
        }
    }
}
