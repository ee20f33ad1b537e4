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
