namespace Sparsify.Runtime.Kernels;

/// <summary>Steps that only move values: a slice of one axis and ShuffleNet's channel shuffle.</summary>
public static class DataMovement
{
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
