namespace Sparsify.Runtime.Kernels;

/// <summary>
/// Everything a 2-D pooling kernel needs about its shapes. Tensors are NCHW. The bottom and right
/// padding matter only to average pooling with count_include_pad.
/// </summary>
/// <param name="Batch">Images.</param>
/// <param name="Channels">Channels (the same in and out).</param>
/// <param name="InHeight">Input height.</param>
/// <param name="InWidth">Input width.</param>
/// <param name="OutHeight">Output height.</param>
/// <param name="OutWidth">Output width.</param>
/// <param name="KernelHeight">Window height.</param>
/// <param name="KernelWidth">Window width.</param>
/// <param name="StrideH">Vertical stride.</param>
/// <param name="StrideW">Horizontal stride.</param>
/// <param name="DilationH">Vertical dilation.</param>
/// <param name="DilationW">Horizontal dilation.</param>
/// <param name="PadTop">Padding above.</param>
/// <param name="PadLeft">Padding on the left.</param>
/// <param name="PadBottom">Padding below.</param>
/// <param name="PadRight">Padding on the right.</param>
public readonly record struct PoolGeometry(
    int Batch, int Channels,
    int InHeight, int InWidth,
    int OutHeight, int OutWidth,
    int KernelHeight, int KernelWidth,
    int StrideH, int StrideW,
    int DilationH, int DilationW,
    int PadTop, int PadLeft, int PadBottom, int PadRight)
{
    /// <summary>Values of the input.</summary>
    public long InputLength => (long)Batch * Channels * InHeight * InWidth;

    /// <summary>Values of the output.</summary>
    public long OutputLength => (long)Batch * Channels * OutHeight * OutWidth;
}

/// <summary>Max, average and global average pooling, NCHW, one (image, channel) plane per work item.</summary>
public static partial class Pooling
{
    /// <summary>
    /// Max pooling of <paramref name="input"/> into <paramref name="output"/>; positions outside the
    /// input are skipped. <paramref name="threads"/> 1 runs on the calling thread, 0 or less on every
    /// processor; results do not depend on it.
    /// </summary>
    public static void Max(in PoolGeometry g, ReadOnlySpan<float> input, Span<float> output, int threads)
    {
        if (!MaxRows.Fits(g))
        {
            Run(g, isMax: true, countIncludePad: false, input, output, threads);
            return;
        }

        Validate(g, input.Length, output.Length);
        RunMaxRows(g, input, output, threads);
    }

    /// <summary>
    /// Average pooling. With <paramref name="countIncludePad"/> the divisor counts padded positions,
    /// but (as ONNX Runtime does) not the part of a ceil-mode window that hangs past the padding;
    /// without it, only positions inside the input.
    /// </summary>
    public static void Average(in PoolGeometry g, bool countIncludePad, ReadOnlySpan<float> input, Span<float> output, int threads)
        => Run(g, isMax: false, countIncludePad, input, output, threads);

    /// <summary>output[b, c] = the mean of the <paramref name="pixels"/> values of plane (b, c) of <paramref name="input"/>.</summary>
    public static void GlobalAverage(int batch, int channels, int pixels, ReadOnlySpan<float> input, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(channels);
        ArgumentOutOfRangeException.ThrowIfNegative(pixels);
        long planes = (long)batch * channels;
        Check(input.Length, planes * pixels, nameof(input));
        Check(output.Length, planes, nameof(output));
        for (var p = 0; p < planes; p++)
        {
            output[p] = VectorMath.Sum(input.Slice(p * pixels, pixels)) / pixels;
        }
    }

    private static unsafe void Run(in PoolGeometry g, bool isMax, bool countIncludePad, ReadOnlySpan<float> input, Span<float> output, int threads)
    {
        Validate(g, input.Length, output.Length);
        fixed (float* pIn = input)
        fixed (float* pOut = output)
        {
            var job = new PoolJob(g, isMax, countIncludePad, pIn, pOut);
            WorkerThreads.For(g.Batch * g.Channels, WorkerThreads.Count(threads), job, static (in PoolJob j, int plane) => PoolPlane(j.Geometry, j.IsMax, j.CountIncludePad, j.Input, j.Output, plane));
        }
    }

    private static void Validate(in PoolGeometry g, int inputLength, int outputLength)
    {
        if (g.Batch < 0 || g.Channels < 0 || g.InHeight < 0 || g.InWidth < 0 || g.OutHeight < 0 || g.OutWidth < 0
            || g.KernelHeight < 1 || g.KernelWidth < 1 || g.StrideH < 1 || g.StrideW < 1 || g.DilationH < 1 || g.DilationW < 1
            || g.PadTop < 0 || g.PadLeft < 0 || g.PadBottom < 0 || g.PadRight < 0)
        {
            throw new ArgumentException($"Invalid pooling geometry {g}.", nameof(g));
        }

        Check(inputLength, g.InputLength, "input");
        Check(outputLength, g.OutputLength, "output");
    }

    private static void Check(int length, long needed, string name)
    {
        if (length < needed)
        {
            throw new ArgumentException($"The {name} holds {length} values; the shape needs {needed}.", name);
        }
    }

    private static unsafe void PoolPlane(in PoolGeometry g, bool isMax, bool countIncludePad, float* x, float* y, int plane)
    {
        int inH = g.InHeight, inW = g.InWidth, outH = g.OutHeight, outW = g.OutWidth;
        var input = new ReadOnlySpan<float>(x + ((nint)plane * inH * inW), inH * inW);
        var output = new Span<float>(y + ((nint)plane * outH * outW), outH * outW);
        for (var oh = 0; oh < outH; oh++)
        {
            var h0 = (oh * g.StrideH) - g.PadTop;
            for (var ow = 0; ow < outW; ow++)
            {
                var w0 = (ow * g.StrideW) - g.PadLeft;
                var max = float.NegativeInfinity;
                var sum = 0f;
                var count = 0;
                for (var kh = 0; kh < g.KernelHeight; kh++)
                {
                    var h = h0 + (kh * g.DilationH);
                    if ((uint)h >= (uint)inH)
                    {
                        continue;
                    }

                    for (var kw = 0; kw < g.KernelWidth; kw++)
                    {
                        var c = w0 + (kw * g.DilationW);
                        if ((uint)c >= (uint)inW)
                        {
                            continue;
                        }

                        var v = input[(h * inW) + c];
                        max = Math.Max(max, v);
                        sum += v;
                        count++;
                    }
                }

                output[(oh * outW) + ow] = isMax ? max : sum / Divisor(g, countIncludePad, h0, w0, count);
            }
        }
    }

    private static int Divisor(in PoolGeometry g, bool countIncludePad, int h0, int w0, int count)
    {
        if (!countIncludePad)
        {
            return Math.Max(count, 1);
        }

        var h1 = Math.Min(h0 + g.KernelHeight, g.InHeight + g.PadBottom);
        var w1 = Math.Min(w0 + g.KernelWidth, g.InWidth + g.PadRight);
        return (h1 - h0) * (w1 - w0);
    }

    /// <summary>What every plane of a window-by-window pooling reads.</summary>
    private readonly unsafe struct PoolJob(PoolGeometry geometry, bool isMax, bool countIncludePad, float* input, float* output)
    {
        public PoolGeometry Geometry { get; } = geometry;

        public bool IsMax { get; } = isMax;

        public bool CountIncludePad { get; } = countIncludePad;

        public float* Input { get; } = input;

        public float* Output { get; } = output;
    }
}
