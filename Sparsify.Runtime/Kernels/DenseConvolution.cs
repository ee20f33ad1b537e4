namespace Sparsify.Runtime.Kernels;

/// <summary>
/// A dense convolution layer with its weights prepared once: what <see cref="Convolution.Dense"/> does per
/// call, with the GEMM's packing of the weights done at construction. Results are bitwise those of
/// <see cref="Convolution.Dense"/> with the same arguments.
/// </summary>
/// <remarks>
/// Packing the weights is a pass over all of them on every call otherwise; on a 7×7 plane, where each
/// weight meets only 49 pixels, that pass is about a fifth of the layer's time. The packed copy replaces
/// the weights: convolutions that do not run as a GEMM (depthwise, thin groups) keep them as given.
/// </remarks>
public sealed class DenseConvolution
{
    private readonly ConvGeometry _geometry;
    private readonly float[] _weights;
    private readonly Sgemm.PackedA[]? _packedWeights;
    private readonly int _weightsLength;
    private readonly float[] _bias;
    private readonly Activation _activation;
    private readonly ConvolutionPath _path;
    private readonly SimdLevel _level;

    /// <summary>
    /// The layer output = activation(conv(input, weights) + bias + residual), with the layouts of
    /// <see cref="Convolution.Dense"/>; <paramref name="weights"/> and <paramref name="bias"/> are copied.
    /// </summary>
    public DenseConvolution(in ConvGeometry geometry, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Activation activation)
        : this(geometry, weights, bias, activation, ConvolutionPath.Auto, Sgemm.BestLevel)
    {
    }

    internal DenseConvolution(in ConvGeometry geometry, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Activation activation, ConvolutionPath path, SimdLevel level)
    {
        ConvolutionKernel.Validate(geometry, InputLength(geometry), weights.Length, bias.Length, OutputLength(geometry));
        _geometry = geometry;
        _path = ConvolutionKernel.Resolve(geometry, path);
        _level = level;
        _weightsLength = weights.Length;
        _bias = bias.ToArray();
        _activation = activation;
        if (ConvolutionKernel.RunsAsGemm(geometry, _path))
        {
            _packedWeights = ConvolutionKernel.PackWeights(geometry, weights, level);
            _weights = [];
        }
        else
        {
            _weights = weights.ToArray();
        }
    }

    /// <summary>The layer's geometry.</summary>
    public ConvGeometry Geometry => _geometry;

    /// <summary>
    /// Runs the layer on <paramref name="input"/> (NCHW) into <paramref name="output"/> (NCHW, overwritten), adding
    /// <paramref name="residual"/> (empty, or as long as the output) before the activation. <paramref name="threads"/>
    /// 1 runs on the calling thread, 0 or less on every processor; results are bitwise the same for any value.
    /// </summary>
    public void Run(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, Span<float> output, int threads)
    {
        ConvolutionKernel.Validate(_geometry, input.Length, _weightsLength, _bias.Length, output.Length);
        ConvolutionKernel.Execute(_geometry, input, _weights, _packedWeights, _bias, residual, _activation, output, threads, _path, _level);
    }

    private static int InputLength(in ConvGeometry g) => (int)Math.Min(int.MaxValue, (long)g.Batch * g.InChannels * g.InHeight * g.InWidth);

    private static int OutputLength(in ConvGeometry g) => (int)Math.Min(int.MaxValue, (long)g.Batch * g.OutChannels * g.OutPixels);
}
