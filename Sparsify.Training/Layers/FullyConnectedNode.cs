using System.Numerics.Tensors;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Training.Layers;

/// <summary>
/// y = x·Wᵀ + b. The weights are always the GEMM's left operand read in place (they are the large
/// matrix); only the small batch-sized matrices are transposed.
/// </summary>
internal sealed class FullyConnectedNode : TrainingNode
{
    private readonly FullyConnectedLayer _fc;
    private readonly TrainableParameter[] _parameters;
    private readonly int _in, _out;

    public FullyConnectedNode(FullyConnectedLayer fc, int input, int output, Shape inputShape, Shape outputShape)
        : base(fc, [input], output, [inputShape], outputShape)
    {
        _fc = fc;
        _in = fc.InFeatures;
        _out = fc.OutFeatures;
        Weight = new TrainableParameter(fc, fc.Weights, isWeight: true);
        Bias = fc.Bias is null ? null : new TrainableParameter(fc, fc.Bias, isWeight: false);
        _parameters = Bias is null ? [Weight] : [Weight, Bias];
    }

    public TrainableParameter Weight { get; }

    public TrainableParameter? Bias { get; }

    public override IReadOnlyList<TrainableParameter> Parameters => _parameters;

    public override object? CreateScratch(int capacity) => new Scratch(new float[_in * capacity], new float[_out * capacity]);

    /// <summary>yᵀ[Out × B] = W[Out × In] · xᵀ[In × B], transposed back with the bias added.</summary>
    public override void Forward(ShardState shard, int batch)
    {
        var scratch = (Scratch)shard.Scratch[Index]!;
        var x = shard.Values[Inputs[0]];
        var y = shard.Values[Output];
        MatrixOps.Transpose(x, batch, _in, scratch.InputT);
        MatrixOps.Gemm(_out, batch, _in, _fc.Weights.Data, _in, scratch.InputT, batch, scratch.OutputT, batch, accumulate: false);
        MatrixOps.Transpose(scratch.OutputT, _out, batch, y);
        if (_fc.Bias is { } bias)
        {
            for (var b = 0; b < batch; b++)
            {
                var row = y.AsSpan(b * _out, _out);
                TensorPrimitives.Add(row, bias.Data, row);
            }
        }
    }

    /// <summary>dW = dyᵀ·x, db = Σ_b dy, dx += dy·W.</summary>
    public override void Backward(ShardState shard, int batch)
    {
        var scratch = (Scratch)shard.Scratch[Index]!;
        var x = shard.Values[Inputs[0]];
        var dy = shard.Gradients[Output]!;
        var dx = shard.Gradients[Inputs[0]];
        var dyT = scratch.OutputT;
        MatrixOps.Transpose(dy, batch, _out, dyT);
        MatrixOps.Gemm(_out, _in, batch, dyT, batch, x, _in, shard.ParameterGradients[Weight.Index], _in, accumulate: false);
        if (Bias is not null)
        {
            var dBias = shard.ParameterGradients[Bias.Index];
            for (var o = 0; o < _out; o++)
            {
                dBias[o] = TensorPrimitives.Sum(dyT.AsSpan(o * batch, batch));
            }
        }

        if (dx is not null)
        {
            MatrixOps.Gemm(batch, _in, _out, dy, _out, _fc.Weights.Data, _in, dx, _in, accumulate: true);
        }
    }

    private sealed record Scratch(float[] InputT, float[] OutputT);
}
