using System.Globalization;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation;

/// <summary>The attributes each op needs to execute, as manifest text, in a fixed order per op.</summary>
internal static class LayerAttributes
{
    public static IEnumerable<ManifestAttr> Of(Layer layer)
    {
        switch (layer)
        {
            case ConvLayer conv:
                foreach (var a in Window(conv.Window))
                {
                    yield return a;
                }

                yield return Attr("group", conv.Group);
                yield return Attr("bias", conv.Bias is null ? "false" : "true");
                break;
            case FullyConnectedLayer fc:
                yield return Attr("bias", fc.Bias is null ? "false" : "true");
                break;
            case PoolLayer pool:
                yield return Attr("pool", pool.Kind == PoolKind.Max ? "max" : "average");
                foreach (var a in Window(pool.Window))
                {
                    yield return a;
                }

                yield return Attr("ceil_mode", pool.CeilMode ? "true" : "false");
                yield return Attr("count_include_pad", pool.CountIncludePad ? "true" : "false");
                break;
            case LrnLayer lrn:
                yield return Attr("size", lrn.Size);
                yield return Attr("alpha", Float(lrn.Alpha));
                yield return Attr("beta", Float(lrn.Beta));
                yield return Attr("bias", Float(lrn.Bias));
                break;
            case ConcatLayer concat:
                yield return Attr("axis", concat.Axis);
                break;
            case ReshapeLayer reshape when reshape.FlattenAxis is int axis:
                yield return Attr("axis", axis);
                break;
            case ReshapeLayer reshape:
                yield return Attr("shape", string.Join(",", reshape.TargetShape!.Select(d => d.ToString(CultureInfo.InvariantCulture))));
                break;
            case SoftmaxLayer softmax:
                yield return Attr("axis", softmax.Axis);
                yield return Attr("coerce_2d", softmax.CoerceTo2D ? "true" : "false");
                break;
            default:
                // Relu, Add, GlobalAveragePool: the op and shapes say everything.
                break;
        }
    }

    // Floats as exact bits too, since decimal text is not guaranteed to round-trip through every parser.
    private static string Float(float value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value:R}/0x{BitConverter.SingleToUInt32Bits(value):x8}");

    private static IEnumerable<ManifestAttr> Window(Window2D w)
    {
        yield return Attr("kernel", $"{w.KernelH.ToString(CultureInfo.InvariantCulture)}x{w.KernelW.ToString(CultureInfo.InvariantCulture)}");
        yield return Attr("stride", $"{w.StrideH.ToString(CultureInfo.InvariantCulture)}x{w.StrideW.ToString(CultureInfo.InvariantCulture)}");
        yield return Attr("dilation", $"{w.DilationH.ToString(CultureInfo.InvariantCulture)}x{w.DilationW.ToString(CultureInfo.InvariantCulture)}");
        yield return Attr("pads", string.Join(",", new[] { w.Pads.Top, w.Pads.Left, w.Pads.Bottom, w.Pads.Right }.Select(p => p.ToString(CultureInfo.InvariantCulture))));
    }

    private static ManifestAttr Attr(string name, int value) => new(name, value.ToString(CultureInfo.InvariantCulture));

    private static ManifestAttr Attr(string name, string value) => new(name, value);
}
