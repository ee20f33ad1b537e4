using Sparsify.Hardware.Gpu.Kernels;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Hardware.Gpu;

/// <summary>The layers without weights: pooling, LRN, ReLU, Add, Concat, Softmax.</summary>
internal sealed partial class GpuModelBuilder
{
    private void BuildPool(ManifestLayer layer)
    {
        var p = (PoolParameters)layer.Parameters;
        var w = p.Window;
        var input = layer.InputShapes[0];
        var output = layer.OutputShape;
        var shape = new PoolShape
        {
            Planes = input[0] * input[1], InHeight = input[2], InWidth = input[3], OutHeight = output[2], OutWidth = output[3],
            KernelH = w.KernelH, KernelW = w.KernelW, StrideH = w.StrideH, StrideW = w.StrideW, DilationH = w.DilationH, DilationW = w.DilationW,
            PadTop = w.Pads.Top, PadLeft = w.Pads.Left, PadBottom = w.Pads.Bottom, PadRight = w.Pads.Right,
            IsMax = layer.Op == "MaxPool" ? 1 : 0,
            CountIncludePad = p.CountIncludePad ? 1 : 0,
        };
        var x = Input(layer, 0);
        var y = Allocate(layer.Output, output);
        var kernel = _kernels.Pool;
        var count = shape.Planes * shape.OutHeight * shape.OutWidth;
        Steps.Add(() => kernel(count, x, y, shape));
        Plan.Add($"{layer.Name}: {(shape.IsMax != 0 ? "max" : "average")} pool{(p.CeilMode ? " (ceil mode)" : string.Empty)}");
    }

    private void BuildGlobalAverage(ManifestLayer layer)
    {
        var input = layer.InputShapes[0];
        var x = Input(layer, 0);
        var y = Allocate(layer.Output, layer.OutputShape);
        var kernel = _kernels.GlobalAverage;
        var planes = input[0] * input[1];
        var pixels = Product(input, 2, input.Count);
        Steps.Add(() => kernel(planes, x, y, pixels));
        Plan.Add($"{layer.Name}: global average pool");
    }

    private void BuildLrn(ManifestLayer layer)
    {
        var lrn = (LrnParameters)layer.Parameters;
        var size = lrn.Size;
        var input = layer.InputShapes[0];
        var shape = new LrnShape
        {
            Channels = input[1],
            Pixels = Product(input, 2, input.Count),
            Before = (size - 1) / 2,
            After = size - 1 - ((size - 1) / 2),
            Scale = lrn.Alpha / size,
            Beta = lrn.Beta,
            Bias = lrn.Bias,
        };
        var x = Input(layer, 0);
        var y = Allocate(layer.Output, layer.OutputShape);
        var kernel = _kernels.Lrn;
        var count = input[0] * shape.Channels * shape.Pixels;
        Steps.Add(() => kernel(count, x, y, shape));
        Plan.Add($"{layer.Name}: LRN, size {size}");
    }

    private void BuildRelu(ManifestLayer layer)
    {
        var x = Input(layer, 0);
        var y = Allocate(layer.Output, layer.OutputShape);
        var kernel = _kernels.Relu;
        var count = Product(layer.OutputShape, 0, layer.OutputShape.Count);
        Steps.Add(() => kernel(count, x, y));
        Plan.Add($"{layer.Name}: relu");
    }

    private void BuildClip(ManifestLayer layer)
    {
        var x = Input(layer, 0);
        var y = Allocate(layer.Output, layer.OutputShape);
        var kernel = _kernels.Clip;
        var clip = (ClipParameters)layer.Parameters;
        var count = Product(layer.OutputShape, 0, layer.OutputShape.Count);
        Steps.Add(() => kernel(count, x, clip.Min, clip.Max, y));
        Plan.Add(FormattableString.Invariant($"{layer.Name}: clip to [{clip.Min}, {clip.Max}]"));
    }

    private void BuildSigmoid(ManifestLayer layer)
    {
        var x = Input(layer, 0);
        var y = Allocate(layer.Output, layer.OutputShape);
        var count = Product(layer.OutputShape, 0, layer.OutputShape.Count);
        if (layer.Parameters is HardSigmoidParameters hard)
        {
            var kernel = _kernels.HardSigmoid;
            Steps.Add(() => kernel(count, x, hard.Alpha, hard.Beta, y));
            Plan.Add(FormattableString.Invariant($"{layer.Name}: hard sigmoid ({hard.Alpha} x + {hard.Beta})"));
        }
        else
        {
            var kernel = _kernels.Sigmoid;
            Steps.Add(() => kernel(count, x, y));
            Plan.Add($"{layer.Name}: sigmoid");
        }
    }

    private void BuildMultiply(ManifestLayer layer)
    {
        var a = Input(layer, 0);
        var b = Input(layer, 1);
        var y = Allocate(layer.Output, layer.OutputShape);
        var kernel = _kernels.Multiply;
        var plane = ManifestOps.MultiplyPlane(layer.InputShapes[0], layer.InputShapes[1]) ?? 1;
        var count = Product(layer.OutputShape, 0, layer.OutputShape.Count);
        Steps.Add(() => kernel(count, a, b, plane, y));
        Plan.Add(plane == 1 ? $"{layer.Name}: multiply" : $"{layer.Name}: multiply by a factor per channel");
    }

