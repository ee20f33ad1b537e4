using ILGPU;

namespace Sparsify.Hardware.Gpu.Kernels;

/// <summary>Kernels that only move values (a Slice, the channel shuffle) and the per-channel affine step, a thread per output value.</summary>
internal static class MovementKernels
{
    /// <summary>output[o, i] = input[o, offset + i] with rows of <paramref name="taken"/> out of <paramref name="block"/> values.</summary>
    public static void Slice(Index1D index, ArrayView<float> input, ArrayView<float> output, int taken, int block, int offset)
    {
        var o = index.X / taken;
        output[index.X] = input[((long)o * block) + offset + (index.X % taken)];
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

    /// <summary>output[i] = input[i] · scale[c] + shift[c] for the value's channel c.</summary>
    public static void ChannelAffine(Index1D index, ArrayView<float> input, ArrayView<float> scale, ArrayView<float> shift, int plane, int channels, ArrayView<float> output)
    {
        var c = (index.X / plane) % channels;
        output[index.X] = (input[index.X] * scale[c]) + shift[c];
    }
}
