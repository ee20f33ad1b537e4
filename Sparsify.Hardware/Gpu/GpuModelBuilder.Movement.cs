using Sparsify.Hardware.Gpu.Kernels;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Hardware.Gpu;

/// <summary>The per-channel steps (affine, LayerNorm over the channels), GELU, LeakyRelu, the unary functions and the steps that only move values: Slice, ChannelShuffle and Transpose.</summary>
internal sealed partial class GpuModelBuilder
{
    private void BuildChannelAffine(ManifestLayer layer)
    {
        var affine = (ChannelAffineParameters)layer.Parameters;
        var shape = layer.InputShapes[0];
        var (x, y) = (Input(layer, 0), Allocate(layer.Output, layer.OutputShape));
        var (scale, shift) = (_memory.Upload(_blob.ReadFloats(affine.Scale)), _memory.Upload(_blob.ReadFloats(affine.Shift)));
        var (plane, channels, count) = (Product(shape, 2, shape.Count), shape[1], Product(shape, 0, shape.Count));
        var kernel = _kernels.ChannelAffine;
        Steps.Add(() => kernel(count, x, scale, shift, plane, channels, y));
        Plan.Add($"{layer.Name}: scale and shift per channel");
    }

    private void BuildChannelLayerNorm(ManifestLayer layer)
    {
        var norm = (ChannelLayerNormParameters)layer.Parameters;
        var shape = layer.InputShapes[0];
        var (x, y) = (Input(layer, 0), Allocate(layer.Output, layer.OutputShape));
        var (scale, shift) = (_memory.Upload(_blob.ReadFloats(norm.Scale)), _memory.Upload(_blob.ReadFloats(norm.Shift)));
        var (plane, channels, epsilon) = (Product(shape, 2, shape.Count), shape[1], norm.Epsilon);
        var positions = shape[0] * plane;
        var kernel = _kernels.ChannelLayerNorm;
        Steps.Add(() => kernel(positions, x, scale, shift, plane, channels, epsilon, y));
        Plan.Add($"{layer.Name}: layer norm over the channels");
    }

    private void BuildGelu(ManifestLayer layer)
    {
        var (x, y) = (Input(layer, 0), Allocate(layer.Output, layer.OutputShape));
        var count = Product(layer.OutputShape, 0, layer.OutputShape.Count);
        var kernel = _kernels.Gelu;
        Steps.Add(() => kernel(count, x, y));
        Plan.Add($"{layer.Name}: gelu");
    }

    private void BuildLeakyRelu(ManifestLayer layer)
    {
        var (x, y) = (Input(layer, 0), Allocate(layer.Output, layer.OutputShape));
        var alpha = ((LeakyReluParameters)layer.Parameters).Alpha;
        var count = Product(layer.OutputShape, 0, layer.OutputShape.Count);
        var kernel = _kernels.LeakyRelu;
        Steps.Add(() => kernel(count, x, alpha, y));
        Plan.Add(FormattableString.Invariant($"{layer.Name}: leaky relu (slope {alpha})"));
    }

    // `function`: the op's index in ManifestOps.UnaryFunctions, which the kernel switches on.
    private void BuildUnary(ManifestLayer layer, int function)
    {
        var (x, y) = (Input(layer, 0), Allocate(layer.Output, layer.OutputShape));
        var count = Product(layer.OutputShape, 0, layer.OutputShape.Count);
        var kernel = _kernels.Unary;
        Steps.Add(() => kernel(count, x, function, y));
        Plan.Add($"{layer.Name}: {layer.Op.ToLowerInvariant()}");
    }

