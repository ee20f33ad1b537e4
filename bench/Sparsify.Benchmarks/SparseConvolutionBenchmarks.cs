using BenchmarkDotNet.Attributes;
using Sparsify.Runtime.Formats;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Benchmarks;

/// <summary>
/// ResNet18's 3×3 and 1×1 convolution shapes (224×224 input), batch 1, 2 threads: the table-driven
/// sparse driver at 90% locality sparsity (G = 8, every group keeps the same seeded random columns)
/// against the dense SGEMM convolution of the same layer. Both add a residual and apply ReLU.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 5, iterationCount: 15)]
public class SparseConvolutionBenchmarks
{
    private const int Threads = 2;
    private SparseConvolutionDriver _sparse = null!;
    private ConvGeometry _geometry;
    private float[] _input = [];
    private DenseConvolution _denseLayer = null!;
    private float[] _bias = [];
    private float[] _residual = [];
    private float[] _output = [];

    /// <summary>The layer: stage, kernel, channels and output size.</summary>
    [Params("l1 3x3 64 56", "l2 3x3 64-128 s2", "l2 1x1 64-128 s2", "l2 3x3 128 28", "l3 3x3 256 14", "l4 3x3 512 7", "l4 1x1 256-512 s2")]
    public string Layer { get; set; } = "l1 3x3 64 56";

    /// <summary>Fraction of weights removed.</summary>
    [Params(0.9)]
    public double Sparsity { get; set; } = 0.9;

    [GlobalSetup]
    public void Setup()
    {
        _geometry = Layer switch
        {
            "l1 3x3 64 56" => Conv(64, 56, 64, 3, 1),
            "l2 3x3 64-128 s2" => Conv(64, 56, 128, 3, 2),
            "l2 1x1 64-128 s2" => Conv(64, 56, 128, 1, 2),
            "l2 3x3 128 28" => Conv(128, 28, 128, 3, 1),
            "l3 3x3 256 14" => Conv(256, 14, 256, 3, 1),
            "l4 3x3 512 7" => Conv(512, 7, 512, 3, 1),
            "l4 1x1 256-512 s2" => Conv(256, 14, 512, 1, 2),
            _ => throw new ArgumentException($"unknown layer {Layer}"),
        };
        var random = new Random(42);
        var weights = LocalityGroups(_geometry.OutChannels, _geometry.FilterLength, 8, Sparsity, random);
        _input = Uniform(_geometry.InChannels * _geometry.InHeight * _geometry.InWidth, random);
        _bias = Uniform(_geometry.OutChannels, random);
        _residual = Uniform(_geometry.OutChannels * _geometry.OutPixels, random);
        _output = new float[_residual.Length];
        _sparse = SparseConvolutions.FromGroups(_geometry, weights, _bias);
        _denseLayer = new DenseConvolution(_geometry, weights.Decode(), _bias, Activation.Relu);
    }

    [Benchmark(Baseline = true)]
    public void Dense() => _denseLayer.Run(_input, _residual, _output, Threads);

    [Benchmark]
    public void Sparse() => _sparse.Run(_input, _residual, activation: true, _output, Threads);

    private static ConvGeometry Conv(int inChannels, int size, int outChannels, int kernel, int stride)
    {
        var pad = kernel / 2;
        var outSize = ((size + (2 * pad) - kernel) / stride) + 1;
        return new ConvGeometry(1, inChannels, size, size, outChannels, outSize, outSize, kernel, kernel, stride, stride, 1, 1, pad, pad, 1);
    }

    private static float[] Uniform(int count, Random random)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    /// <summary>What the locality scheme produces: every group of G rows keeps the same number of columns, shared by its rows.</summary>
    private static GroupLayer LocalityGroups(int rows, int columns, int groupSize, double sparsity, Random random)
    {
        var kept = Math.Max(1, (int)Math.Round((1 - sparsity) * columns));
        var groups = rows / groupSize;
        var pointers = new int[groups + 1];
        var indices = new List<int>();
        var values = new List<float>();
        for (var g = 0; g < groups; g++)
        {
            foreach (var column in Enumerable.Range(0, columns).OrderBy(_ => random.Next()).Take(kept).Order())
            {
                indices.Add(column);
                for (var lane = 0; lane < groupSize; lane++)
                {
                    values.Add((float)((random.NextDouble() * 2) - 1));
                }
            }

            pointers[g + 1] = indices.Count;
        }

        return new GroupLayer(rows, columns, groupSize, IndexEncoding.Absolute, IndexCodec.AbsoluteBits(columns),
            pointers, [.. indices], [.. values], values.Count, 0, 0);
    }
}
