using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Manifests;
using Sparsify.Hardware.Zc706.Network;

namespace Sparsify.Hardware.Zc706.Functional;

/// <summary>The post-processing unit's operations, NCHW, with ONNX semantics (as the reference executor implements them).</summary>
internal static class PostProcessing
{
    public static float[] Relu(float[] x) => x.Select(v => v > 0 ? v : 0f).ToArray();

    public static float[] Sigmoid(ArrayLayer layer, float[] x)
    {
        var y = new float[x.Length];
        if (layer.HardSigmoid is var (alpha, beta))
        {
            Elementwise.HardSigmoid(x, alpha, beta, y);
        }
        else
        {
            Elementwise.Sigmoid(x, y);
        }

        return y;
    }

    public static float[] MatMul(ArrayLayer layer, float[] a, float[] b)
    {
        var y = new float[layer.OutputElements];
        MatrixProduct.Multiply(a, layer.InputShapes[0], b, layer.InputShapes[1], y, threads: 1);
        return y;
    }

    public static float[] Broadcast(ArrayLayer layer, float[] a, float[] b)
    {
        var y = new float[layer.OutputElements];
        Elementwise.Broadcast(layer.Function, a, layer.InputShapes[0], b, layer.InputShapes[1], y);
        return y;
    }

    public static float[] Multiply(ArrayLayer layer, float[] a, float[] b)
    {
        var y = new float[a.Length];
        Elementwise.Multiply(a, b, ManifestOps.MultiplyPlane(layer.InputShapes[0], layer.InputShapes[1]) ?? 1, y);
        return y;
    }

    public static float[] ChannelAffine(ArrayLayer layer, float[] x)
    {
        var (scale, shift) = layer.ChannelAffine ?? throw new InvalidOperationException($"layer '{layer.Name}' has no scales and shifts");
        var y = new float[x.Length];
        Elementwise.ChannelAffine(x, scale, shift, Plane(layer.InputShapes[0], 2), y);
        return y;
    }

    public static float[] ChannelLayerNorm(ArrayLayer layer, float[] x)
    {
        var (scale, shift) = layer.ChannelAffine ?? throw new InvalidOperationException($"layer '{layer.Name}' has no scales and shifts");
        var shape = layer.InputShapes[0];
        var y = new float[x.Length];
        Normalization.ChannelLayerNorm(shape[0], shape[1], Plane(shape, 2), layer.Epsilon, scale, shift, x, y);
        return y;
    }

    public static float[] Gelu(float[] x)
    {
        var y = new float[x.Length];
        Elementwise.Gelu(x, y);
        return y;
    }

    public static float[] Function(ArrayLayer layer, float[] x)
    {
        var y = new float[x.Length];
        if (layer.Function == "LeakyRelu")
        {
            Elementwise.LeakyRelu(x, layer.LeakyAlpha, y);
        }
        else
        {
            Elementwise.Unary(layer.Function, x, y);
        }

        return y;
    }

    public static float[] Pad(ArrayLayer layer, float[] x)
    {
        var pad = layer.Pad ?? throw new InvalidOperationException($"layer '{layer.Name}' has no pads");
        var shape = layer.InputShapes[0];
        var y = new float[layer.OutputElements];
        DataMovement.Pad(x, shape[0] * shape[1], shape[2], shape[3], pad.Pads, pad.Mode, pad.Value, y);
        return y;
    }

    public static float[] Reduce(ArrayLayer layer, float[] x)
    {
        var (axes, mean) = layer.Reduce ?? throw new InvalidOperationException($"layer '{layer.Name}' has no axes to reduce");
        var shape = layer.InputShapes[0];
        var y = new float[layer.OutputElements];
        Elementwise.Reduce(x, shape[..axes.First].Aggregate(1, (a, d) => a * d), shape[axes.First..(axes.Last + 1)].Aggregate(1, (a, d) => a * d), Plane(shape, axes.Last + 1), mean, y);
        return y;
    }

    public static float[] Slice(ArrayLayer layer, float[] x)
    {
        var shape = layer.InputShapes[0];
        var (axis, start, end) = layer.Slice;
        var y = new float[layer.OutputElements];
        DataMovement.Slice(x, shape[..axis].Aggregate(1, (a, d) => a * d), shape[axis], Plane(shape, axis + 1), start, end, y);
        return y;
    }

    public static float[] Transpose(ArrayLayer layer, float[] x)
    {
        var y = new float[layer.OutputElements];
        DataMovement.Transpose(x, layer.InputShapes[0], [.. layer.Perm ?? throw new InvalidOperationException($"layer '{layer.Name}' has no permutation")], y);
        return y;
    }

    public static float[] ChannelShuffle(ArrayLayer layer, float[] x)
    {
        var shape = layer.InputShapes[0];
        var y = new float[x.Length];
        DataMovement.ChannelShuffle(x, shape[0], shape[1], Plane(shape, 2), layer.ShuffleGroups, y);
        return y;
    }

    // Values per index of the axis before `from`: the product of the dimensions from `from` on.
    private static int Plane(int[] shape, int from) => shape[from..].Aggregate(1, (a, d) => a * d);

    public static float[] Clip(ArrayLayer layer, float[] x) => x.Select(v => v < layer.ClipMin ? layer.ClipMin : v > layer.ClipMax ? layer.ClipMax : v).ToArray();