    private void BuildBroadcast(ManifestLayer layer)
    {
        const int Axes = 6;
        var function = ((BroadcastParameters)layer.Parameters).Function;
        var output = layer.OutputShape;
        if (output.Count > Axes)
        {
            throw new NotSupportedException($"layer '{layer.Name}': Sparsify's ILGPU Broadcast kernel covers up to {Axes} axes, not {output.Count}");
        }

        // An operand's step along each output axis, right-aligned: 0 where it has length 1 or lacks the axis.
        long[] StepsIn(IReadOnlyList<int> operand)
        {
            var steps = new long[output.Count];
            long stride = 1;
            for (var axis = output.Count - 1; axis >= 0; axis--)
            {
                var length = axis - (output.Count - operand.Count) is var at && at >= 0 ? operand[at] : 1;
                steps[axis] = length == 1 ? 0 : stride;
                stride *= length;
            }

            return steps;
        }

        var shape = new BroadcastShape
        {
            Output = Axes6.Of(output),
            A = Steps6.Of(StepsIn(layer.InputShapes[0])),
            B = Steps6.Of(StepsIn(layer.InputShapes[1])),
            Function = Array.IndexOf(ManifestOps.BroadcastFunctions, function),
        };
        var (a, b, y) = (Input(layer, 0), Input(layer, 1), Allocate(layer.Output, output));
        var kernel = _kernels.Broadcast;
        var count = Product(output, 0, output.Count);
        Steps.Add(() => kernel(count, a, b, y, shape));
        Plan.Add($"{layer.Name}: {function} with broadcasting");
    }

    private void BuildMatMul(ManifestLayer layer)
    {
        var (left, right) = (layer.InputShapes[0], layer.InputShapes[1]);
        var shape = new MatMulShape { M = left[^2], K = left[^1], N = right[^1] };
        var output = layer.OutputShape;
        var batch = output.Take(output.Count - 2).ToArray();

        // Where each product's matrices start: the broadcast leading axes walked on the host, once.
        var products = batch.Aggregate(1, (x, d) => x * d);
        var (aStart, bStart) = (new int[products], new int[products]);
        int Start(IReadOnlyList<int> operand, int p, int matrix)
        {
            var (at, stride, rank) = (0L, 1L, operand.Count - 2);
            for (var axis = batch.Length - 1; axis >= 0; axis--)
            {
                var coordinate = p % batch[axis];
                p /= batch[axis];
                var o = axis - (batch.Length - rank);
                if (o >= 0)
                {
                    at += (operand[o] == 1 ? 0 : coordinate) * stride;
                    stride *= operand[o];
                }
            }

            return checked((int)(at * matrix));
        }

        for (var p = 0; p < products; p++)
        {
            (aStart[p], bStart[p]) = (Start(left, p, shape.M * shape.K), Start(right, p, shape.K * shape.N));
        }

        var (a, b, y) = (Input(layer, 0), Input(layer, 1), Allocate(layer.Output, output));
        var (aStarts, bStarts) = (_memory.Upload(aStart), _memory.Upload(bStart));
        var kernel = _kernels.MatMul;
        var count = Product(output, 0, output.Count);
        Steps.Add(() => kernel(count, a, b, aStarts, bStarts, y, shape));
        Plan.Add($"{layer.Name}: {products} matrix products of {shape.M}x{shape.K} by {shape.K}x{shape.N}");
    }

    private void BuildAdd(ExecutionStep step, ManifestLayer layer)
    {
        if (!layer.InputShapes[0].SequenceEqual(layer.InputShapes[1]))
        {
            throw new NotSupportedException($"layer '{layer.Name}': Add with broadcasting ({string.Join("x", layer.InputShapes[0])} + {string.Join("x", layer.InputShapes[1])}) is not covered");
        }

        var left = Input(layer, 0);
        var right = Input(layer, 1);
        var (target, _, _, relu, fused) = Epilogue(step);
        var y = Allocate(target, layer.OutputShape);
        var kernel = _kernels.Add;
        var count = Product(layer.OutputShape, 0, layer.OutputShape.Count);
        var reluFlag = relu ? 1 : 0;
        Steps.Add(() => kernel(count, left, right, y, reluFlag));
        Plan.Add($"{layer.Name}: add{fused}");
    }

    private void BuildConcat(ManifestLayer layer)
    {
        var output = layer.OutputShape;
        var axis = ((AxisParameters)layer.Parameters).Axis;
        axis = axis < 0 ? axis + output.Count : axis;
        var y = Allocate(layer.Output, output);
        var outer = Product(output, 0, axis);
        var outputInner = Product(output, axis, output.Count);
        var offset = 0;
        var kernel = _kernels.CopyBlock;
        for (var i = 0; i < layer.Inputs.Count; i++)
        {
            var x = Input(layer, i);
            var inner = Product(layer.InputShapes[i], axis, layer.InputShapes[i].Count);
            var at = offset;
            var count = outer * inner;
            if (count > 0)
            {
                Steps.Add(() => kernel(count, x, y, inner, outputInner, at));
            }

            offset += inner;
        }

        Plan.Add($"{layer.Name}: concat of {layer.Inputs.Count} along axis {axis}");
    }

    private void BuildSoftmax(ManifestLayer layer)
    {
        var softmax = (SoftmaxParameters)layer.Parameters;
        var shape = layer.OutputShape;
        var axis = softmax.Axis < 0 ? softmax.Axis + shape.Count : softmax.Axis;
        var coerce = softmax.CoerceTo2D;
        var outer = Product(shape, 0, axis);
        var axisLength = coerce ? Product(shape, axis, shape.Count) : shape[axis];
        var inner = coerce ? 1 : Product(shape, axis + 1, shape.Count);
        var x = Input(layer, 0);
        var y = Allocate(layer.Output, shape);
        var kernel = _kernels.Softmax;
        var count = outer * inner;
        Steps.Add(() => kernel(count, x, y, axisLength, inner));
        Plan.Add($"{layer.Name}: softmax over {axisLength}");
    }
}
