using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Core.Execution.Kernels;

/// <summary>Max and average pooling, NCHW, one (image, channel) plane per work item.</summary>
internal static class PoolingKernel
{
    public static Tensor Pool(PoolLayer layer, Tensor x, Shape outputShape, int threads)
    {
        var y = new Tensor(outputShape);
        var planes = outputShape[0] * outputShape[1];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Parallel.For(0, planes, options, p => PoolPlane(layer, x, y, p));
        return y;
    }

    public static Tensor GlobalAverage(Tensor x, Shape outputShape)
    {
        var y = new Tensor(outputShape);
        var area = x.Shape[2] * x.Shape[3];
        for (var p = 0; p < y.Length; p++)
        {
            y.Data[p] = System.Numerics.Tensors.TensorPrimitives.Sum(x.Data.AsSpan(p * area, area)) / area;
        }

        return y;
    }

    private static void PoolPlane(PoolLayer layer, Tensor x, Tensor y, int plane)
    {
        int inH = x.Shape[2], inW = x.Shape[3], outH = y.Shape[2], outW = y.Shape[3];
        var w = layer.Window;
        var input = x.Data.AsSpan(plane * inH * inW, inH * inW);
        var output = y.Data.AsSpan(plane * outH * outW, outH * outW);
        var isMax = layer.Kind == PoolKind.Max;
        for (var oh = 0; oh < outH; oh++)
        {
            var h0 = oh * w.StrideH - w.Pads.Top;
            for (var ow = 0; ow < outW; ow++)
            {
                var w0 = ow * w.StrideW - w.Pads.Left;
                var max = float.NegativeInfinity;
                var sum = 0f;
                var count = 0;
                for (var kh = 0; kh < w.KernelH; kh++)
                {
                    var h = h0 + kh * w.DilationH;
                    if ((uint)h >= (uint)inH)
                    {
                        continue;
                    }

                    for (var kw = 0; kw < w.KernelW; kw++)
                    {
                        var c = w0 + kw * w.DilationW;
                        if ((uint)c >= (uint)inW)
                        {
                            continue;
                        }

                        var v = input[h * inW + c];
                        max = Math.Max(max, v);
                        sum += v;
                        count++;
                    }
                }

                output[oh * outW + ow] = isMax ? max : sum / Divisor(layer, h0, w0, inH, inW, count);
            }
        }
    }

    // With count_include_pad the divisor counts padded positions, but (as in ONNX Runtime) not the
    // part of a ceil-mode window that hangs past the padding.
    private static int Divisor(PoolLayer layer, int h0, int w0, int inH, int inW, int count)
    {
        if (!layer.CountIncludePad)
        {
            return Math.Max(count, 1);
        }

        var w = layer.Window;
        var h1 = Math.Min(h0 + w.KernelH, inH + w.Pads.Bottom);
        var w1 = Math.Min(w0 + w.KernelW, inW + w.Pads.Right);
        return (h1 - h0) * (w1 - w0);
    }
}