    public static float[] Add(float[] a, float[] b) => a.Zip(b, (p, q) => p + q).ToArray();

    public static float[] Pool(ArrayLayer layer, float[] x)
    {
        var input = layer.InputShapes[0];
        int inH = input[2], inW = input[3], outH = layer.OutputShape[2], outW = layer.OutputShape[3];
        var w = layer.Window!.Value;
        var isMax = layer.Op == ArrayOp.MaxPool;
        var planes = input[0] * input[1];
        var y = new float[planes * outH * outW];
        for (var p = 0; p < planes; p++)
        {
            for (var oh = 0; oh < outH; oh++)
            {
                var h0 = (oh * w.StrideH) - w.Pads.Top;
                for (var ow = 0; ow < outW; ow++)
                {
                    var w0 = (ow * w.StrideW) - w.Pads.Left;
                    float max = float.NegativeInfinity, sum = 0;
                    var count = 0;
                    for (var kh = 0; kh < w.KernelH; kh++)
                    {
                        var h = h0 + (kh * w.DilationH);
                        if ((uint)h >= (uint)inH)
                        {
                            continue;
                        }

                        for (var kw = 0; kw < w.KernelW; kw++)
                        {
                            var c = w0 + (kw * w.DilationW);
                            if ((uint)c >= (uint)inW)
                            {
                                continue;
                            }

                            var v = x[(p * inH * inW) + (h * inW) + c];
                            max = Math.Max(max, v);
                            sum += v;
                            count++;
                        }
                    }

                    var divisor = layer.CountIncludePad
                        ? (Math.Min(h0 + w.KernelH, inH + w.Pads.Bottom) - h0) * (Math.Min(w0 + w.KernelW, inW + w.Pads.Right) - w0)
                        : Math.Max(count, 1);
                    y[(p * outH * outW) + (oh * outW) + ow] = isMax ? max : sum / divisor;
                }
            }
        }

        return y;
    }

    public static float[] GlobalAverage(ArrayLayer layer, float[] x)
    {
        var input = layer.InputShapes[0];
        var area = input[2] * input[3];
        var y = new float[input[0] * input[1]];
        for (var p = 0; p < y.Length; p++)
        {
            var sum = 0f;
            for (var i = 0; i < area; i++)
            {
                sum += x[(p * area) + i];
            }

            y[p] = sum / area;
        }

        return y;
    }

    public static float[] Lrn(ArrayLayer layer, float[] x)
    {
        var input = layer.InputShapes[0];
        int batch = input[0], channels = input[1], area = input[2] * input[3];
        var before = (layer.LrnSize - 1) / 2;
        var after = layer.LrnSize - 1 - before;
        var scale = layer.LrnAlpha / layer.LrnSize;
        var y = new float[x.Length];
        var sum = new float[area];
        for (var plane = 0; plane < batch * channels; plane++)
        {
            int n = plane / channels, c = plane % channels;
            Array.Clear(sum);
            for (var k = Math.Max(0, c - before); k <= Math.Min(channels - 1, c + after); k++)
            {
                var source = ((n * channels) + k) * area;
                for (var i = 0; i < area; i++)
                {
                    sum[i] += x[source + i] * x[source + i];
                }
            }

            for (var i = 0; i < area; i++)
            {
                y[(plane * area) + i] = x[(plane * area) + i] / MathF.Pow(layer.LrnBias + (scale * sum[i]), layer.LrnBeta);
            }
        }

        return y;
    }

    public static float[] Softmax(ArrayLayer layer, float[] x)
    {
        var shape = layer.InputShapes[0];
        var axis = layer.Axis < 0 ? layer.Axis + shape.Length : layer.Axis;
        var outer = shape.Take(axis).Aggregate(1, (a, d) => a * d);
        var (length, inner) = layer.CoerceTo2D
            ? (shape.Skip(axis).Aggregate(1, (a, d) => a * d), 1)
            : (shape[axis], shape.Skip(axis + 1).Aggregate(1, (a, d) => a * d));
        var y = new float[x.Length];
        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                var start = (o * length * inner) + i;
                var max = float.NegativeInfinity;
                for (var k = 0; k < length; k++)
                {
                    max = Math.Max(max, x[start + (k * inner)]);
                }

                var sum = 0f;
                for (var k = 0; k < length; k++)
                {
                    var e = MathF.Exp(x[start + (k * inner)] - max);
                    y[start + (k * inner)] = e;
                    sum += e;
                }

                for (var k = 0; k < length; k++)
                {
                    y[start + (k * inner)] /= sum;
                }
            }
        }

        return y;
    }

    public static float[] Concat(ArrayLayer layer, IReadOnlyList<float[]> inputs)
    {
        var axis = layer.Axis < 0 ? layer.Axis + layer.OutputShape.Length : layer.Axis;
        var outer = layer.OutputShape.Take(axis).Aggregate(1, (a, d) => a * d);
        var y = new float[layer.OutputElements];
        var at = 0;
        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                var block = layer.InputShapes[i].Skip(axis).Aggregate(1, (a, d) => a * d);
                inputs[i].AsSpan(o * block, block).CopyTo(y.AsSpan(at));
                at += block;
            }
        }

        return y;
    }
}
