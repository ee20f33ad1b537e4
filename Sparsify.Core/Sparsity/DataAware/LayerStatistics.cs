using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Core.Sparsity.DataAware;

/// <summary>
/// Second-order statistics of one layer's input over the calibration samples, per conv group: the
/// Gram matrix H = Σ x·xᵀ of the input the pruned network feeds the layer, and the cross matrix
/// C = Σ x·x̂ᵀ with the input x̂ the dense network feeds it. A sample x is one im2col column of a
/// convolution (the inputs one output pixel reads, in the weight matrix's column order) or one input
/// row of a Gemm, followed by a constant 1 when the layer has a bias, so that the refit corrects the
/// bias with the weights. Minimising Σ‖W·x̂ − V·x‖² over V then needs only H and C.
/// </summary>
internal sealed class LayerStatistics
{
    private const int ChunkSamples = 2048;

    private LayerStatistics(int columns, bool hasBias, double[][] gram, double[][]? cross, long samples)
    {
        Columns = columns;
        HasBias = hasBias;
        Gram = gram;
        Cross = cross;
        Samples = samples;
    }

    /// <summary>Weight columns per conv group (the weight matrix's columns).</summary>
    public int Columns { get; }

    /// <summary>Whether a constant-1 input follows the weight columns (the bias).</summary>
    public bool HasBias { get; }

    /// <summary>Columns of H: <see cref="Columns"/>, plus one for the bias.</summary>
    public int Size => Columns + (HasBias ? 1 : 0);

    /// <summary>H per conv group, row-major Size×Size.</summary>
    public double[][] Gram { get; }

    /// <summary>C per conv group; null when the pruned and dense inputs are the same (C = H).</summary>
    public double[][]? Cross { get; }

    /// <summary>Samples accumulated per conv group.</summary>
    public long Samples { get; }

    /// <summary>
    /// Accumulates the statistics of <paramref name="layer"/> (Conv or Gemm) over batch inputs
    /// <paramref name="pruned"/> and <paramref name="dense"/> (the same tensor before the first pruned
    /// layer). At most <paramref name="maxSamples"/> samples are taken, evenly strided over the output
    /// pixels with an offset that moves from image to image, so early layers with many pixels cost no
    /// more than late ones.
    /// </summary>
    public static LayerStatistics Accumulate(Layer layer, Tensor pruned, Tensor dense, Shape outputShape, long maxSamples, int threads)
    {
        var same = ReferenceEquals(pruned, dense);
        var sampler = Sampler.For(layer, pruned.Shape, outputShape);
        var n = sampler.Columns + (sampler.HasBias ? 1 : 0);
        var perImage = sampler.Positions;
        var batch = pruned.Shape[0];
        var stride = (int)Math.Max(1, ((long)perImage * batch + maxSamples - 1) / maxSamples);
        var gram = new double[sampler.ConvGroups][];
        var cross = same ? null : new double[sampler.ConvGroups][];
        var x = new float[(long)n * ChunkSamples];
        var xT = new float[(long)n * ChunkSamples];
        var xDenseT = same ? null : new float[(long)n * ChunkSamples];
        var product = new float[(long)n * n];
        long samples = 0;
        for (var g = 0; g < sampler.ConvGroups; g++)
        {
            gram[g] = new double[(long)n * n];
            if (cross is not null)
            {
                cross[g] = new double[(long)n * n];
            }

            var filled = 0;
            samples = 0;
            for (var image = 0; image < batch; image++)
            {
                for (var p = image % stride; p < perImage; p += stride)
                {
                    sampler.Write(pruned, image, g, p, xT, filled, n);
                    if (xDenseT is not null)
                    {
                        sampler.Write(dense, image, g, p, xDenseT, filled, n);
                    }

                    samples++;
                    if (++filled == ChunkSamples)
                    {
                        Flush(x, xT, xDenseT, filled, n, product, gram[g], cross?[g], threads);
                        filled = 0;
                    }
                }
            }

            if (filled > 0)
            {
                Flush(x, xT, xDenseT, filled, n, product, gram[g], cross?[g], threads);
            }
        }

        return new LayerStatistics(sampler.Columns, sampler.HasBias, gram, cross, samples);
    }

