using System.Runtime.CompilerServices;

namespace Sparsify.Training.Layers;

/// <summary>
/// The fast path of pooling when every window lies inside the input (no padding, no overhang, as in
/// LeNet and AlexNet): no bounds tests, pointer loops. Same results as the general path: the first
/// maximum wins, and the average divides by the kernel area.
/// </summary>
internal sealed unsafe partial class PoolNode
{
    private void ForwardInside(float[] x, float[] y, int[]? argmax, int batch)
    {
        var w = _pool.Window;
        int inPlane = _inH * _inW, outPlane = _outH * _outW, planes = batch * _channels;
        var rowStep = w.DilationH * _inW;
        float area = w.KernelH * w.KernelW;
        fixed (float* px = x)
        fixed (float* py = y)
        fixed (int* pArg = argmax)
        {
            for (var plane = 0; plane < planes; plane++)
            {
                float* input = px + ((nint)plane * inPlane);
                float* output = py + ((nint)plane * outPlane);
                int* arg = pArg == null ? null : pArg + ((nint)plane * outPlane);
                for (var oh = 0; oh < _outH; oh++)
                {
                    for (var ow = 0; ow < _outW; ow++)
                    {
                        var start = (oh * w.StrideH * _inW) + (ow * w.StrideW);
                        var o = (oh * _outW) + ow;
                        if (arg != null)
                        {
                            var best = start;
                            var max = input[start];
                            for (var kh = 0; kh < w.KernelH; kh++)
                            {
                                for (var kw = 0; kw < w.KernelW; kw++)
                                {
                                    // Arithmetic, not a branch: which value wins is data, and the JIT does not
                                    // turn branches inside loops into conditional moves; mispredicts tripled the cost.
                                    var i = start + (kh * rowStep) + (kw * w.DilationW);
                                    var v = input[i];
                                    var take = -Unsafe.BitCast<bool, byte>(v > max);
                                    best += (i - best) & take;
                                    max = MathF.Max(max, v);
                                }
                            }

                            output[o] = max;
                            arg[o] = best;
                        }
                        else
                        {
                            var sum = 0f;
                            for (var kh = 0; kh < w.KernelH; kh++)
                            {
                                for (var kw = 0; kw < w.KernelW; kw++)
                                {
                                    sum += input[start + (kh * rowStep) + (kw * w.DilationW)];
                                }
                            }

                            output[o] = sum / area;
                        }
                    }
                }
            }
        }
    }

    private void BackwardInside(float[] dx, float[] dy, int[]? argmax, int batch)
    {
        var w = _pool.Window;
        int inPlane = _inH * _inW, outPlane = _outH * _outW, planes = batch * _channels;
        var rowStep = w.DilationH * _inW;
        float area = w.KernelH * w.KernelW;
        fixed (float* pdx = dx)
        fixed (float* pdy = dy)
        fixed (int* pArg = argmax)
        {
            for (var plane = 0; plane < planes; plane++)
            {
                float* dInput = pdx + ((nint)plane * inPlane);
                float* dOutput = pdy + ((nint)plane * outPlane);
                if (pArg != null)
                {
                    int* arg = pArg + ((nint)plane * outPlane);
                    for (var o = 0; o < outPlane; o++)
                    {
                        dInput[arg[o]] += dOutput[o];
                    }

                    continue;
                }

                for (var oh = 0; oh < _outH; oh++)
                {
                    for (var ow = 0; ow < _outW; ow++)
                    {
                        var start = (oh * w.StrideH * _inW) + (ow * w.StrideW);
                        var share = dOutput[(oh * _outW) + ow] / area;
                        for (var kh = 0; kh < w.KernelH; kh++)
                        {
                            for (var kw = 0; kw < w.KernelW; kw++)
                            {
                                dInput[start + (kh * rowStep) + (kw * w.DilationW)] += share;
                            }
                        }
                    }
                }
            }
        }
    }
}
