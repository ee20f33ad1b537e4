using System.Numerics.Tensors;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Training.Layers;

/// <summary>
/// Convolution (groups, stride, dilation, padding) as one GEMM per conv group over the whole shard:
/// Y[OCg × B·P] = W_g[OCg × Kg] · cols_g[Kg × B·P], with the shard's images side by side in cols.
/// The backward (in ConvNode.Backward.cs) reuses the columns for dW and turns them into dCols.
/// </summary>
internal sealed partial class ConvNode : TrainingNode
{
    private readonly ConvLayer _conv;
    private readonly TrainableParameter[] _parameters;
    private readonly ConvWindow _window;
    private readonly int _outChannels, _outPerGroup, _pixels, _filter, _inPlaneGroup;

    public ConvNode(ConvLayer conv, int input, int output, Shape inputShape, Shape outputShape)
        : base(conv, [input], output, [inputShape], outputShape)
    {
        _conv = conv;
        Weight = new TrainableParameter(conv, conv.Weights, isWeight: true);
        Bias = conv.Bias is null ? null : new TrainableParameter(conv, conv.Bias, isWeight: false);
        _parameters = Bias is null ? [Weight] : [Weight, Bias];
        _outChannels = conv.OutChannels;
        _outPerGroup = conv.OutChannels / conv.Group;
        _window = new ConvWindow(conv.InChannelsPerGroup, inputShape[1], inputShape[2], outputShape[1], outputShape[2], conv.Window);
        _pixels = _window.Pixels;
        _filter = _window.Rows;
        _inPlaneGroup = conv.InChannelsPerGroup * inputShape[1] * inputShape[2];
    }

    public TrainableParameter Weight { get; }

    public TrainableParameter? Bias { get; }

    public override IReadOnlyList<TrainableParameter> Parameters => _parameters;

    public override object? CreateScratch(int capacity) => new Scratch(
        Columns: new float[_conv.Group * _filter * capacity * _pixels],
        ChannelMajor: new float[_outChannels * capacity * _pixels],
        PixelMajor: new float[capacity * _pixels * _outChannels],
        FilterByChannel: new float[_filter * _outPerGroup]);

    public override void Forward(ShardState shard, int batch)
    {
        var scratch = (Scratch)shard.Scratch[Index]!;
        var x = shard.Values[Inputs[0]];
        var y = shard.Values[Output];
        var columns = batch * _pixels;
        var weights = _conv.Weights.Data;
        for (var g = 0; g < _conv.Group; g++)
        {
            var cols = GroupColumns(scratch, g, columns);
            for (var b = 0; b < batch; b++)
            {
                var image = x.AsSpan((b * _conv.Group * _inPlaneGroup) + (g * _inPlaneGroup), _inPlaneGroup);
                Im2Col.Fill(_window, image, cols, columns, b * _pixels);
            }

            MatrixOps.Gemm(
                _outPerGroup, columns, _filter,
                weights.AsSpan(g * _outPerGroup * _filter), _filter,
                cols, columns,
                scratch.ChannelMajor.AsSpan(g * _outPerGroup * columns), columns,
                accumulate: false);
        }

        // [OC × B·P] back to NCHW, adding the bias on the way.
        var bias = _conv.Bias?.Data;
        for (var b = 0; b < batch; b++)
        {
            for (var oc = 0; oc < _outChannels; oc++)
            {
                var src = scratch.ChannelMajor.AsSpan((oc * columns) + (b * _pixels), _pixels);
                var dst = y.AsSpan(((b * _outChannels) + oc) * _pixels, _pixels);
                if (bias is null)
                {
                    src.CopyTo(dst);
                }
                else
                {
                    TensorPrimitives.Add(src, bias[oc], dst);
                }
            }
        }
    }

    private Span<float> GroupColumns(Scratch scratch, int group, int columns) =>
        scratch.Columns.AsSpan(group * _filter * columns, _filter * columns);

    /// <summary>Per-shard buffers: im2col columns per group, the output (later dY) channel-major and pixel-major, a small transpose buffer.</summary>
    private sealed record Scratch(float[] Columns, float[] ChannelMajor, float[] PixelMajor, float[] FilterByChannel);
}
