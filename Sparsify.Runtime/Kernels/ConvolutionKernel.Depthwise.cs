using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

/// <summary>
/// Depthwise convolution (each output channel reads one input channel: MobileNet, EfficientNet, ShuffleNet,
/// ConvNeXt), eight output pixels a vector with every tap's weight in a register.
/// </summary>
/// <remarks>
/// A GEMM would run one row of k·k per channel, and the direct loops walk the output plane once per tap. Here
/// each channel's input is first copied, with its padding made explicit, into one plane per column phase of
/// the stride (phase p holds padded columns p, p + s, p + 2s, …): every tap then reads eight consecutive
/// floats of one phase row, at any stride and dilation, and an output row needs no test at its borders.
/// </remarks>
internal static unsafe partial class ConvolutionKernel
{
    /// <summary>Whether the depthwise kernel takes <paramref name="g"/>: one input channel per group, more than one group.</summary>
    internal static bool IsDepthwise(in ConvGeometry g) => g.Group > 1 && g.InChannelsPerGroup == 1 && Vector256.IsHardwareAccelerated;

    private static void RunDepthwise(in ConvGeometry g, float* input, float* weights, float* bias, float* output, ConvEpilogue epilogue, int maxDop)
    {
        int dop = Sgemm.EffectiveParallelism(maxDop, g.Macs);

        // Channels go in runs, so that small planes (7×7) do not pay a work item's setup each; eight runs a thread balance the load.
        int channels = g.Batch * g.OutChannels;
        int run = Math.Clamp(channels / (8 * dop), 1, 32);
        var job = new DepthwiseJob(g, input, weights, bias, output, epilogue, run);
        Sgemm.RunParallel((channels + run - 1) / run, dop, job, static (in DepthwiseJob j, int item) => j.Run(item));
    }

    private readonly struct DepthwiseJob
    {
        private const int Lanes = 8;
        private readonly ConvGeometry _g;
        private readonly float* _input, _weights, _bias, _output;
        private readonly ConvEpilogue _epilogue;
        private readonly int _run;

        /// <summary>Padded rows: every (output row, kernel row) reads one.</summary>
        private readonly int _rows;

        /// <summary>Floats of one phase row: whole vectors of output columns plus the farthest tap's offset.</summary>
        private readonly int _phaseWidth;

        public DepthwiseJob(in ConvGeometry g, float* input, float* weights, float* bias, float* output, ConvEpilogue epilogue, int run)
        {
            _g = g;
            _run = run;
            _input = input;
            _weights = weights;
            _bias = bias;
            _output = output;
            _epilogue = epilogue;
            _rows = Math.Max(g.InHeight + g.PadTop, ((g.OutHeight - 1) * g.StrideH) + ((g.KernelHeight - 1) * g.DilationH) + 1);
            int vectors = (g.OutWidth + Lanes - 1) / Lanes;
            _phaseWidth = RoundUp((vectors * Lanes) + (((g.KernelWidth - 1) * g.DilationW) / g.StrideW));
            if (((long)g.StrideW * (_rows + 1) * _phaseWidth) + Lanes > Array.MaxLength)
            {
                throw new ArgumentException($"The padded input of {g} is too large.", nameof(g));
            }
        }

        /// <summary>Runs channels [item · run, (item + 1) · run) of the batch's output channels.</summary>
        public void Run(int item)
        {
            var g = _g;
            int phaseFloats = g.StrideW * _rows * _phaseWidth;
            float* phases = ThreadScratch.PaddedImage(phaseFloats + (g.StrideW * _phaseWidth) + Lanes);
            int taps = g.KernelHeight * g.KernelWidth;
            var w = stackalloc Vector256<float>[taps];
            var tapOffset = stackalloc int[taps];
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                for (int kw = 0; kw < g.KernelWidth; kw++)
                {
                    int column = kw * g.DilationW;
                    tapOffset[(kh * g.KernelWidth) + kw] = ((column % g.StrideW) * _rows * _phaseWidth) + (kh * g.DilationH * _phaseWidth) + (column / g.StrideW);
                }
            }

            int end = Math.Min((item + 1) * _run, g.Batch * g.OutChannels);
            for (int index = item * _run; index < end; index++)
            {
                int b = index / g.OutChannels;
                int oc = index % g.OutChannels;
                Fill(_input + ((((nint)b * g.InChannels) + (oc / g.OutChannelsPerGroup)) * g.InHeight * g.InWidth), phases, phases + phaseFloats);
                for (int t = 0; t < taps; t++)
                {
                    w[t] = Vector256.Create(_weights[((nint)oc * taps) + t]);
                }

                Channel(b, oc, phases, w, tapOffset);
            }
        }

