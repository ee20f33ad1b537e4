using System.Numerics.Tensors;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Training.Layers;

/// <summary>
/// Cross-channel LRN as ONNX defines it (the window of channel c is [c - before, c + after] with
/// before = floor((size-1)/2)): y_c = x_c · S_c^-β with S_c = bias + α/size · Σ_window x².
/// Backward: dx_i = dy_i·S_i^-β − (2αβ/size)·x_i·Σ_{c : i ∈ window(c)} dy_c·y_c/S_c.
/// </summary>
internal sealed class LrnNode : TrainingNode
{
    private readonly LrnLayer _lrn;
    private readonly int _channels, _area, _before, _after;
    private readonly float _scale;

    public LrnNode(LrnLayer lrn, int input, int output, Shape inputShape, Shape outputShape)
        : base(lrn, [input], output, [inputShape], outputShape)
    {
        _lrn = lrn;
        _channels = inputShape[0];
        _area = inputShape[1] * inputShape[2];
        _before = (lrn.Size - 1) / 2;
        _after = lrn.Size - 1 - _before;
        _scale = lrn.Alpha / lrn.Size;
    }

    public override object? CreateScratch(int capacity) =>
        new Scratch(new float[capacity * _channels * _area], new float[_channels * _area], new float[_area]);

    public override void Forward(ShardState shard, int batch)
    {
        var scratch = (Scratch)shard.Scratch[Index]!;
        var x = shard.Values[Inputs[0]];
        var y = shard.Values[Output];
        var square = scratch.Sum;
        for (var plane = 0; plane < batch * _channels; plane++)
        {
            int n = plane / _channels, c = plane % _channels;
            var s = scratch.Denominator.AsSpan(plane * _area, _area);

            // Summed in the same order as LrnKernel, so the two agree to the last bit or close to it.
            s.Clear();
            for (var k = Math.Max(0, c - _before); k <= Math.Min(_channels - 1, c + _after); k++)
            {
                var source = x.AsSpan(((n * _channels) + k) * _area, _area);
                TensorPrimitives.Multiply(source, source, square);
                TensorPrimitives.Add(s, square, s);
            }

            var input = x.AsSpan(plane * _area, _area);
            var output = y.AsSpan(plane * _area, _area);
            for (var i = 0; i < _area; i++)
            {
                s[i] = _lrn.Bias + (_scale * s[i]);
                output[i] = input[i] / MathF.Pow(s[i], _lrn.Beta);
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

        var scratch = (Scratch)shard.Scratch[Index]!;
        var x = shard.Values[Inputs[0]];
        var y = shard.Values[Output];
        var dy = shard.Gradients[Output]!;
        var beta = _lrn.Beta;
        var coefficient = 2f * _scale * beta;
        for (var n = 0; n < batch; n++)
        {
            var imageOffset = n * _channels * _area;

            // t_c = dy_c · y_c / S_c for every channel of this image.
            var t = scratch.Terms;
            for (var i = 0; i < _channels * _area; i++)
            {
                t[i] = dy[imageOffset + i] * y[imageOffset + i] / scratch.Denominator[imageOffset + i];
            }

            for (var c = 0; c < _channels; c++)
            {
                var sum = scratch.Sum;
                sum.AsSpan().Clear();
                for (var k = Math.Max(0, c - _after); k <= Math.Min(_channels - 1, c + _before); k++)
                {
                    TensorPrimitives.Add(sum, t.AsSpan(k * _area, _area), sum);
                }

                var offset = imageOffset + (c * _area);
                for (var i = 0; i < _area; i++)
                {
                    var s = scratch.Denominator[offset + i];
                    dx[offset + i] += (dy[offset + i] / MathF.Pow(s, beta)) - (coefficient * x[offset + i] * sum[i]);
                }
            }
        }
    }

    /// <summary>S per value (kept for the backward), one image of t terms, one plane of sums.</summary>
    private sealed record Scratch(float[] Denominator, float[] Terms, float[] Sum);
}
