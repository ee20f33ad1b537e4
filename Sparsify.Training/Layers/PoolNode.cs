using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Training.Layers;

/// <summary>
/// Max and average pooling with the reference executor's semantics (padding never wins a max; the
/// average divisor follows count_include_pad and ceil_mode). Max pooling remembers where each
/// maximum came from, so its backward routes the gradient there.
/// </summary>
internal sealed partial class PoolNode : TrainingNode
{
    private readonly PoolLayer _pool;
    private readonly int _channels, _inH, _inW, _outH, _outW;
    private readonly bool _inside;

    public PoolNode(PoolLayer pool, int input, int output, Shape inputShape, Shape outputShape)
        : base(pool, [input], output, [inputShape], outputShape)
    {
        _pool = pool;
        (_channels, _inH, _inW) = (inputShape[0], inputShape[1], inputShape[2]);
        (_outH, _outW) = (outputShape[1], outputShape[2]);
        var w = pool.Window;
        _inside = w.Pads.IsZero
            && ((_outH - 1) * w.StrideH) + ((w.KernelH - 1) * w.DilationH) < _inH
            && ((_outW - 1) * w.StrideW) + ((w.KernelW - 1) * w.DilationW) < _inW;
    }

    public override object? CreateScratch(int capacity) =>
        _pool.Kind == PoolKind.Max ? new int[capacity * OutputShape.ElementCount] : null;

    public override void Forward(ShardState shard, int batch)
    {
        var x = shard.Values[Inputs[0]];
        var y = shard.Values[Output];
        var argmax = shard.Scratch[Index] as int[];
        if (_inside)
        {
            ForwardInside(x, y, argmax, batch);
            return;
        }

        var w = _pool.Window;
        for (var plane = 0; plane < batch * _channels; plane++)
        {
            var input = x.AsSpan(plane * _inH * _inW, _inH * _inW);
            var outBase = plane * _outH * _outW;
            for (var oh = 0; oh < _outH; oh++)
            {
                var h0 = (oh * w.StrideH) - w.Pads.Top;
                for (var ow = 0; ow < _outW; ow++)
                {
                    var w0 = (ow * w.StrideW) - w.Pads.Left;
                    float max = float.NegativeInfinity, sum = 0f;
                    int count = 0, best = -1;
                    for (var kh = 0; kh < w.KernelH; kh++)
                    {
                        var h = h0 + (kh * w.DilationH);
                        if ((uint)h >= (uint)_inH)
                        {
                            continue;
                        }

                        for (var kw = 0; kw < w.KernelW; kw++)
                        {
                            var c = w0 + (kw * w.DilationW);
                            if ((uint)c >= (uint)_inW)
                            {
                                continue;
                            }

                            var v = input[(h * _inW) + c];
                            if (v > max || best < 0)
                            {
                                max = v;
                                best = (h * _inW) + c;
                            }

                            sum += v;
                            count++;
                        }
                    }

                    var o = outBase + (oh * _outW) + ow;
                    if (argmax is not null)
                    {
                        y[o] = max;
                        argmax[o] = best;
                    }
                    else
                    {
                        y[o] = sum / Divisor(h0, w0, count);
                    }
                }
            }
        }
    }

    public override void Backward(ShardState shard, int batch)
    {
        var dx = shard.Gradients[Inputs[0]];
        if (dx is null)
        {
            return;
        }

        var dy = shard.Gradients[Output]!;
        var argmax = shard.Scratch[Index] as int[];
        if (_inside)
        {
            BackwardInside(dx, dy, argmax, batch);
            return;
        }

        var w = _pool.Window;
        for (var plane = 0; plane < batch * _channels; plane++)
        {
            var dInput = dx.AsSpan(plane * _inH * _inW, _inH * _inW);
            var outBase = plane * _outH * _outW;
            for (var oh = 0; oh < _outH; oh++)
            {
                var h0 = (oh * w.StrideH) - w.Pads.Top;
                for (var ow = 0; ow < _outW; ow++)
                {
                    var o = outBase + (oh * _outW) + ow;
                    if (argmax is not null)
                    {
                        if (argmax[o] >= 0)
                        {
                            dInput[argmax[o]] += dy[o];
                        }

                        continue;
                    }

                    var w0 = (ow * w.StrideW) - w.Pads.Left;
                    SpreadAverage(dInput, h0, w0, dy[o]);
                }
            }
        }
    }

    private void SpreadAverage(Span<float> dInput, int h0, int w0, float gradient)
    {
        var w = _pool.Window;
        var count = 0;
        for (var pass = 0; pass < 2; pass++)
        {
            // Pass 0 counts the valid positions (for the divisor), pass 1 spreads the gradient.
            var share = pass == 0 ? 0f : gradient / Divisor(h0, w0, count);
            for (var kh = 0; kh < w.KernelH; kh++)
            {
                var h = h0 + (kh * w.DilationH);
                for (var kw = 0; kw < w.KernelW && (uint)h < (uint)_inH; kw++)
                {
                    var c = w0 + (kw * w.DilationW);
                    if ((uint)c < (uint)_inW)
                    {
                        if (pass == 0)
                        {
                            count++;
                        }
                        else
                        {
                            dInput[(h * _inW) + c] += share;
                        }
                    }
                }
            }
        }
    }

    // As PoolingKernel: with count_include_pad the divisor counts padded positions, but not the part
    // of a ceil-mode window hanging past the padding.
    private int Divisor(int h0, int w0, int count)
    {
        if (!_pool.CountIncludePad)
        {
            return Math.Max(count, 1);
        }

        var w = _pool.Window;
        var h1 = Math.Min(h0 + w.KernelH, _inH + w.Pads.Bottom);
        var w1 = Math.Min(w0 + w.KernelW, _inW + w.Pads.Right);
        return (h1 - h0) * (w1 - w0);
    }
}
