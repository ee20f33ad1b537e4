namespace Sparsify.Runtime.Kernels;

/// <summary>Dense 2-D convolution (NCHW) with its epilogue: bias, residual, activation.</summary>
public static class Convolution
{
    /// <summary>
    /// output = activation(conv(input, weights) + bias + residual). <paramref name="input"/> is NCHW
    /// [Batch, InChannels, InHeight, InWidth]; <paramref name="weights"/> is [OutChannels,
    /// InChannels/Group·KernelHeight·KernelWidth] row-major; <paramref name="bias"/> is empty (none) or
    /// OutChannels long; <paramref name="residual"/> is empty (none) or as long as the output and is
    /// added after the bias, before the activation (true: ReLU, false: none); <paramref name="output"/> is NCHW [Batch, OutChannels,
    /// OutHeight, OutWidth], overwritten. Positions outside the input read as zero. The epilogue runs
    /// on each panel of the output while it is in L1. <paramref name="threads"/> 1 runs on the calling thread, 0 or
    /// less on every processor; results are bitwise the same for any value.
    /// </summary>
    public static void Dense(in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual, Activation activation, Span<float> output, int threads)
        => ConvolutionKernel.Run(g, input, weights, bias, residual, activation, output, threads, ConvolutionPath.Auto, Sgemm.BestLevel);
}

/// <summary>Dense fully connected layer: output = input · weightsᵀ + bias, then ReLU on request.</summary>
public static class FullyConnected
{
    /// <summary>
    /// output[batch, outFeatures] = relu?(input[batch, inFeatures] · weights[outFeatures, inFeatures]ᵀ + bias)
    /// (bias empty: none). Results are bitwise the same for any <paramref name="threads"/> (0 or less: every processor).
    /// </summary>
    public static void Dense(int batch, int inFeatures, int outFeatures, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, bool relu, Span<float> output, int threads)
        => FullyConnectedKernel.Run(batch, inFeatures, outFeatures, input, weights, bias, relu, output, threads);
}

/// <summary>General matrix multiply on fp32, row-major, for callers outside the layer kernels (training).</summary>
public static class Gemm
{
    /// <summary>
    /// C[m×n] = A[m×k]·B[k×n], or C += A·B when <paramref name="accumulate"/>; row strides
    /// <paramref name="lda"/>, <paramref name="ldb"/>, <paramref name="ldc"/>. Each span starts at its
    /// matrix's first element and must reach the last element read. Bitwise the same for any
    /// <paramref name="threads"/> (0 or less: every processor).
    /// </summary>
    public static unsafe void Multiply(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (m == 0 || n == 0)
        {
            return;
        }

        if ((k > 0 && a.Length < ((long)(m - 1) * lda) + k) || (k > 0 && b.Length < ((long)(k - 1) * ldb) + n) || c.Length < ((long)(m - 1) * ldc) + n)
        {
            throw new ArgumentException($"GEMM {m}x{n}x{k} operands too short: a {a.Length}, b {b.Length}, c {c.Length}");
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Sgemm.Multiply(m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, threads);
        }
    }
}
