using ILGPU;

namespace Sparsify.Hardware.Gpu.Kernels;

/// <summary>Kernels that only move values (a Slice, the channel shuffle), the per-channel affine step (a thread per value) and the LayerNorm over the channels (a thread per position).</summary>
internal static class MovementKernels
{
    /// <summary>output[o, i] = input[o, offset + i] with rows of <paramref name="taken"/> out of <paramref name="block"/> values.</summary>
    public static void Slice(Index1D index, ArrayView<float> input, ArrayView<float> output, int taken, int block, int offset)
    {
        var o = index.X / taken;
        output[index.X] = input[((long)o * block) + offset + (index.X % taken)];
    }

    /// <summary>
    /// One padded value: from the plane, or the constant outside it (mode 0, constant), mirrored
    /// (1, reflect) or the nearest edge (2, edge); the same rule as the CPU kernel.
    /// </summary>
    public static void Pad(Index1D index, ArrayView<float> input, ArrayView<float> output, PadShape s)
    {
        var (outHeight, outWidth) = (s.Height + s.Top + s.Bottom, s.Width + s.Left + s.Right);
        var ow = index.X % outWidth;
        var oh = (index.X / outWidth) % outHeight;
        var plane = index.X / outWidth / outHeight;
        var ih = Source(oh - s.Top, s.Height, s.Mode);
        var iw = Source(ow - s.Left, s.Width, s.Mode);
        output[index.X] = ih < 0 || iw < 0 ? s.Value : input[((long)plane * s.Height * s.Width) + ((long)ih * s.Width) + iw];
    }

    private static int Source(int at, int size, int mode) =>
        at >= 0 && at < size ? at
        : mode == 0 ? -1
        : mode == 1 ? (at < 0 ? -at : (2 * (size - 1)) - at)
        : at < 0 ? 0 : size - 1;

    /// <summary>The sum or mean of input [outer, length, inner] along its middle dimension, a thread per output value.</summary>
    public static void Reduce(Index1D index, ArrayView<float> input, ArrayView<float> output, int length, int inner, int mean)
    {
        var o = index.X / inner;
        var i = index.X % inner;
        var sum = 0f;
        for (var k = 0; k < length; k++)
        {
            sum += input[((((long)o * length) + k) * inner) + i];
        }

        output[index.X] = mean != 0 ? sum / length : sum;
    }

    /// <summary>Output value i of a transpose: its six coordinates, each times its axis's step in the input (<see cref="TransposeShape"/>).</summary>
    public static void Transpose(Index1D index, ArrayView<float> input, ArrayView<float> output, TransposeShape s)
    {
        output[index.X] = input[s.Output.Offset(index.X, s.Input)];
    }

    /// <summary>Output channel j · groups + g is input channel g · (channels / groups) + j, per image of channels × plane values.</summary>
    public static void ChannelShuffle(Index1D index, ArrayView<float> input, ArrayView<float> output, int channels, int plane, int groups)
    {
        var p = index.X % plane;
        var c = (index.X / plane) % channels;
        var n = index.X / plane / channels;
        var source = ((c % groups) * (channels / groups)) + (c / groups);
        output[index.X] = input[((((long)n * channels) + source) * plane) + p];
    }

    /// <summary>LayerNorm over the channels at one position (a thread each): mean, biased variance, then scale and shift per channel.</summary>
    public static void ChannelLayerNorm(Index1D index, ArrayView<float> input, ArrayView<float> scale, ArrayView<float> shift, int plane, int channels, float epsilon, ArrayView<float> output)
    {
        var n = index.X / plane;
        var p = index.X % plane;
        var at = ((long)n * channels * plane) + p;
        var sum = 0f;
        for (var c = 0; c < channels; c++)
        {
            sum += input[at + ((long)c * plane)];
        }

        var mean = sum / channels;
        var squares = 0f;
        for (var c = 0; c < channels; c++)
        {
            var d = input[at + ((long)c * plane)] - mean;
            squares += d * d;
        }

        var inverse = 1f / IntrinsicMath.CPUOnly.Sqrt((squares / channels) + epsilon);
        for (var c = 0; c < channels; c++)
        {
            var i = at + ((long)c * plane);
            output[i] = ((input[i] - mean) * inverse * scale[c]) + shift[c];
        }
    }

    /// <summary>output[i] = input[i] · scale[c] + shift[c] for the value's channel c.</summary>
    public static void ChannelAffine(Index1D index, ArrayView<float> input, ArrayView<float> scale, ArrayView<float> shift, int plane, int channels, ArrayView<float> output)
    {
        var c = (index.X / plane) % channels;
        output[index.X] = (input[index.X] * scale[c]) + shift[c];
    }
}
