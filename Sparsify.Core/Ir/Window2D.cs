namespace Sparsify.Core.Ir;

/// <summary>Explicit 2-D padding, in pixels, on each side.</summary>
public readonly record struct Padding2D(int Top, int Left, int Bottom, int Right)
{
    /// <summary>No padding.</summary>
    public static Padding2D None => default;

    /// <summary>The same padding on every side.</summary>
    public static Padding2D Uniform(int p) => new(p, p, p, p);

    /// <summary>True when no side is padded.</summary>
    public bool IsZero => Top == 0 && Left == 0 && Bottom == 0 && Right == 0;

    /// <inheritdoc />
    public override string ToString() => $"[{Top},{Left},{Bottom},{Right}]";
}

/// <summary>
/// A sliding window over the two spatial axes: kernel, stride, dilation and padding, shared by
/// convolution and pooling.
/// </summary>
public readonly record struct Window2D(int KernelH, int KernelW, int StrideH, int StrideW, int DilationH, int DilationW, Padding2D Pads)
{
    /// <summary>A window with unit dilation.</summary>
    public static Window2D Create(int kernel, int stride, Padding2D pads) => new(kernel, kernel, stride, stride, 1, 1, pads);

    /// <summary>Output height for <paramref name="inHeight"/> (floor, or ceil as in pooling's ceil_mode).</summary>
    public int OutHeight(int inHeight, bool ceilMode = false) => OutSize(inHeight, KernelH, StrideH, DilationH, Pads.Top, Pads.Bottom, ceilMode);

    /// <summary>Output width for <paramref name="inWidth"/>.</summary>
    public int OutWidth(int inWidth, bool ceilMode = false) => OutSize(inWidth, KernelW, StrideW, DilationW, Pads.Left, Pads.Right, ceilMode);

    /// <summary>Throws unless every parameter is in range.</summary>
    public void Validate()
    {
        if (KernelH <= 0 || KernelW <= 0 || StrideH <= 0 || StrideW <= 0 || DilationH <= 0 || DilationW <= 0)
        {
            throw new SparsifyModelException($"kernel {KernelH}x{KernelW}, strides {StrideH}x{StrideW} and dilations {DilationH}x{DilationW} must be positive");
        }

        if (Pads.Top < 0 || Pads.Left < 0 || Pads.Bottom < 0 || Pads.Right < 0)
        {
            throw new SparsifyModelException($"pads {Pads} must not be negative");
        }
    }

    private static int OutSize(int input, int kernel, int stride, int dilation, int padBegin, int padEnd, bool ceilMode)
    {
        // The rule itself is the runtime's, shared with the generator's manifest checks.
        var outSize = Sparsify.Runtime.Kernels.SlidingWindow.OutputSize(input, kernel, stride, dilation, padBegin, padEnd, ceilMode);
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
