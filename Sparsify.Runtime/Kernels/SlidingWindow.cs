namespace Sparsify.Runtime.Kernels;

/// <summary>
/// The output extent of a sliding window (convolution, pooling) along one axis, as ONNX defines it. The
/// compiler's shape inference and the generator's manifest checks both use this rule; the generator
/// compiles this file as linked source.
/// </summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
static class SlidingWindow
{
    /// <summary>
    /// Output positions for an input of <paramref name="input"/> pixels, or -1 when the window does not fit
    /// (or a parameter is out of range). Arithmetic in 64 bits: no extent from a model overflows it.
    /// </summary>
    /// <param name="input">Input extent.</param>
    /// <param name="kernel">Kernel extent (at least 1).</param>
    /// <param name="stride">Stride (at least 1).</param>
    /// <param name="dilation">Dilation (at least 1).</param>
    /// <param name="padBegin">Leading padding (at least 0).</param>
    /// <param name="padEnd">Trailing padding (at least 0).</param>
    /// <param name="ceilMode">Round up as pooling's <c>ceil_mode</c> does.</param>
    public static long OutputSize(long input, long kernel, long stride, long dilation, long padBegin, long padEnd, bool ceilMode)
    {
        if (input < 0 || kernel < 1 || stride < 1 || dilation < 1 || padBegin < 0 || padEnd < 0)
        {
            return -1;
        }

        var span = (dilation * (kernel - 1)) + 1;
        var room = input + padBegin + padEnd - span;
        if (room < 0)
        {
            return -1;
        }

        var outSize = ceilMode ? ((room + stride - 1) / stride) + 1 : (room / stride) + 1;

        // As in ONNX Runtime and PyTorch: with ceil_mode the last window must start inside the
        // input or the leading padding, never wholly in the trailing padding.
        if (ceilMode && (outSize - 1) * stride >= input + padBegin)
        {
            outSize--;
        }

        return outSize;
    }
}