        private void Channel(int b, int oc, float* phases, Vector256<float>* w, int* tapOffset)
        {
            var g = _g;
            int taps = g.KernelHeight * g.KernelWidth;
            var bias = Vector256.Create(_bias == null ? 0f : _bias[oc]);
            nint plane = (((nint)b * g.OutChannels) + oc) * g.OutPixels;
            float* dst = _output + plane;
            float* residual = _epilogue.Residual == null ? null : _epilogue.Residual + plane;
            var activation = _epilogue.Activation;
            var store = new RowStore(dst, residual, activation, g.OutWidth, g.OutPixels);
            if (taps == 9)
            {
                Plane3x3(phases, tapOffset, w, bias, store);
                return;
            }

            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                float* rowBase = phases + ((nint)oh * g.StrideH * _phaseWidth);
                nint outRow = (nint)oh * g.OutWidth;
                for (int ow = 0; ow < g.OutWidth; ow += Lanes)
                {
                    float* at = rowBase + ow;
                    var acc = bias;
                    for (int t = 0; t < taps; t++)
                    {
                        acc = MultiplyAdd(Vector256.Load(at + tapOffset[t]), w[t], acc);
                    }

                    store.Store(acc, outRow, ow);
                }
            }
        }

        /// <summary>
        /// The output plane of a 3×3 kernel: the nine weights held in registers for the whole plane (small
        /// planes have a vector or two a row, so per-row setup would cost as much as the row).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Plane3x3(float* phases, int* tapOffset, Vector256<float>* w, Vector256<float> bias, in RowStore store)
        {
            var (w0, w1, w2, w3, w4, w5, w6, w7, w8) = (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8]);
            nint t0 = tapOffset[0], t1 = tapOffset[1], t2 = tapOffset[2], t3 = tapOffset[3], t4 = tapOffset[4];
            nint t5 = tapOffset[5], t6 = tapOffset[6], t7 = tapOffset[7], t8 = tapOffset[8];
            nint rowStep = (nint)_g.StrideH * _phaseWidth;
            int outWidth = _g.OutWidth;
            for (int oh = 0; oh < _g.OutHeight; oh++)
            {
                float* rowBase = phases + (oh * rowStep);
                Row3x3(rowBase + t0, rowBase + t1, rowBase + t2, rowBase + t3, rowBase + t4, rowBase + t5, rowBase + t6, rowBase + t7, rowBase + t8, w0, w1, w2, w3, w4, w5, w6, w7, w8, bias, store, (nint)oh * outWidth, outWidth);
            }
        }

        /// <summary>One output row of a 3×3 kernel from its nine tap rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Row3x3(
            float* p0, float* p1, float* p2, float* p3, float* p4, float* p5, float* p6, float* p7, float* p8,
            Vector256<float> w0, Vector256<float> w1, Vector256<float> w2, Vector256<float> w3, Vector256<float> w4, Vector256<float> w5, Vector256<float> w6, Vector256<float> w7, Vector256<float> w8,
            Vector256<float> bias, in RowStore store, nint outRow, int outWidth)
        {
            for (int ow = 0; ow < outWidth; ow += Lanes)
            {
                // One chain per kernel row, so that the FMAs' latency overlaps.
                var top = MultiplyAdd(Vector256.Load(p0 + ow), w0, bias);
                var middle = Vector256.Load(p3 + ow) * w3;
                var bottom = Vector256.Load(p6 + ow) * w6;
                top = MultiplyAdd(Vector256.Load(p1 + ow), w1, top);
                middle = MultiplyAdd(Vector256.Load(p4 + ow), w4, middle);
                bottom = MultiplyAdd(Vector256.Load(p7 + ow), w7, bottom);
                top = MultiplyAdd(Vector256.Load(p2 + ow), w2, top);
                middle = MultiplyAdd(Vector256.Load(p5 + ow), w5, middle);
                bottom = MultiplyAdd(Vector256.Load(p8 + ow), w8, bottom);
                store.Store(top + middle + bottom, outRow, ow);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> MultiplyAdd(Vector256<float> x, Vector256<float> w, Vector256<float> acc)
            => Fma.IsSupported ? Fma.MultiplyAdd(x, w, acc) : (x * w) + acc;

        private static int RoundUp(int floats) => (floats + Lanes - 1) / Lanes * Lanes;

        /// <summary>
        /// Copies one input channel into its phase planes, zero where the padding or the slack is: each row
        /// padded in <paramref name="row"/> first, then dealt out to the phases (two at a time by shuffles at stride 2).
        /// </summary>
        private void Fill(float* channel, float* phases, float* row)
        {
            var g = _g;
            int stride = g.StrideW;
            int paddedWidth = stride * _phaseWidth;
            int copied = Math.Clamp(paddedWidth - g.PadLeft, 0, g.InWidth);
            nint phasePlane = (nint)_rows * _phaseWidth;
            for (int r = 0; r < _rows; r++)
            {
                float* first = phases + ((nint)r * _phaseWidth);
                int ih = r - g.PadTop;
                if ((uint)ih >= (uint)g.InHeight)
                {
                    for (int phase = 0; phase < stride; phase++)
                    {
                        Clear(first + (phase * phasePlane), _phaseWidth);
                    }

                    continue;
                }

                // At stride 1 the padded row is the phase row itself.
                float* padded = stride == 1 ? first : row;
                PadRow(channel + ((nint)ih * g.InWidth), padded, Math.Min(g.PadLeft, paddedWidth), copied, paddedWidth);
                if (stride == 2)
                {
                    Deinterleave(padded, first, first + phasePlane, _phaseWidth);
                }
                else if (stride > 2)
                {
                    for (int phase = 0; phase < stride; phase++)
                    {
                        float* dst = first + (phase * phasePlane);
                        for (int j = 0; j < _phaseWidth; j++)
                        {
                            dst[j] = padded[(j * stride) + phase];
                        }
                    }
                }
            }
        }

        // Rows of a few vectors: inline stores beat the calls of Span's Clear and CopyTo.
        private static void Clear(float* row, int floats)
        {
            for (int j = 0; j < floats; j += Lanes)
            {
                Vector256<float>.Zero.Store(row + j);
            }
        }

        /// <summary>
        /// One padded row: zeros, <paramref name="count"/> input values from <paramref name="padLeft"/> on, zeros
        /// to <paramref name="width"/>. Whole vectors only (the tail through a masked load, which reads nothing past
        /// the input row), so a vector may write up to 7 floats past <paramref name="width"/>: into the next row,
        /// which is filled after this one, or the slack after the last.
        /// </summary>
        private static void PadRow(float* source, float* padded, int padLeft, int count, int width)
        {
            for (int j = 0; j < padLeft; j += Lanes)
            {
                Vector256<float>.Zero.Store(padded + j);
            }

            float* target = padded + padLeft;
            int i = 0;
            for (; i + Lanes <= count; i += Lanes)
            {
                Vector256.Load(source + i).Store(target + i);
            }

            if (i < count)
            {
                if (Avx.IsSupported)
                {
                    // The lanes past the row load as zero: they are the right padding's first floats.
                    Avx.MaskLoad(source + i, TailMask(count - i)).Store(target + i);
                    i += Lanes;
                }
                else
                {
                    for (; i < count; i++)
                    {
                        target[i] = source[i];
                    }
                }
            }

            for (int j = padLeft + i; j < width; j += Lanes)
            {
                Vector256<float>.Zero.Store(padded + j);
            }
        }

        /// <summary>All ones in the first <paramref name="lanes"/> lanes (1 to 8).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<float> TailMask(int lanes) => Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(lanes)).AsSingle();

        /// <summary>even[j] = source[2j], odd[j] = source[2j + 1] for j below <paramref name="count"/> (a multiple of 8).</summary>
        private static void Deinterleave(float* source, float* even, float* odd, int count)
        {
            for (int j = 0; j < count; j += Lanes)
            {
                var a = Vector256.Load(source + (2 * j));
                var b = Vector256.Load(source + (2 * j) + Lanes);
                if (Avx2.IsSupported)
                {
                    // Per 128-bit lane: a0 a2 b0 b2 | a4 a6 b4 b6; then the middle 64-bit pairs swapped.
                    var evens = Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble();
                    var odds = Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble();
                    Avx2.Permute4x64(evens, 0b11_01_10_00).AsSingle().Store(even + j);
                    Avx2.Permute4x64(odds, 0b11_01_10_00).AsSingle().Store(odd + j);
                }
                else
                {
                    for (int i = 0; i < Lanes; i++)
                    {
                        even[j + i] = source[(2 * (j + i))];
                        odd[j + i] = source[(2 * (j + i)) + 1];
                    }
                }
            }
        }
    }

    /// <summary>Where a depthwise kernel's vectors go: + residual, the activation, and only the plane's pixels.</summary>
    /// <remarks>
    /// Rows are stored in order, so a vector past a row's end may spill onto the next row, which is stored
    /// after it; only past the plane's end (another channel's, perhaps another thread's) are the lanes stored one by one.
    /// </remarks>
    private readonly struct RowStore(float* output, float* residual, Activation activation, int width, int plane)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector256<float> acc, nint row, int column)
        {
            nint at = row + column;
            int inPlane = (int)Math.Min(8, plane - at);
            int count = Math.Min(8, width - column);
            if (inPlane == 8)
            {
                if (residual != null)
                {
                    acc += Vector256.Load(residual + at);
                }

                Vector256.Store(activation.Apply(acc), output + at);
                return;
            }

            if (Avx.IsSupported)
            {
                // The plane's last row: its lanes only, through a mask (past it is another channel's plane).
                var mask = DepthwiseJob.TailMask(count);
                if (residual != null)
                {
                    acc += Avx.MaskLoad(residual + at, mask);
                }

                Avx.MaskStore(output + at, mask, activation.Apply(acc));
                return;
            }

            for (int i = 0; i < count; i++)
            {
                output[at + i] = activation.Apply(acc.GetElement(i) + (residual == null ? 0f : residual[at + i]));
            }
        }
    }
}
