using System.Numerics.Tensors;

namespace Sparsify.Training.Layers;

internal sealed partial class ConvNode
{
    /// <summary>
    /// Per conv group: dWᵀ[Kg × OCg] = cols[Kg × B·P] · dY[B·P × OCg] (cols read in place, only dY is
    /// transposed), then dCols[Kg × B·P] = Wᵀ · dY[OCg × B·P] written over cols, and col2im into dX.
    /// </summary>
    public override void Backward(ShardState shard, int batch)
    {
        var scratch = (Scratch)shard.Scratch[Index]!;
        var dy = shard.Gradients[Output]!;
        var dx = shard.Gradients[Inputs[0]];
        var columns = batch * _pixels;
        var weights = _conv.Weights.Data;
        var dWeights = shard.ParameterGradients[Weight.Index];

        // dY in both layouts: channel-major [OC × B·P] and pixel-major [B·P × OC].
        var channelMajor = scratch.ChannelMajor;
        var pixelMajor = scratch.PixelMajor;
        for (var b = 0; b < batch; b++)
        {
            var image = dy.AsSpan(b * _outChannels * _pixels, _outChannels * _pixels);
            for (var oc = 0; oc < _outChannels; oc++)
            {
                image.Slice(oc * _pixels, _pixels).CopyTo(channelMajor.AsSpan((oc * columns) + (b * _pixels), _pixels));
            }

            MatrixOps.Transpose(image, _outChannels, _pixels, pixelMajor.AsSpan(b * _pixels * _outChannels));
        }

        if (Bias is not null)
        {
            var dBias = shard.ParameterGradients[Bias.Index];
            for (var oc = 0; oc < _outChannels; oc++)
            {
                dBias[oc] = TensorPrimitives.Sum(channelMajor.AsSpan(oc * columns, columns));
            }
        }

        var filterByChannel = scratch.FilterByChannel;
        for (var g = 0; g < _conv.Group; g++)
        {
            var cols = GroupColumns(scratch, g, columns);
            var groupWeights = weights.AsSpan(g * _outPerGroup * _filter, _outPerGroup * _filter);
            MatrixOps.Gemm(
                _filter, _outPerGroup, columns,
                cols, columns,
                pixelMajor.AsSpan(g * _outPerGroup), _outChannels,
                filterByChannel, _outPerGroup,
                accumulate: false);
            MatrixOps.Transpose(filterByChannel, _filter, _outPerGroup, dWeights.AsSpan(g * _outPerGroup * _filter));

            if (dx is null)
            {
                continue;
            }

            MatrixOps.Transpose(groupWeights, _outPerGroup, _filter, filterByChannel);
            MatrixOps.Gemm(
                _filter, columns, _outPerGroup,
                filterByChannel, _outPerGroup,
                channelMajor.AsSpan(g * _outPerGroup * columns), columns,
                cols, columns,
                accumulate: false);
            for (var b = 0; b < batch; b++)
            {
                var image = dx.AsSpan((b * _conv.Group * _inPlaneGroup) + (g * _inPlaneGroup), _inPlaneGroup);
                Im2Col.Accumulate(_window, cols, columns, b * _pixels, image);
            }
        }
    }
}
