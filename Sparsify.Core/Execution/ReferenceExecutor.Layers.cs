using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Core.Execution;

/// <summary>Each layer of the graph adapted to the span-based kernels of Sparsify.Runtime.</summary>
public sealed partial class ReferenceExecutor
{
    private Tensor Execute(Layer layer, Tensor[] operands, Shape outputShape)
    {
        var x = operands[0];
        if (layer is ReshapeLayer)
        {
            return new Tensor(outputShape, x.Data);
        }

        var y = new Tensor(outputShape);
        switch (layer)
        {
            case ConvLayer conv:
                Convolution.Dense(conv.Geometry(x.Shape, outputShape), x.Data, conv.Weights.Data, conv.Bias?.Data, default, false, y.Data, _threads);
                break;
            case FullyConnectedLayer fc:
                FullyConnected.Dense(x.Shape[0], fc.InFeatures, fc.OutFeatures, x.Data, fc.Weights.Data, fc.Bias?.Data, false, y.Data, _threads);
                break;
            case ReluLayer:
                Elementwise.Relu(x.Data, y.Data);
                break;
            case ClipLayer clip:
                Elementwise.Clip(x.Data, clip.Min, clip.Max, y.Data);
                break;
            case SigmoidLayer:
                Elementwise.Sigmoid(x.Data, y.Data);
                break;
            case HardSigmoidLayer hardSigmoid:
                Elementwise.HardSigmoid(x.Data, hardSigmoid.Alpha, hardSigmoid.Beta, y.Data);
                break;
            case MulLayer:
                Elementwise.Multiply(x.Data, operands[1].Data, Runtime.Manifests.ManifestOps.MultiplyPlane(x.Shape, operands[1].Shape)!.Value, y.Data);
                break;
            case AddLayer:
                Elementwise.Add(x.Data, operands[1].Data, false, y.Data);
                break;
            case MatMulLayer:
                MatrixProduct.Multiply(x.Data, x.Shape.ToArray(), operands[1].Data, operands[1].Shape.ToArray(), y.Data, _threads);
                break;
            case TransposeLayer transpose:
                DataMovement.Transpose(x.Data, x.Shape.ToArray(), transpose.Perm.ToArray(), y.Data);
                break;
            case BroadcastLayer broadcast:
                Elementwise.Broadcast(broadcast.Function, x.Data, x.Shape.ToArray(), operands[1].Data, operands[1].Shape.ToArray(), y.Data);
                break;
            case LeakyReluLayer leaky:
                Elementwise.LeakyRelu(x.Data, leaky.Alpha, y.Data);
                break;
            case UnaryLayer unary:
                Elementwise.Unary(unary.OpType, x.Data, y.Data);
                break;
            case GeluLayer:
                Elementwise.Gelu(x.Data, y.Data);
                break;
            case ChannelLayerNormLayer norm:
                Normalization.ChannelLayerNorm(x.Shape[0], x.Shape[1], x.Shape.Product(2, x.Shape.Rank), norm.Epsilon, norm.Scale.Data, norm.Shift.Data, x.Data, y.Data);
                break;
            case ChannelAffineLayer affine:
                Elementwise.ChannelAffine(x.Data, affine.Scale.Data, affine.Shift.Data, x.Shape.Product(2, x.Shape.Rank), y.Data);
                break;
            case ReduceLayer reduce:
                Elementwise.Reduce(x.Data, x.Shape.Product(0, reduce.First), x.Shape.Product(reduce.First, reduce.Last + 1), x.Shape.Product(reduce.Last + 1, x.Shape.Rank), reduce.Mean, y.Data);
                break;
            case PadLayer pad:
                DataMovement.Pad(x.Data, x.Shape[0] * x.Shape[1], x.Shape[2], x.Shape[3], pad.Pads, pad.Mode, pad.Value, y.Data);
                break;
            case SliceLayer slice:
                DataMovement.Slice(x.Data, x.Shape.Product(0, slice.Axis), x.Shape[slice.Axis], x.Shape.Product(slice.Axis + 1, x.Shape.Rank), slice.Start, slice.End, y.Data);
                break;
            case ChannelShuffleLayer shuffle:
                DataMovement.ChannelShuffle(x.Data, x.Shape[0], x.Shape[1], x.Shape[2] * x.Shape[3], shuffle.Groups, y.Data);
                break;
            case PoolLayer pool:
                Pool(pool, x, y);
                break;
            case GlobalAveragePoolLayer:
                Pooling.GlobalAverage(x.Shape[0], x.Shape[1], x.Shape[2] * x.Shape[3], x.Data, y.Data);
                break;
            case LrnLayer lrn:
                Normalization.Lrn(x.Shape[0], x.Shape[1], x.Shape[2] * x.Shape[3], lrn.Size, lrn.Alpha, lrn.Beta, lrn.Bias, x.Data, y.Data, _threads);
                break;
            case ConcatLayer concat:
                Concat(operands, concat.ResolveAxis(x.Shape.Rank), y);
                break;
            case SoftmaxLayer softmax:
                Softmax(softmax, x, y);
                break;
            default:
                throw new NotSupportedException($"the reference executor has no kernel for {layer.OpType}");
        }

        return y;
    }

    private void Pool(PoolLayer pool, Tensor x, Tensor y)
    {
        var w = pool.Window;
        var g = new PoolGeometry(
            x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], y.Shape[2], y.Shape[3],
            w.KernelH, w.KernelW, w.StrideH, w.StrideW, w.DilationH, w.DilationW,
            w.Pads.Top, w.Pads.Left, w.Pads.Bottom, w.Pads.Right);
        if (pool.Kind == PoolKind.Max)
        {
            Pooling.Max(g, x.Data, y.Data, _threads);
        }
        else
        {
            Pooling.Average(g, pool.CountIncludePad, x.Data, y.Data, _threads);
        }
    }

    private static void Concat(Tensor[] inputs, int axis, Tensor y)
    {
        var shape = y.Shape;
        var outer = shape.Product(0, axis);
        var inner = shape.Product(axis + 1, shape.Rank);
        var outputInner = shape[axis] * inner;
        var offset = 0;
        foreach (var input in inputs)
        {
            var block = input.Shape[axis] * inner;
            Elementwise.CopyBlock(input.Data, outer, block, y.Data, outputInner, offset);
            offset += block;
        }
    }

    private static void Softmax(SoftmaxLayer layer, Tensor x, Tensor y)
    {
        var shape = x.Shape;
        var axis = layer.ResolveAxis(shape.Rank);
        var outer = shape.Product(0, axis);
        var (length, inner) = layer.CoerceTo2D ? (shape.Product(axis, shape.Rank), 1) : (shape[axis], shape.Product(axis + 1, shape.Rank));
        Elementwise.Softmax(x.Data, outer, length, inner, y.Data);
    }
}