    // H += X·Xᵀ and C += X·X̂ᵀ for the chunk's samples (xT holds one sample a row; X, n × ChunkSamples, is its transpose).
    private static void Flush(float[] x, float[] xT, float[]? xDenseT, int filled, int n, float[] product, double[] gram, double[]? cross, int threads)
    {
        DenseFactorization.Transpose(xT, filled, n, n, x, ChunkSamples);
        Gemm.Multiply(n, n, filled, x, ChunkSamples, xT, n, product, n, false, threads);
        Add(product, gram);
        if (xDenseT is not null && cross is not null)
        {
            Gemm.Multiply(n, n, filled, x, ChunkSamples, xDenseT, n, product, n, false, threads);
            Add(product, cross);
        }
    }

    private static void Add(float[] product, double[] sum)
    {
        for (var i = 0; i < sum.Length; i++)
        {
            sum[i] += product[i];
        }
    }

    // Reads one sample (an im2col column or a Gemm row) out of a batch tensor.
    private sealed class Sampler
    {
        private readonly ConvGeometry _g;
        private readonly bool _isConv;

        private Sampler(ConvGeometry geometry, bool isConv, int columns, int positions, int convGroups, bool hasBias)
        {
            _g = geometry;
            _isConv = isConv;
            Columns = columns;
            Positions = positions;
            ConvGroups = convGroups;
            HasBias = hasBias;
        }

        public int Columns { get; }

        public int Positions { get; }

        public int ConvGroups { get; }

        public bool HasBias { get; }

        public static Sampler For(Layer layer, Shape input, Shape output) => layer switch
        {
            ConvLayer conv => FromConv(conv, conv.Geometry(input, output)),
            FullyConnectedLayer fc => new Sampler(default, false, fc.InFeatures, 1, 1, fc.Bias is not null),
            _ => throw new ArgumentException($"{layer.OpType} {layer.Name} has no weights", nameof(layer)),
        };

        private static Sampler FromConv(ConvLayer conv, ConvGeometry g) =>
            new(g, true, g.FilterLength, g.OutPixels, g.Group, conv.Bias is not null);

        // Row `sample` of the chunk's samples × n matrix.
        public void Write(Tensor t, int image, int group, int position, float[] xT, int sample, int n) =>
            Fill(t, image, group, position, xT.AsSpan(sample * n, n));

        private void Fill(Tensor t, int image, int group, int position, Span<float> row)
        {
            if (HasBias)
            {
                row[Columns] = 1f;
            }

            if (!_isConv)
            {
                t.Data.AsSpan(image * Columns, Columns).CopyTo(row);
                return;
            }

            var g = _g;
            int oh = position / g.OutWidth, ow = position % g.OutWidth;
            var plane = g.InHeight * g.InWidth;
            var first = ((long)image * g.InChannels + (group * g.InChannelsPerGroup)) * plane;
            var data = t.Data;
            var c = 0;
            for (var ci = 0; ci < g.InChannelsPerGroup; ci++)
            {
                var channel = first + ((long)ci * plane);
                for (var kh = 0; kh < g.KernelHeight; kh++)
                {
                    var ih = (oh * g.StrideH) - g.PadTop + (kh * g.DilationH);
                    for (var kw = 0; kw < g.KernelWidth; kw++, c++)
                    {
                        var iw = (ow * g.StrideW) - g.PadLeft + (kw * g.DilationW);
                        row[c] = (uint)ih < (uint)g.InHeight && (uint)iw < (uint)g.InWidth ? data[channel + (ih * g.InWidth) + iw] : 0f;
                    }
                }
            }
        }
    }
}
