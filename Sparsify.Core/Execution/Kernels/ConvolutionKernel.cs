using System.Numerics.Tensors;

namespace Sparsify.Core.Execution.Kernels;

/// <summary>Which algorithm a convolution uses; tests force each one, the executor leaves it to Auto.</summary>
internal enum ConvolutionPath
{
    /// <summary>GEMM, except direct for grouped convolutions with few output channels per group.</summary>
    Auto,

    /// <summary>Per image and group: B = im2col(input) packed on the fly, C = W·B (+ bias) by <see cref="Sgemm"/>.</summary>
    Gemm,

    /// <summary>Direct loops per output channel (depthwise and other thin groups).</summary>
    Direct,
}

/// <summary>Dense 2-D convolution (NCHW) for the reference executor.</summary>
internal static unsafe partial class ConvolutionKernel
{
    /// <summary>Groups with fewer output channels than this run direct: a GEMM would waste most of its 6-row blocks.</summary>
    internal const int DirectMaxOutChannelsPerGroup = 3;

    /// <summary>
    /// Convolves <paramref name="input"/> (NCHW [Batch, InChannels, InHeight, InWidth]) with
    /// <paramref name="weights"/> ([OutChannels, InChannels/Group, KernelHeight, KernelWidth]) plus
    /// <paramref name="bias"/> (empty or OutChannels long) into <paramref name="output"/> (NCHW [Batch,
    /// OutChannels, OutHeight, OutWidth], overwritten). Positions outside the input read as zero.
    /// Results do not depend on <paramref name="maxDegreeOfParallelism"/> (1: calling thread only; 0 or
    /// less: every processor).
    /// </summary>
    public static void Run(in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output, int maxDegreeOfParallelism)
        => Run(g, input, weights, bias, output, maxDegreeOfParallelism, ConvolutionPath.Auto, Sgemm.BestLevel);

    /// <summary>As the public overload, with the algorithm and instruction set chosen by the caller.</summary>
    internal static void Run(in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output, int maxDegreeOfParallelism, ConvolutionPath path, SimdLevel level)
    {
        Validate(g, input.Length, weights.Length, bias.Length, output.Length);
        if (g.Batch == 0 || g.OutChannels == 0 || g.OutPixels == 0)
        {
            return;
        }

        if (path == ConvolutionPath.Auto)
        {
            path = g.Group > 1 && g.OutChannelsPerGroup <= DirectMaxOutChannelsPerGroup ? ConvolutionPath.Direct : ConvolutionPath.Gemm;
        }

        fixed (float* pIn = input)
        fixed (float* pW = weights)
        fixed (float* pBias = bias)
        fixed (float* pOut = output)
        {
            float* biasOrNull = bias.IsEmpty ? null : pBias;
            if (path == ConvolutionPath.Direct || g.FilterLength == 0)
            {
                RunDirect(g, pIn, pW, biasOrNull, pOut, maxDegreeOfParallelism);
            }
            else
            {
                RunGemm(g, pIn, pW, biasOrNull, pOut, maxDegreeOfParallelism, level);
            }
        }
    }

    private static void Validate(in ConvGeometry g, int inputLength, int weightsLength, int biasLength, int outputLength)
    {
        if (g.Batch < 0 || g.InChannels < 0 || g.InHeight < 0 || g.InWidth < 0 || g.OutChannels < 0 || g.OutHeight < 0 || g.OutWidth < 0
            || g.KernelHeight < 1 || g.KernelWidth < 1 || g.StrideH < 1 || g.StrideW < 1 || g.DilationH < 1 || g.DilationW < 1
            || g.PadTop < 0 || g.PadLeft < 0 || g.Group < 1 || g.InChannels % g.Group != 0 || g.OutChannels % g.Group != 0)
        {
            throw new ArgumentException($"Invalid convolution geometry {g}.", nameof(g));
        }

        long inputNeeded = (long)g.Batch * g.InChannels * g.InHeight * g.InWidth;
        long weightsNeeded = (long)g.OutChannels * g.FilterLength;
        long outputNeeded = (long)g.Batch * g.OutChannels * g.OutPixels;
        if (inputLength < inputNeeded)
        {
            throw new ArgumentException($"The input holds {inputLength} values; the geometry needs {inputNeeded}.", nameof(inputLength));
        }

        if (weightsLength < weightsNeeded)
        {
            throw new ArgumentException($"The weights hold {weightsLength} values; the geometry needs {weightsNeeded}.", nameof(weightsLength));
        }

        if (biasLength != 0 && biasLength != g.OutChannels)
        {
            throw new ArgumentException($"The bias holds {biasLength} values; it must be empty or hold {g.OutChannels}.", nameof(biasLength));
        }

        if (outputLength < outputNeeded)
        {
            throw new ArgumentException($"The output holds {outputLength} values; the geometry needs {outputNeeded}.", nameof(outputLength));
        }
    }