    private void BuildPad(ManifestLayer layer)
    {
        var pad = (PadParameters)layer.Parameters;
        var shape = layer.InputShapes[0];
        var (x, y) = (Input(layer, 0), Allocate(layer.Output, layer.OutputShape));
        var padShape = new PadShape
        {
            Height = shape[2], Width = shape[3], Top = pad.Pads.Top, Left = pad.Pads.Left, Bottom = pad.Pads.Bottom, Right = pad.Pads.Right,
            Mode = Array.IndexOf(PadParameters.Modes, pad.Mode), Value = pad.Value,
        };
        var count = Product(layer.OutputShape, 0, layer.OutputShape.Count);
        var kernel = _kernels.Pad;
        Steps.Add(() => kernel(count, x, y, padShape));
        Plan.Add($"{layer.Name}: {pad.Mode} pad");
    }

    private void BuildReduce(ManifestLayer layer)
    {
        var reduce = (ReduceParameters)layer.Parameters;
        var shape = layer.InputShapes[0];
        var (x, y) = (Input(layer, 0), Allocate(layer.Output, layer.OutputShape));
        var (length, inner) = (Product(shape, reduce.First, reduce.Last + 1), Product(shape, reduce.Last + 1, shape.Count));
        var count = Product(shape, 0, reduce.First) * inner;
        var mean = layer.Op == "ReduceMean" ? 1 : 0;
        var kernel = _kernels.Reduce;
        Steps.Add(() => kernel(count, x, y, length, inner, mean));
        Plan.Add(FormattableString.Invariant($"{layer.Name}: {(mean != 0 ? "mean" : "sum")} over axes {reduce.First} to {reduce.Last}"));
    }

    private void BuildSlice(ManifestLayer layer)
    {
        var slice = (SliceParameters)layer.Parameters;
        var shape = layer.InputShapes[0];
        var (x, y) = (Input(layer, 0), Allocate(layer.Output, layer.OutputShape));
        var inner = Product(shape, slice.Axis + 1, shape.Count);
        var (taken, block, offset) = ((slice.End - slice.Start) * inner, shape[slice.Axis] * inner, slice.Start * inner);
        var count = Product(layer.OutputShape, 0, layer.OutputShape.Count);
        var kernel = _kernels.Slice;
        Steps.Add(() => kernel(count, x, y, taken, block, offset));
        Plan.Add(FormattableString.Invariant($"{layer.Name}: slice [{slice.Start}, {slice.End}) of axis {slice.Axis}"));
    }

    private void BuildTranspose(ManifestLayer layer)
    {
        const int Axes = 6;
        var perm = ((TransposeParameters)layer.Parameters).Perm;
        var shape = layer.InputShapes[0];
        if (shape.Count > Axes)
        {
            throw new NotSupportedException($"layer '{layer.Name}': Sparsify's ILGPU Transpose kernel covers up to {Axes} axes, not {shape.Count}");
        }

        // The input's row-major steps, taken in the output's order.
        var inputStep = new long[shape.Count];
        for (long axis = shape.Count - 1, stride = 1; axis >= 0; stride *= shape[(int)axis], axis--)
        {
            inputStep[axis] = stride;
        }

        var s = new TransposeShape
        {
            Output = Axes6.Of([.. perm.Select(axis => shape[axis])]),
            Input = Steps6.Of([.. perm.Select(axis => inputStep[axis])]),
        };
        var (x, y) = (Input(layer, 0), Allocate(layer.Output, layer.OutputShape));
        var kernel = _kernels.Transpose;
        var count = Product(shape, 0, shape.Count);
        Steps.Add(() => kernel(count, x, y, s));
        Plan.Add($"{layer.Name}: transpose to [{string.Join(",", perm)}]");
    }

    private void BuildChannelShuffle(ManifestLayer layer)
    {
        var groups = ((ChannelShuffleParameters)layer.Parameters).Groups;
        var shape = layer.InputShapes[0];
        var (x, y) = (Input(layer, 0), Allocate(layer.Output, layer.OutputShape));
        var (channels, plane, count) = (shape[1], shape[2] * shape[3], Product(shape, 0, shape.Count));
        var kernel = _kernels.ChannelShuffle;
        Steps.Add(() => kernel(count, x, y, channels, plane, groups));
        Plan.Add(FormattableString.Invariant($"{layer.Name}: channel shuffle of {groups} groups"));
    }
}
