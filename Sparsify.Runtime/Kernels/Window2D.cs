namespace Sparsify.Runtime.Kernels;

/// <summary>Explicit 2-D padding, in pixels, on each side.</summary>
/// <param name="Top">Zero rows above.</param>
/// <param name="Left">Zero columns to the left.</param>
/// <param name="Bottom">Zero rows below.</param>
/// <param name="Right">Zero columns to the right.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
readonly record struct Padding2D(int Top, int Left, int Bottom, int Right)
{
    /// <summary>No padding.</summary>
    public static Padding2D None => default;

    /// <summary>True when no side is padded.</summary>
    public bool IsZero => Top == 0 && Left == 0 && Bottom == 0 && Right == 0;

    /// <summary>The same padding on every side.</summary>
    public static Padding2D Uniform(int p) => new(p, p, p, p);

    /// <inheritdoc />
    public override string ToString() => System.FormattableString.Invariant($"[{Top},{Left},{Bottom},{Right}]");
}

/// <summary>
/// A sliding window over the two spatial axes: kernel, stride, dilation and padding, shared by convolution
/// and pooling. The one window type of the compiler's graph, the manifest and every run time; the
/// generator compiles this file as linked source.
/// </summary>
/// <param name="KernelH">Kernel height.</param>
/// <param name="KernelW">Kernel width.</param>
/// <param name="StrideH">Vertical stride.</param>
/// <param name="StrideW">Horizontal stride.</param>
/// <param name="DilationH">Vertical dilation.</param>
/// <param name="DilationW">Horizontal dilation.</param>
/// <param name="Pads">Padding on each side.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
readonly record struct Window2D(int KernelH, int KernelW, int StrideH, int StrideW, int DilationH, int DilationW, Padding2D Pads)
{
    /// <summary>A square window with unit dilation.</summary>
    public static Window2D Create(int kernel, int stride, Padding2D pads) => new(kernel, kernel, stride, stride, 1, 1, pads);

    /// <summary>True when every extent, stride and dilation is positive and no padding negative.</summary>
    public bool IsValid =>
        KernelH > 0 && KernelW > 0 && StrideH > 0 && StrideW > 0 && DilationH > 0 && DilationW > 0
        && Pads.Top >= 0 && Pads.Left >= 0 && Pads.Bottom >= 0 && Pads.Right >= 0;

    /// <summary>Output rows for <paramref name="inHeight"/> input rows, or -1 when the window does not fit (<see cref="SlidingWindow.OutputSize"/>).</summary>
    public long OutputHeight(long inHeight, bool ceilMode = false) =>
        SlidingWindow.OutputSize(inHeight, KernelH, StrideH, DilationH, Pads.Top, Pads.Bottom, ceilMode);

    /// <summary>Output columns for <paramref name="inWidth"/> input columns, or -1 when the window does not fit.</summary>
    public long OutputWidth(long inWidth, bool ceilMode = false) =>
        SlidingWindow.OutputSize(inWidth, KernelW, StrideW, DilationW, Pads.Left, Pads.Right, ceilMode);
}
