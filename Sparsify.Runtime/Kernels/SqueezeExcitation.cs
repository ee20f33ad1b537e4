namespace Sparsify.Runtime.Kernels;

/// <summary>
/// A squeeze-and-excitation block as one step: each channel of x scaled by a factor computed from the
/// means of all channels, y[c] = x[c] · gate(b2 + W2 · act(b1 + W1 · mean(x))). The two 1×1 convolutions of
/// the pooled vector are matrix-vector products here, and x is read twice (its means, then the scaling)
/// with no tensor written in between: four steps' dispatches and buffers become one.
/// </summary>
/// <remarks>Scratch for the pooled, squeezed and factor vectors is allocated once, so a call allocates nothing; one call at a time per instance.</remarks>
public sealed class SqueezeExcitation
{
    // Below this many values of x a pass runs on the calling thread: a dispatch costs more than it saves.
    private const int ParallelValues = 1 << 15;

    private readonly int _channels;
    private readonly int _pixels;
    private readonly int _squeezed;
    private readonly float[] _squeeze;
    private readonly float[]? _squeezeBias;
    private readonly Activation _squeezeActivation;
    private readonly float[] _excite;
    private readonly float[]? _exciteBias;
    private readonly Activation _gate;
    private readonly float[] _means;
    private readonly float[] _hidden;
    private readonly float[] _factors;

    /// <summary>A block over x of <paramref name="channels"/> planes of <paramref name="pixels"/> values.</summary>
    /// <param name="channels">The channels of x (C).</param>
    /// <param name="pixels">The values of one channel (H · W).</param>
    /// <param name="squeeze">The squeezing convolution's weights, S × C row-major (its S follows from the length).</param>
    /// <param name="squeezeBias">Its bias, S values, or null.</param>
    /// <param name="squeezeActivation">The activation of the squeezed vector.</param>
    /// <param name="excite">The exciting convolution's weights, C × S row-major.</param>
    /// <param name="exciteBias">Its bias, C values, or null.</param>
    /// <param name="gate">The activation that makes the factors.</param>
    public SqueezeExcitation(
        int channels, int pixels, float[] squeeze, float[]? squeezeBias, Activation squeezeActivation, float[] excite, float[]? exciteBias, Activation gate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pixels, 1);
        ArgumentNullException.ThrowIfNull(squeeze);
        ArgumentNullException.ThrowIfNull(excite);
        if (squeeze.Length == 0 || squeeze.Length % channels != 0)
        {
            throw new ArgumentException($"The squeezing weights hold {squeeze.Length} values, not a whole number of rows of {channels}.", nameof(squeeze));
        }

        var squeezed = squeeze.Length / channels;
        if (excite.Length != (long)channels * squeezed)
        {
            throw new ArgumentException($"The exciting weights hold {excite.Length} values; {channels} rows of {squeezed} are {channels * squeezed}.", nameof(excite));
        }

        if (squeezeBias is not null && squeezeBias.Length != squeezed)
        {
            throw new ArgumentException($"The squeezing bias holds {squeezeBias.Length} values, not {squeezed}.", nameof(squeezeBias));
        }

        if (exciteBias is not null && exciteBias.Length != channels)
        {
            throw new ArgumentException($"The exciting bias holds {exciteBias.Length} values, not {channels}.", nameof(exciteBias));
        }

        _channels = channels;
        _pixels = pixels;
        _squeezed = squeezed;
        _squeeze = squeeze;
        _squeezeBias = squeezeBias;
        _squeezeActivation = squeezeActivation;
        _excite = excite;
        _exciteBias = exciteBias;
        _gate = gate;
        _means = new float[channels];
        _hidden = new float[squeezed];
        _factors = new float[channels];
    }

    /// <summary>y = x scaled per channel by the block's factors; <paramref name="output"/> must not overlap <paramref name="input"/>.</summary>
    /// <param name="input">x, C × H × W.</param>
    /// <param name="output">y, as long.</param>
    /// <param name="threads">Threads for the two passes over x (the products of the pooled vector run on the caller).</param>
    public unsafe void Run(ReadOnlySpan<float> input, Span<float> output, int threads)
    {
        var length = (long)_channels * _pixels;
        if (input.Length != length || output.Length != length)
        {
            throw new ArgumentException($"The block reads and writes {length} values; given {input.Length} and {output.Length}.");
        }

        var workers = length < ParallelValues ? 1 : WorkerThreads.Count(threads);
        fixed (float* x = input)
        fixed (float* y = output)
        fixed (float* means = _means)
        fixed (float* factors = _factors)
        {
            var pass = new Pass(x, y, means, factors, _pixels, Math.Max(1, (_channels + (4 * workers) - 1) / (4 * workers)), _channels);
            WorkerThreads.For(pass.Chunks, workers, pass, static (in Pass p, int chunk) => p.Average(chunk));
            Excite();
            WorkerThreads.For(pass.Chunks, workers, pass, static (in Pass p, int chunk) => p.Scale(chunk));
        }
    }

    // The factors from the means: two matrix-vector products with their activations.
    private void Excite()
    {
        for (var s = 0; s < _squeezed; s++)
        {
            var sum = VectorMath.Dot(_squeeze.AsSpan(s * _channels, _channels), _means);
            _hidden[s] = _squeezeActivation.Apply(sum + (_squeezeBias?[s] ?? 0f));
        }

        for (var c = 0; c < _channels; c++)
        {
            var sum = VectorMath.Dot(_excite.AsSpan(c * _squeezed, _squeezed), _hidden);
            _factors[c] = _gate.Apply(sum + (_exciteBias?[c] ?? 0f));
        }
    }

    // One pass over x in runs of channels, each run claimed by one worker.
    private readonly unsafe struct Pass(float* x, float* y, float* means, float* factors, int pixels, int channelsPerChunk, int channels)
    {
        public int Chunks => (channels + channelsPerChunk - 1) / channelsPerChunk;

        public void Average(int chunk)
        {
            var end = Math.Min(channels, (chunk + 1) * channelsPerChunk);
            for (var c = chunk * channelsPerChunk; c < end; c++)
            {
                means[c] = VectorMath.Sum(new ReadOnlySpan<float>(x + ((long)c * pixels), pixels)) / pixels;
            }
        }

        public void Scale(int chunk)
        {
            var end = Math.Min(channels, (chunk + 1) * channelsPerChunk);
            for (var c = chunk * channelsPerChunk; c < end; c++)
            {
                VectorMath.Scale(new ReadOnlySpan<float>(x + ((long)c * pixels), pixels), factors[c], new Span<float>(y + ((long)c * pixels), pixels));
            }
        }
    }
}
