using Sparsify.Runtime.Kernels;

namespace Sparsify.Core.Ir;

/// <summary>The compiler's checks on a <see cref="Window2D"/>: the same rule as the run times', as model errors.</summary>
public static class WindowRules
{
    /// <summary>Output height for <paramref name="inHeight"/> (floor, or ceil as in pooling's ceil_mode).</summary>
    /// <exception cref="SparsifyModelException">The window does not fit, or the extent does not fit a dimension.</exception>
    public static int OutHeight(this Window2D window, int inHeight, bool ceilMode = false) =>
        Checked(window.OutputHeight(inHeight, ceilMode), inHeight, window.KernelH, window.StrideH, window.DilationH, window.Pads.Top, window.Pads.Bottom);

    /// <summary>Output width for <paramref name="inWidth"/>.</summary>
    /// <exception cref="SparsifyModelException">The window does not fit, or the extent does not fit a dimension.</exception>
    public static int OutWidth(this Window2D window, int inWidth, bool ceilMode = false) =>
        Checked(window.OutputWidth(inWidth, ceilMode), inWidth, window.KernelW, window.StrideW, window.DilationW, window.Pads.Left, window.Pads.Right);

    /// <summary>Throws unless every parameter is in range.</summary>
    /// <exception cref="SparsifyModelException">A kernel, stride or dilation not positive, or a negative pad.</exception>
    public static void Validate(this Window2D window)
    {
        if (window.KernelH <= 0 || window.KernelW <= 0 || window.StrideH <= 0 || window.StrideW <= 0 || window.DilationH <= 0 || window.DilationW <= 0)
        {
            throw new SparsifyModelException(
                $"kernel {window.KernelH}x{window.KernelW}, strides {window.StrideH}x{window.StrideW} and dilations {window.DilationH}x{window.DilationW} must be positive");
        }

        if (!window.IsValid)
        {
            throw new SparsifyModelException($"pads {window.Pads} must not be negative");
        }
    }

    private static int Checked(long outSize, int input, int kernel, int stride, int dilation, int padBegin, int padEnd)
    {
        var span = ((long)dilation * (kernel - 1)) + 1;
        if (outSize < 1)
        {
            throw new SparsifyModelException($"window of extent {span} does not fit input extent {input} with pads {padBegin}+{padEnd}");
        }

        // Every term fits a long (int operands), but the extent itself may not fit a dimension.
        if (outSize > int.MaxValue)
        {
            throw new SparsifyModelException(
                $"input extent {input} with pads {padBegin}+{padEnd}, window extent {span} and stride {stride} gives an output extent of {SizeMath.Format(outSize)}, more than the largest dimension, {SizeMath.Format(int.MaxValue)}");
        }

        return (int)outSize;
    }
}
