using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Core.Execution.Kernels;

/// <summary>
/// Cross-channel local response normalisation as ONNX defines it: the window of channel c spans
/// [c - floor((size-1)/2), c + ceil((size-1)/2)], clipped to the channels present.
/// </summary>
internal static class LrnKernel
{
    public static Tensor Run(LrnLayer layer, Tensor x, int threads)
    {
        int batch = x.Shape[0], channels = x.Shape[1], area = x.Shape[2] * x.Shape[3];
        var y = new Tensor(x.Shape);
        var before = (layer.Size - 1) / 2;
        var after = layer.Size - 1 - before;
        var scale = layer.Alpha / layer.Size;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Parallel.For(0, batch * channels, options, () => (new float[area], new float[area]), (plane, _, buffers) =>
        {
            var (sum, square) = buffers;
            int n = plane / channels, c = plane % channels;
            Array.Clear(sum);
            for (var k = Math.Max(0, c - before); k <= Math.Min(channels - 1, c + after); k++)
            {
                var source = x.Data.AsSpan((n * channels + k) * area, area);
                TensorPrimitives.Multiply(source, source, square);
                TensorPrimitives.Add(sum, square, sum);
            }

            var input = x.Data.AsSpan(plane * area, area);
            var output = y.Data.AsSpan(plane * area, area);
            for (var i = 0; i < area; i++)
            {
                output[i] = input[i] / MathF.Pow(layer.Bias + scale * sum[i], layer.Beta);
            }

            return buffers;
        }, _ => { });
        return y;
    }
}
