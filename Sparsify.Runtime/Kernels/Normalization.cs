namespace Sparsify.Runtime.Kernels;

/// <summary>Normalisation layers.</summary>
public static class Normalization
{
    /// <summary>
    /// Cross-channel local response normalisation as ONNX defines it, NCHW with <paramref name="pixels"/>
    /// = height·width: y = x / (bias + alpha/size · Σ x²)^beta, the window of channel c spanning
    /// [c - floor((size-1)/2), c + ceil((size-1)/2)], clipped to the channels present.
    /// Results do not depend on <paramref name="threads"/> (0 or less: every processor).
    /// </summary>
    public static unsafe void Lrn(int batch, int channels, int pixels, int size, float alpha, float beta, float bias, ReadOnlySpan<float> input, Span<float> output, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(channels);
        ArgumentOutOfRangeException.ThrowIfNegative(pixels);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        long needed = (long)batch * channels * pixels;
        if (input.Length < needed || output.Length < needed)
        {
            throw new ArgumentException($"LRN over {batch}x{channels}x{pixels} needs {needed} values; the input holds {input.Length}, the output {output.Length}.", nameof(input));
        }

        fixed (float* pIn = input)
        fixed (float* pOut = output)
        {
            var job = new LrnJob(channels, pixels, (size - 1) / 2, size - 1 - ((size - 1) / 2), alpha / size, beta, bias, pIn, pOut);
            WorkerThreads.For(batch * channels, WorkerThreads.Count(threads), job, static (in LrnJob j, int plane) => j.Plane(plane));
        }
    }

    /// <summary>
    /// Layer normalisation over the channels at each position of <paramref name="batch"/> images of
    /// <paramref name="channels"/> planes of <paramref name="plane"/> values: y = (x − mean) / √(var + ε) ·
    /// scale[c] + shift[c], the mean and the (biased) variance taken over the channels, in double.
    /// </summary>
    public static void ChannelLayerNorm(
        int batch, int channels, int plane, float epsilon, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, ReadOnlySpan<float> input, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(plane, 1);
        long needed = (long)batch * channels * plane;
        if (input.Length < needed || output.Length < needed || scale.Length != channels || shift.Length != channels)
        {
            throw new ArgumentException($"a layer norm over {batch}x{channels}x{plane} needs {needed} values and {channels} scales and shifts; got {input.Length} in, {output.Length} out, {scale.Length} scales and {shift.Length} shifts.", nameof(input));
        }

        for (var n = 0; n < batch; n++)
        {
            var image = n * channels * plane;
            for (var p = 0; p < plane; p++)
            {
                double sum = 0;
                for (var c = 0; c < channels; c++)
                {
                    sum += input[image + (c * plane) + p];
                }

                var mean = sum / channels;
                double squares = 0;
                for (var c = 0; c < channels; c++)
                {
                    var d = input[image + (c * plane) + p] - mean;
                    squares += d * d;
                }

                var inverse = 1 / Math.Sqrt((squares / channels) + epsilon);
                for (var c = 0; c < channels; c++)
                {
                    var at = image + (c * plane) + p;
                    output[at] = (float)(((input[at] - mean) * inverse * scale[c]) + shift[c]);
                }
            }
        }
    }

    /// <summary>One LRN call's shapes and pointers; each plane reads the squares of its channel window.</summary>
    private readonly unsafe struct LrnJob(int channels, int pixels, int before, int after, float scale, float beta, float bias, float* input, float* output)
    {
        public void Plane(int plane)
        {
            // Per-thread scratch, kept between calls: a model call allocates nothing.
            var sum = Scratch(ref sumScratch, pixels);
            var square = Scratch(ref squareScratch, pixels);
            int n = plane / channels, c = plane % channels;
            sum.Clear();
            for (var k = Math.Max(0, c - before); k <= Math.Min(channels - 1, c + after); k++)
            {
                var source = new ReadOnlySpan<float>(input + ((((nint)n * channels) + k) * pixels), pixels);
                VectorMath.Multiply(source, source, square);
                Epilogue.Add(sum, square, sum);
            }

            var planeIn = new ReadOnlySpan<float>(input + ((nint)plane * pixels), pixels);
            var planeOut = new Span<float>(output + ((nint)plane * pixels), pixels);
            for (var i = 0; i < pixels; i++)
            {
                planeOut[i] = planeIn[i] / MathF.Pow(bias + (scale * sum[i]), beta);
            }
        }
    }

    [ThreadStatic]
    private static float[]? sumScratch;

    [ThreadStatic]
    private static float[]? squareScratch;

    private static Span<float> Scratch(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[length];
        }

        return buffer.AsSpan(0, length);
    }
}
