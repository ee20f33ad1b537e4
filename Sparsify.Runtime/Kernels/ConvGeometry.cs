namespace Sparsify.Runtime.Kernels;

/// <summary>
/// Everything a 2-D convolution kernel needs to know about its shapes, resolved once per layer.
/// Tensors are NCHW; weights are [OutChannels, InChannels / Group, KernelHeight, KernelWidth].
/// The bottom and right padding are implied by <see cref="OutHeight"/> and <see cref="OutWidth"/>.
/// The generator compiles this file as linked source, to print a layer's geometry as the compiler derives it.
/// </summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
readonly record struct ConvGeometry(
    int Batch,
    int InChannels, int InHeight, int InWidth,
    int OutChannels, int OutHeight, int OutWidth,
    int KernelHeight, int KernelWidth,
    int StrideH, int StrideW,
    int DilationH, int DilationW,
    int PadTop, int PadLeft,
    int Group)
{
    /// <summary>Input channels seen by one group.</summary>
    public int InChannelsPerGroup => InChannels / Group;

    /// <summary>Output channels produced by one group.</summary>
    public int OutChannelsPerGroup => OutChannels / Group;

    /// <summary>Length of one filter: the GEMM's inner dimension.</summary>
    public int FilterLength => InChannelsPerGroup * KernelHeight * KernelWidth;

    /// <summary>Output pixels per channel: the GEMM's column count.</summary>
    public int OutPixels => OutHeight * OutWidth;

    /// <summary>Multiply-accumulates for the whole batch.</summary>
    public long Macs => (long)Batch * OutChannels * OutPixels * FilterLength;
}
