using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Network;

namespace Sparsify.Hardware.Zc706.Functional;

/// <summary>
/// Executes a Conv or fully connected layer as the PEs do: each row group's PE reads its entries
/// (one column of the shared pattern and G weights) and, for every output position, multiplies the
/// broadcast input value at that column into G accumulators. Explicit zeros of the union pattern are
/// multiplied like any weight; padding entries only advance the index and are not executed here.
/// A folded residual joins the accumulator in the output path (in 16-bit arithmetic exactly, before the one
/// rounding to the output's precision) and a folded ReLU clamps what is written back.
/// </summary>
internal static class ArrayConvolution
{
    public static float[] Run(ArrayLayer layer, LayerMapping mapping, float[] input, float[]? residual, Zc706Config config)
    {
        var w = layer.Weights!;
        var values = w.Values ?? throw new InvalidOperationException($"layer '{layer.Name}' has only its pattern, not its values: functional execution needs the weights");
        var s = Shape.Of(layer);
        var padded = Pad(input, s);
        var output = new float[(long)s.Batch * w.Rows * s.OutH * s.OutW];
        if (residual is not null && residual.Length != output.Length)
        {
            throw new InvalidOperationException($"layer '{layer.Name}' adds '{layer.Residual}' of {residual.Length} values to its {output.Length} outputs");
        }

        var epilogue = new Epilogue(residual, layer.Relu);
        var fixedPoint = config.Arithmetic == Arithmetic.Fixed16;
        var paddedCodes = fixedPoint ? padded.Select(v => FixedPoint.Quantize(v, config.ActivationFractionBits)).ToArray() : [];
        var groups = mapping.ConvGroups.SelectMany((g, cg) => g.Select(r => (Group: r, ConvGroup: cg))).ToArray();
        Parallel.ForEach(groups, item =>
        {
            var (group, cg) = item;
            var offsets = Offsets(group.Columns, cg, s);
            var height = group.Height;
            var weights = new float[group.Columns.Length * height];
            for (var e = 0; e < group.Columns.Length; e++)
            {
                for (var h = 0; h < height; h++)
                {
                    weights[(e * height) + h] = values[((long)(group.FirstRow + h) * w.Columns) + group.Columns[e]];
                }
            }

            if (fixedPoint)
            {
                RunFixed(group, offsets, weights, paddedCodes, output, w.Bias, epilogue, s, config);
            }
            else
            {
                RunFloat(group, offsets, weights, padded, output, w.Bias, epilogue, s);
            }
        });
        return output;
    }

    private static void RunFloat(RowGroup group, int[] offsets, float[] weights, float[] padded, float[] output, float[]? bias, Epilogue epilogue, Shape s)
    {
        var height = group.Height;
        Span<float> acc = stackalloc float[height];
        for (var n = 0; n < s.Batch; n++)
        {
            for (var oy = 0; oy < s.OutH; oy++)
            {
                for (var ox = 0; ox < s.OutW; ox++)
                {
                    var origin = (n * s.PlaneStride * s.Channels) + (oy * s.StrideH * s.PaddedW) + (ox * s.StrideW);
                    acc.Clear();
                    for (var e = 0; e < offsets.Length; e++)
                    {
                        var x = padded[origin + offsets[e]];
                        var row = weights.AsSpan(e * height, height);
                        for (var h = 0; h < height; h++)
                        {
                            acc[h] += row[h] * x;
                        }
                    }

                    for (var h = 0; h < height; h++)
                    {
                        var r = group.FirstRow + h;
                        var at = (((n * s.Rows) + r) * s.OutH * s.OutW) + (oy * s.OutW) + ox;
                        var y = acc[h] + (bias?[r] ?? 0f);
                        if (epilogue.Residual is { } residual)
                        {
                            y += residual[at];
                        }

                        output[at] = epilogue.Relu && !(y > 0) ? 0f : y;
                    }
                }
            }
        }
    }

