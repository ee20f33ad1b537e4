using Sparsify.Hardware.Zc706.Network;

namespace Sparsify.Hardware.Zc706.Timing;

/// <summary>
/// The shape of one conv group of a layer as the cycle model needs it. A fully connected layer is a
/// 1x1 convolution over a 1-row input whose width is the batch.
/// </summary>
internal sealed record Geometry(
    int Batch, int InChannels, int InHeight, int InWidth, int OutHeight, int OutWidth,
    int KernelH, int StrideH, int DilationH, int PadTop, int PadLeft, int PadRight)
{
    public int PaddedWidth => InWidth + PadLeft + PadRight;

    /// <summary>Input rows (padding included) that <paramref name="outputRows"/> consecutive output rows need.</summary>
    public int InputRowsFor(int outputRows) => ((outputRows - 1) * StrideH) + ((KernelH - 1) * DilationH) + 1;

    /// <summary>Real input rows (padding excluded) read for output rows [first, end).</summary>
    public int InputRowsRead(int first, int end)
    {
        var top = Math.Max(0, (first * StrideH) - PadTop);
        var bottom = Math.Min(InHeight - 1, ((end - 1) * StrideH) - PadTop + ((KernelH - 1) * DilationH));
        return Math.Max(0, bottom - top + 1);
    }

    public static Geometry Of(ArrayLayer layer)
    {
        var input = layer.InputShapes[0];
        if (layer.Op == ArrayOp.FullyConnected)
        {
            return new Geometry(1, layer.Weights!.Columns, 1, input[0], 1, input[0], 1, 1, 1, 0, 0, 0);
        }

        var w = layer.Window ?? throw new ArgumentException($"Conv layer '{layer.Name}' has no window", nameof(layer));
        var output = layer.OutputShape;
        return new Geometry(
            input[0], input[1] / layer.Group, input[2], input[3], output[2], output[3],
            w.KernelH, w.StrideH, w.DilationH, w.Pads.Top, w.Pads.Left, w.Pads.Right);
    }
}