    /// <summary>True when im2col would be the identity: 1×1, stride 1, no padding, same size.</summary>
    private static bool IsPointwise(in ConvGeometry g)
        => g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadTop == 0 && g.PadLeft == 0
           && g.OutHeight == g.InHeight && g.OutWidth == g.InWidth;

    private static void RunGemm(in ConvGeometry g, float* input, float* weights, float* bias, float* output, int maxDop, SimdLevel level)
    {
        int m = g.OutChannelsPerGroup;
        int n = g.OutPixels;
        int k = g.FilterLength;
        nint inPlane = (nint)g.InHeight * g.InWidth;
        int dop = Sgemm.EffectiveParallelism(maxDop, (long)m * n * k);
        bool pointwise = IsPointwise(g);
        using var packed = new Sgemm.PinnedBuffer(Sgemm.PackedBLength(n, k));
        var im2col = pointwise ? null : new Im2ColPacker(g, packed.Pointer, level);
        for (int b = 0; b < g.Batch; b++)
        {
            for (int grp = 0; grp < g.Group; grp++)
            {
                float* image = input + (((nint)b * g.InChannels) + ((nint)grp * g.InChannelsPerGroup)) * inPlane;
                if (im2col is null)
                {
                    Sgemm.PackB(n, k, image, n, packed.Pointer, dop, level);
                }
                else
                {
                    im2col.Pack(image, dop);
                }

                float* w = weights + ((nint)grp * m * k);
                float* c = output + ((((nint)b * g.OutChannels) + ((nint)grp * m)) * n);
                float* groupBias = bias == null ? null : bias + (grp * m);
                Sgemm.MultiplyPacked(m, n, k, w, k, packed.Pointer, c, n, accumulate: false, groupBias, dop, level);
            }
        }
    }

    /// <summary>Direct convolution, parallel over (image, output channel).</summary>
    private static void RunDirect(in ConvGeometry g, float* input, float* weights, float* bias, float* output, int maxDop)
    {
        var job = new DirectJob(g, input, weights, bias, output);
        int count = g.Batch * g.OutChannels;
        int dop = Sgemm.EffectiveParallelism(maxDop, g.Macs);
        Sgemm.RunParallel(count, dop, job.Run);
    }

    private sealed class DirectJob(ConvGeometry g, float* input, float* weights, float* bias, float* output)
    {
        public void Run(int index)
        {
            int b = index / g.OutChannels;
            int oc = index % g.OutChannels;
            int grp = oc / g.OutChannelsPerGroup;
            int outW = g.OutWidth;
            nint inPlane = (nint)g.InHeight * g.InWidth;
            var dst = new Span<float>(output + (((nint)b * g.OutChannels) + oc) * g.OutPixels, g.OutPixels);
            dst.Fill(bias == null ? 0f : bias[oc]);
            float* w = weights + ((nint)oc * g.FilterLength);
            for (int icg = 0; icg < g.InChannelsPerGroup; icg++)
            {
                float* plane = input + ((((nint)b * g.InChannels) + ((nint)grp * g.InChannelsPerGroup) + icg) * inPlane);
                for (int kh = 0; kh < g.KernelHeight; kh++)
                {
                    for (int kw = 0; kw < g.KernelWidth; kw++)
                    {
                        float wv = *w++;
                        int colOffset = (kw * g.DilationW) - g.PadLeft;

                        // ow such that 0 <= ow·stride + colOffset < InWidth.
                        int owLo = Math.Max(0, CeilDivSigned(-colOffset, g.StrideW));
                        int owHi = Math.Min(outW, FloorDivSigned(g.InWidth - 1 - colOffset, g.StrideW) + 1);
                        if (owLo >= owHi)
                        {
                            continue;
                        }

                        for (int oh = 0; oh < g.OutHeight; oh++)
                        {
                            int ih = (oh * g.StrideH) - g.PadTop + (kh * g.DilationH);
                            if ((uint)ih >= (uint)g.InHeight)
                            {
                                continue;
                            }

                            float* src = plane + ((nint)ih * g.InWidth) + colOffset;
                            Span<float> row = dst.Slice((oh * outW) + owLo, owHi - owLo);
                            if (g.StrideW == 1)
                            {
                                var x = new ReadOnlySpan<float>(src + owLo, owHi - owLo);
                                TensorPrimitives.MultiplyAdd(x, wv, row, row);
                            }
                            else
                            {
                                for (int j = 0; j < row.Length; j++)
                                {
                                    row[j] += wv * src[(nint)(owLo + j) * g.StrideW];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static int CeilDivSigned(int x, int y) => x >= 0 ? (x + y - 1) / y : -(-x / y);

    private static int FloorDivSigned(int x, int y) => x >= 0 ? x / y : -((-x + y - 1) / y);
}