    private static void RunFixed(RowGroup group, int[] offsets, float[] weights, int[] padded, float[] output, float[]? bias, Epilogue epilogue, Shape s, Zc706Config config)
    {
        var height = group.Height;
        int fa = config.ActivationFractionBits, fw = config.WeightFractionBits;
        var codes = weights.Select(v => FixedPoint.Quantize(v, fw)).ToArray();
        var biasCodes = new long[height];
        for (var h = 0; h < height; h++)
        {
            biasCodes[h] = (long)Math.Round((double)(bias?[group.FirstRow + h] ?? 0f) * (1L << (fa + fw)), MidpointRounding.AwayFromZero);
        }

        Span<long> acc = stackalloc long[height];
        for (var n = 0; n < s.Batch; n++)
        {
            for (var oy = 0; oy < s.OutH; oy++)
            {
                for (var ox = 0; ox < s.OutW; ox++)
                {
                    var origin = (n * s.PlaneStride * s.Channels) + (oy * s.StrideH * s.PaddedW) + (ox * s.StrideW);
                    biasCodes.CopyTo(acc);
                    for (var e = 0; e < offsets.Length; e++)
                    {
                        long x = padded[origin + offsets[e]];
                        var row = codes.AsSpan(e * height, height);
                        for (var h = 0; h < height; h++)
                        {
                            acc[h] += row[h] * x;
                        }
                    }

                    for (var h = 0; h < height; h++)
                    {
                        var r = group.FirstRow + h;
                        var at = (((n * s.Rows) + r) * s.OutH * s.OutW) + (oy * s.OutW) + ox;
                        var sum = acc[h];
                        if (epilogue.Residual is { } residual)
                        {
                            // The residual is a 16-bit activation already: aligned to the accumulator's fraction bits, it adds exactly.
                            sum += (long)FixedPoint.Quantize(residual[at], fa) << fw;
                        }

                        var code = FixedPoint.Narrow(sum, fw);
                        output[at] = FixedPoint.Dequantize(epilogue.Relu ? Math.Max(code, 0) : code, fa);
                    }
                }
            }
        }
    }

    // Column (ic, ky, kx) of conv group cg → offset in the padded input from the window's origin.
    private static int[] Offsets(int[] columns, int convGroup, Shape s)
    {
        var area = s.KernelH * s.KernelW;
        var offsets = new int[columns.Length];
        for (var e = 0; e < columns.Length; e++)
        {
            var c = columns[e];
            var ic = (convGroup * s.ChannelsPerGroup) + (c / area);
            int ky = c % area / s.KernelW, kx = c % s.KernelW;
            offsets[e] = (ic * s.PlaneStride) + (ky * s.DilationH * s.PaddedW) + (kx * s.DilationW);
        }

        return offsets;
    }

    private static float[] Pad(float[] input, Shape s)
    {
        if (s.PadTop == 0 && s.PadLeft == 0 && s.PaddedH == s.InH && s.PaddedW == s.InW)
        {
            return input;
        }

        var padded = new float[(long)s.Batch * s.Channels * s.PlaneStride];
        for (var p = 0; p < s.Batch * s.Channels; p++)
        {
            for (var y = 0; y < s.InH; y++)
            {
                input.AsSpan((p * s.InH * s.InW) + (y * s.InW), s.InW)
                    .CopyTo(padded.AsSpan((p * s.PlaneStride) + ((y + s.PadTop) * s.PaddedW) + s.PadLeft));
            }
        }

        return padded;
    }

    // What the output path does to each accumulator after the bias: add the residual, then clamp.
    private sealed record Epilogue(float[]? Residual, bool Relu);

    private sealed record Shape(
        int Batch, int Channels, int InH, int InW, int Rows, int OutH, int OutW, int KernelH, int KernelW,
        int StrideH, int StrideW, int DilationH, int DilationW, int PadTop, int PadLeft, int PaddedH, int PaddedW, int ChannelsPerGroup)
    {
        public int PlaneStride => PaddedH * PaddedW;

        public static Shape Of(ArrayLayer layer)
        {
            var input = layer.InputShapes[0];
            var rows = layer.Weights!.Rows;
            if (layer.Op == ArrayOp.FullyConnected)
            {
                var features = layer.Weights.Columns;
                return new Shape(input[0], features, 1, 1, rows, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, features);
            }

            var w = layer.Window!.Value;
            int inH = input[2], inW = input[3];
            var paddedH = inH + w.Pads.Top + w.Pads.Bottom;
            var paddedW = inW + w.Pads.Left + w.Pads.Right;
            return new Shape(
                input[0], input[1], inH, inW, rows, layer.OutputShape[2], layer.OutputShape[3], w.KernelH, w.KernelW,
                w.StrideH, w.StrideW, w.DilationH, w.DilationW, w.Pads.Top, w.Pads.Left, paddedH, paddedW, input[1] / layer.Group);
        }
    }
}
