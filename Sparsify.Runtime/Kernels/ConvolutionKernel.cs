
namespace Sparsify.Runtime.Kernels;

/// <summary>Which algorithm a convolution uses; tests force each one, the executor leaves it to Auto.</summary>
internal enum ConvolutionPath
{
    /// <summary>Depthwise for one input channel per group; else GEMM, except direct for grouped convolutions with few output channels per group.</summary>
    Auto,

    /// <summary>Per image and group: B = im2col(input) packed on the fly, C = W·B (+ bias) by <see cref="Sgemm"/>.</summary>
    Gemm,

    /// <summary>Direct loops per output channel (thin groups).</summary>
    Direct,

    /// <summary>Vectors of output pixels over phase planes of the padded input (one input channel per group; else direct).</summary>
    Depthwise,
}

/// <summary>Dense 2-D convolution (NCHW); <see cref="Convolution"/> is its public face.</summary>
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
        => Run(g, input, weights, bias, default, false, output, maxDegreeOfParallelism, ConvolutionPath.Auto, Sgemm.BestLevel);

    /// <summary>As the public overload, with the algorithm and instruction set chosen by the caller.</summary>
    internal static void Run(in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output, int maxDegreeOfParallelism, ConvolutionPath path, SimdLevel level)
        => Run(g, input, weights, bias, default, false, output, maxDegreeOfParallelism, path, level);

    /// <summary>
    /// The full form: after bias, adds <paramref name="residual"/> (empty or as long as the output) and
    /// applies <paramref name="activation"/>, on each panel of the output right after its last product.
    /// </summary>
    internal static void Run(in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual, Activation activation, Span<float> output, int maxDegreeOfParallelism, ConvolutionPath path, SimdLevel level)
    {
        Validate(g, input.Length, weights.Length, bias.Length, output.Length);
        Execute(g, input, weights, null, bias, residual, activation, output, maxDegreeOfParallelism, Resolve(g, path), level);
    }

    /// <summary>The algorithm a request runs: Auto decided by the geometry; Depthwise only where it applies.</summary>
    internal static ConvolutionPath Resolve(in ConvGeometry g, ConvolutionPath path) => path switch
    {
        ConvolutionPath.Auto => IsDepthwise(g) ? ConvolutionPath.Depthwise
            : g.Group > 1 && g.OutChannelsPerGroup <= DirectMaxOutChannelsPerGroup ? ConvolutionPath.Direct
            : ConvolutionPath.Gemm,
        ConvolutionPath.Depthwise when !IsDepthwise(g) => ConvolutionPath.Direct,
        _ => path,
    };

    /// <summary>
    /// Runs a validated geometry on a resolved path. With <paramref name="packedWeights"/> (one per group,
    /// GEMM path only) the weights come from there and <paramref name="weights"/> may be empty.
    /// </summary>
    internal static void Execute(in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, Sgemm.PackedA[]? packedWeights, ReadOnlySpan<float> bias, ReadOnlySpan<float> residual, Activation activation, Span<float> output, int maxDegreeOfParallelism, ConvolutionPath path, SimdLevel level)
    {
        long outputNeeded = (long)g.Batch * g.OutChannels * g.OutPixels;
        if (!residual.IsEmpty && residual.Length != outputNeeded)
        {
            throw new ArgumentException($"The residual holds {residual.Length} values; it must be empty or hold {outputNeeded}.", nameof(residual));
        }

        if (g.Batch == 0 || g.OutChannels == 0 || g.OutPixels == 0)
        {
            return;
        }

        fixed (float* pIn = input)
        fixed (float* pW = weights)
        fixed (float* pBias = bias)
        fixed (float* pOut = output)
        fixed (float* pResidual = residual)
        {
            float* biasOrNull = bias.IsEmpty ? null : pBias;
            var epilogue = new ConvEpilogue(residual.IsEmpty ? null : pResidual, activation);
            if (path == ConvolutionPath.Depthwise)
            {
                RunDepthwise(g, pIn, pW, biasOrNull, pOut, epilogue, maxDegreeOfParallelism);
            }
            else if (path == ConvolutionPath.Direct || g.FilterLength == 0)
            {
                RunDirect(g, pIn, pW, biasOrNull, pOut, epilogue, maxDegreeOfParallelism);
            }
            else
            {
                RunGemm(g, pIn, pW, packedWeights, biasOrNull, pOut, epilogue, maxDegreeOfParallelism, level);
            }
        }
    }

    /// <summary>True when <see cref="Execute"/> would run the geometry through the GEMM, whose weights can be packed in advance.</summary>
    internal static bool RunsAsGemm(in ConvGeometry g, ConvolutionPath path) => path == ConvolutionPath.Gemm && g.FilterLength > 0;

    /// <summary>Each group's weights packed as the GEMM reads them.</summary>
    internal static Sgemm.PackedA[] PackWeights(in ConvGeometry g, ReadOnlySpan<float> weights, SimdLevel level)
    {
        int m = g.OutChannelsPerGroup;
        int k = g.FilterLength;
        var packed = new Sgemm.PackedA[g.Group];
        fixed (float* pW = weights)
        {
            for (int grp = 0; grp < g.Group; grp++)
            {
                packed[grp] = new Sgemm.PackedA(m, k, pW + ((nint)grp * m * k), k, level);
            }
        }

        return packed;
    }

    internal static void Validate(in ConvGeometry g, int inputLength, int weightsLength, int biasLength, int outputLength)
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

    private static void RunGemm(in ConvGeometry g, float* input, float* weights, Sgemm.PackedA[]? packedWeights, float* bias, float* output, ConvEpilogue epilogue, int maxDop, SimdLevel level)
    {
        int m = g.OutChannelsPerGroup;
        int n = g.OutPixels;
        int k = g.FilterLength;
        nint inPlane = (nint)g.InHeight * g.InWidth;
        bool pointwise = IsPointwise(g);
        var padded = pointwise ? default : new PaddedImage(g);
        for (int b = 0; b < g.Batch; b++)
        {
            for (int grp = 0; grp < g.Group; grp++)
            {
                float* image = input + (((nint)b * g.InChannels) + ((nint)grp * g.InChannelsPerGroup)) * inPlane;
                float* w = weights + ((nint)grp * m * k);
                nint cOffset = (((nint)b * g.OutChannels) + ((nint)grp * m)) * n;
                float* groupBias = bias == null ? null : bias + (grp * m);
                float* residual = epilogue.Residual == null ? null : epilogue.Residual + cOffset;
                var packed = packedWeights?[grp];
                if (pointwise)
                {
                    Multiply(m, n, k, w, packed, new Sgemm.RowMajorB(image, n, n, level), output + cOffset, groupBias, residual, epilogue.Activation, maxDop, level);
                }
                else
                {
                    padded.Fill(g, image, Sgemm.EffectiveParallelism(maxDop, long.MaxValue));
                    Multiply(m, n, k, w, packed, new Im2ColB(g, padded, level), output + cOffset, groupBias, residual, epilogue.Activation, maxDop, level);
                }
            }
        }
    }

    /// <summary>C = W·B for one image and group, W from its packed form where there is one.</summary>
    private static void Multiply<TSource>(int m, int n, int k, float* w, Sgemm.PackedA? packed, in TSource b, float* c, float* bias, float* residual, Activation activation, int maxDop, SimdLevel level)
        where TSource : struct, Sgemm.IPanelSource
    {
        if (packed is null)
        {
            Sgemm.Multiply(m, n, k, w, k, b, c, n, accumulate: false, bias, residual, activation, maxDop, level);
        }
        else
        {
            Sgemm.Multiply(packed, n, b, c, n, accumulate: false, bias, residual, activation, maxDop, level);
        }
    }

    /// <summary>Direct convolution, parallel over (image, output channel).</summary>
    private static void RunDirect(in ConvGeometry g, float* input, float* weights, float* bias, float* output, ConvEpilogue epilogue, int maxDop)
    {
        var job = new DirectJob(g, input, weights, bias, output, epilogue);
        int count = g.Batch * g.OutChannels;
        int dop = Sgemm.EffectiveParallelism(maxDop, g.Macs);
        Sgemm.RunParallel(count, dop, job, static (in DirectJob j, int index) => j.Run(index));
    }

    private readonly struct DirectJob(ConvGeometry g, float* input, float* weights, float* bias, float* output, ConvEpilogue epilogue)
    {
        public void Run(int index)
        {
            int b = index / g.OutChannels;
            int oc = index % g.OutChannels;
            int grp = oc / g.OutChannelsPerGroup;
            int outW = g.OutWidth;
            nint inPlane = (nint)g.InHeight * g.InWidth;
            nint planeOffset = (((nint)b * g.OutChannels) + oc) * g.OutPixels;
            var dst = new Span<float>(output + planeOffset, g.OutPixels);
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
                                VectorMath.MultiplyAdd(new ReadOnlySpan<float>(src + owLo, owHi - owLo), wv, row);
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

            Epilogue.Apply(output + planeOffset, epilogue.Residual == null ? null : epilogue.Residual + planeOffset, g.OutPixels, 0, 1, 0, g.OutPixels, epilogue.Activation);
        }
    }

    /// <summary>
    /// The input channels of one image and group copied with their zero padding made explicit (plus
    /// slack before and after), so that im2col reads are always in bounds and never need a test. It lives
    /// in the calling thread's scratch: valid until the thread's next convolution.
    /// </summary>
    private readonly struct PaddedImage
    {
        /// <summary>Floats of slack before the first and after the last channel (covers blended over-reads).</summary>
        private const int Slack = 64;

        public PaddedImage(in ConvGeometry g)
        {
            // Padded coordinates: input row ih sits at row ih + PadTop; every (output, kernel) position
            // reads padded row oh·StrideH + kh·DilationH, which must exist.
            Height = Math.Max(g.InHeight + g.PadTop, ((g.OutHeight - 1) * g.StrideH) + ((g.KernelHeight - 1) * g.DilationH) + 1);
            Width = Math.Max(g.InWidth + g.PadLeft, ((g.OutWidth - 1) * g.StrideW) + ((g.KernelWidth - 1) * g.DilationW) + 1);
            long length = ((long)g.InChannelsPerGroup * Height * Width) + (2 * Slack);
            if (length > Array.MaxLength)
            {
                throw new ArgumentException($"The padded input of {g} is too large.", nameof(g));
            }

            Data = ThreadScratch.PaddedImage((int)length) + Slack;

            // Lanes past the last output pixel may read the slack: keep it finite.
            new Span<float>(Data - Slack, Slack).Clear();
            new Span<float>(Data + (length - (2 * Slack)), Slack).Clear();
        }

        public int Height { get; }

        public int Width { get; }

        public float* Data { get; }

        /// <summary>Copies the InChannelsPerGroup channels at <paramref name="image"/> in, zeroing the padding.</summary>
        public void Fill(in ConvGeometry g, float* image, int dop)
        {
            int dopHere = (long)g.InChannelsPerGroup * Height * Width < (1 << 16) ? 1 : dop;
            Sgemm.RunParallel(g.InChannelsPerGroup, dopHere, new FillJob(g, image, Data, Height, Width), static (in FillJob job, int ic) => job.FillChannel(ic));
        }

        /// <summary>Copies channel by channel: the rows of the image between zeroed padding.</summary>
        private readonly struct FillJob(ConvGeometry g, float* image, float* data, int height, int width)
        {
            public void FillChannel(int ic)
            {
                int inH = g.InHeight, inW = g.InWidth, padTop = g.PadTop, padLeft = g.PadLeft;
                float* dstChannel = data + ((nint)ic * height * width);
                float* srcChannel = image + ((nint)ic * inH * inW);
                for (int row = 0; row < height; row++)
                {
                    var dst = new Span<float>(dstChannel + ((nint)row * width), width);
                    int ih = row - padTop;
                    if ((uint)ih >= (uint)inH)
                    {
                        dst.Clear();
                        continue;
                    }

                    dst[..padLeft].Clear();
                    new ReadOnlySpan<float>(srcChannel + ((nint)ih * inW), inW).CopyTo(dst[padLeft..]);
                    dst[(padLeft + inW)..].Clear();
                }
            }
        }

    }

    /// <summary>What follows the sums of a convolution: + residual (null: none), then the activation.</summary>
    private readonly struct ConvEpilogue(float* residual, Activation activation)
    {
        public float* Residual { get; } = residual;

        public Activation Activation { get; } = activation;
    }

    private static int CeilDivSigned(int x, int y) => x >= 0 ? (x + y - 1) / y : -(-x / y);

    private static int FloorDivSigned(int x, int y) => x >= 0 ? x / y : -((-x + y - 1) / y);
}
